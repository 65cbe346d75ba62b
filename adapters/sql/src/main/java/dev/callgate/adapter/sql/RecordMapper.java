package dev.callgate.adapter.sql;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.RefreshRule;
import dev.callgate.core.callout.RefreshRuleDraft;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.AwsRole;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Protocol;
import dev.callgate.core.credential.ProviderTemplate;
import dev.callgate.core.credential.ProviderTemplates;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.credential.TokenPlacement;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.SecretCipher.Place;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Domain records to column values and back, for every table: the one place that knows the schema's
 * columns. Secrets are sealed on the way in and opened on the way out.
 */
final class RecordMapper {
  static final String TOKEN_COLUMNS =
      "credential, subject, state, access_token, token_type, issued_at, expires_at, refresh_token,"
          + " refresh_expires_at, refresh_expiry_source, scope, last_refresh_at, last_used_at,"
          + " consecutive_failures, next_attempt_at, attempts_window_start, attempts_count,"
          + " diagnoses, next_refresh_at, unsettled_refresh_by, unsettled_refresh_at,"
          + " failures_first_at, failures_last_at, identity_subject, identity_username,"
          + " identity_email, identity_session, attempts_after_rejection, attempts_by_admin,"
          + " attempts_by_owner, version";

  private final SecretColumns secrets;

  RecordMapper(SecretColumns secrets) {
    this.secrets = secrets;
  }

  // ---- tokens ----

  /** Values for {@link #TOKEN_COLUMNS} in order, with {@code version} as given. */
  Object[] tokenValues(TokenRecord record, long version) {
    Optional<TokenSet> tokens = record.tokens();
    return new Object[] {
      record.key().credentialName(),
      record.key().userSubject(),
      record.state().name(),
      tokens
          .map(t -> secrets.seal(t.accessToken(), tokenPlace(record.key(), "access_token")))
          .orElse(null),
      tokens.map(TokenSet::tokenType).orElse(null),
      tokens.map(t -> t.issuedAt().toEpochMilli()).orElse(null),
      tokens.map(t -> t.expiresAt().toEpochMilli()).orElse(null),
      tokens
          .map(t -> secrets.seal(t.refreshToken(), tokenPlace(record.key(), "refresh_token")))
          .orElse(null),
      tokens.flatMap(TokenSet::refreshTokenExpiry).map(e -> e.at().toEpochMilli()).orElse(null),
      tokens.flatMap(TokenSet::refreshTokenExpiry).map(e -> e.source().name()).orElse(null),
      tokens.map(t -> new JsonArray(t.scope()).encode()).orElse(null),
      Sql.millis(record.lastRefreshAt()),
      Sql.millis(record.lastUsedAt()),
      record.failures().count(),
      Sql.millis(record.nextAttemptAt()),
      record.attempts().windowStart().toEpochMilli(),
      record.attempts().count(RefreshBudget.SCHEDULE),
      diagnoses(record.diagnoses()),
      Sql.millis(record.nextRefreshAt()),
      record.unsettledRefresh().map(RefreshStart::instance).orElse(null),
      Sql.millis(record.unsettledRefresh().map(RefreshStart::at)),
      Sql.millis(record.failures().firstAt()),
      Sql.millis(record.failures().lastAt()),
      record.identity().map(ProviderIdentity::subject).orElse(null),
      record.identity().flatMap(ProviderIdentity::preferredUsername).orElse(null),
      record.identity().flatMap(ProviderIdentity::email).orElse(null),
      record.identity().flatMap(ProviderIdentity::sessionId).orElse(null),
      record.attempts().count(RefreshBudget.AFTER_REJECTION),
      record.attempts().count(RefreshBudget.ADMIN),
      record.attempts().count(RefreshBudget.OWNER),
      version
    };
  }

  TokenRecord token(Row row) {
    TokenKey key = new TokenKey(row.getString("credential"), row.getString("subject"));
    Optional<TokenSet> tokens = Optional.empty();
    String accessToken = row.getString("access_token");
    if (accessToken != null) {
      Optional<Secret> refreshToken =
          secrets.open(row.getString("refresh_token"), tokenPlace(key, "refresh_token"));
      Optional<RefreshTokenExpiry> expiry =
          Sql.instant(row, "refresh_expires_at")
              .map(
                  at ->
                      new RefreshTokenExpiry(
                          at,
                          RefreshTokenExpiry.Source.valueOf(
                              row.getString("refresh_expiry_source"))));
      tokens =
          Optional.of(
              new TokenSet(
                  secrets.open(accessToken, tokenPlace(key, "access_token")).orElseThrow(),
                  row.getString("token_type"),
                  Sql.instant(row, "issued_at").orElseThrow(),
                  Sql.instant(row, "expires_at").orElseThrow(),
                  refreshToken,
                  expiry,
                  strings(row.getString("scope"))));
    }
    return new TokenRecord(
        key,
        TokenState.valueOf(row.getString("state")),
        tokens,
        Sql.instant(row, "last_refresh_at"),
        Sql.instant(row, "last_used_at"),
        failures(row),
        Sql.instant(row, "next_attempt_at"),
        new RefreshAttempts(
            Instant.ofEpochMilli(row.getLong("attempts_window_start")),
            Map.of(
                RefreshBudget.SCHEDULE,
                row.getInteger("attempts_count"),
                RefreshBudget.AFTER_REJECTION,
                row.getInteger("attempts_after_rejection"),
                RefreshBudget.ADMIN,
                row.getInteger("attempts_by_admin"),
                RefreshBudget.OWNER,
                row.getInteger("attempts_by_owner"))),
        diagnoses(row.getString("diagnoses")),
        Sql.instant(row, "next_refresh_at"),
        Optional.ofNullable(row.getString("unsettled_refresh_by"))
            .map(
                instance ->
                    new RefreshStart(
                        instance, Sql.instant(row, "unsettled_refresh_at").orElseThrow())),
        Optional.ofNullable(row.getString("identity_subject"))
            .map(
                subject ->
                    new ProviderIdentity(
                        subject,
                        Optional.ofNullable(row.getString("identity_username")),
                        Optional.ofNullable(row.getString("identity_email")),
                        Optional.ofNullable(row.getString("identity_session")))),
        row.getLong("version"));
  }

  private static FailureStreak failures(Row row) {
    int count = row.getInteger("consecutive_failures");
    if (count == 0) {
      return FailureStreak.NONE;
    }
    return new FailureStreak(
        count, Sql.instant(row, "failures_first_at"), Sql.instant(row, "failures_last_at"));
  }

  static String diagnoses(List<Diagnosis> diagnoses) {
    JsonArray array = new JsonArray();
    for (Diagnosis diagnosis : diagnoses) {
      array.add(
          new JsonObject()
              .put("code", diagnosis.code().name())
              .put("facts", new JsonObject(new LinkedHashMap<>(diagnosis.facts()))));
    }
    return array.encode();
  }

  static List<Diagnosis> diagnoses(String json) {
    List<Diagnosis> diagnoses = new ArrayList<>();
    for (Object item : new JsonArray(json)) {
      JsonObject object = (JsonObject) item;
      Map<String, String> facts = new LinkedHashMap<>();
      object
          .getJsonObject("facts")
          .forEach(e -> facts.put(e.getKey(), String.valueOf(e.getValue())));
      diagnoses.add(Diagnosis.stored(DiagnosisCode.valueOf(object.getString("code")), facts));
    }
    return diagnoses;
  }

  // ---- providers ----

  static final String PROVIDER_COLUMNS =
      "name, issuer, authorization_endpoint, token_endpoint, revocation_endpoint, client_id,"
          + " client_secret, client_auth_method, scopes, refresh_token_lifetime,"
          + " token_request_parameters, settings, client_private_key, client_key_id,"
          + " client_assertion_algorithm, tls_client_key";

  Object[] providerValues(AuthProvider provider) {
    return new Object[] {
      provider.name(),
      provider.issuer().map(URI::toString).orElse(null),
      provider.authorizationEndpoint().map(URI::toString).orElse(null),
      provider.tokenEndpoint().map(URI::toString).orElse(null),
      provider.revocationEndpoint().map(URI::toString).orElse(null),
      provider.clientId(),
      secrets.seal(
          provider.clientSecret(), Place.of("providers", "client_secret", provider.name())),
      provider.clientAuthMethod().wireName(),
      new JsonArray(provider.scopes()).encode(),
      provider.refreshTokenLifetime().map(Duration::toString).orElse(null),
      new JsonObject(new LinkedHashMap<>(provider.tokenRequestParameters())).encode(),
      providerSettings(provider),
      secrets.seal(
          provider.clientPrivateKey(),
          Place.of("providers", "client_private_key", provider.name())),
      provider.clientKeyId().orElse(null),
      provider.clientAssertionAlgorithm().orElse(null),
      secrets.seal(
          provider.tls().clientKey(), Place.of("providers", "tls_client_key", provider.name()))
    };
  }

  private static String providerSettings(AuthProvider provider) {
    JsonObject settings = new JsonObject();
    provider
        .template()
        .ifPresent(
            use ->
                settings
                    .put("template", use.template().name())
                    .put(
                        "templateParameters",
                        new JsonObject(new LinkedHashMap<>(use.parameters()))));
    provider
        .accessTokenLifetime()
        .ifPresent(v -> settings.put("accessTokenLifetime", v.toString()));
    putTls(settings, provider.tls());
    provider
        .deviceAuthorizationEndpoint()
        .ifPresent(v -> settings.put("deviceAuthorizationEndpoint", v.toString()));
    return settings.isEmpty() ? null : settings.encode();
  }

  AuthProvider provider(Row row) {
    Optional<JsonObject> settings =
        Optional.ofNullable(row.getString("settings")).map(JsonObject::new);
    return new AuthProvider(
        row.getString("name"),
        uri(row.getString("issuer")),
        uri(row.getString("authorization_endpoint")),
        uri(row.getString("token_endpoint")),
        uri(row.getString("revocation_endpoint")),
        row.getString("client_id"),
        secrets.open(
            row.getString("client_secret"),
            Place.of("providers", "client_secret", row.getString("name"))),
        ClientAuthMethod.fromWireName(row.getString("client_auth_method")).orElseThrow(),
        strings(row.getString("scopes")),
        Optional.ofNullable(row.getString("refresh_token_lifetime")).map(Duration::parse),
        tokenRequestParameters(row.getString("token_request_parameters")),
        settings.map(o -> o.getString("accessTokenLifetime")).map(Duration::parse),
        settings.flatMap(RecordMapper::templateUse),
        secrets.open(
            row.getString("client_private_key"),
            Place.of("providers", "client_private_key", row.getString("name"))),
        Optional.ofNullable(row.getString("client_key_id")),
        Optional.ofNullable(row.getString("client_assertion_algorithm")),
        tls(
            settings.orElse(new JsonObject()),
            secrets.open(
                row.getString("tls_client_key"),
                Place.of("providers", "tls_client_key", row.getString("name")))),
        settings.map(o -> o.getString("deviceAuthorizationEndpoint")).map(URI::create));
  }

  /** The public parts of TLS settings go with the other settings; the key has a column. */
  private static void putTls(JsonObject settings, TlsSettings tls) {
    tls.clientCertificate().ifPresent(pem -> settings.put("tlsClientCertificate", pem));
    tls.trustedCertificates().ifPresent(pem -> settings.put("tlsTrustedCertificates", pem));
  }

  /** Rows stored before mutual TLS have neither, and present no client certificate. */
  private static TlsSettings tls(JsonObject settings, Optional<Secret> clientKey) {
    Optional<String> certificate = Optional.ofNullable(settings.getString("tlsClientCertificate"));
    return new TlsSettings(
        certificate,
        certificate.isPresent() ? clientKey : Optional.empty(),
        Optional.ofNullable(settings.getString("tlsTrustedCertificates")));
  }

  /** Providers stored before token-request parameters existed send none. */
  private static Map<String, String> tokenRequestParameters(String json) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (json != null) {
      new JsonObject(json).forEach(e -> parameters.put(e.getKey(), (String) e.getValue()));
    }
    return parameters;
  }

  /** A template the catalogue no longer has is dropped: the provider keeps its expanded fields. */
  private static Optional<ProviderTemplate.Use> templateUse(JsonObject settings) {
    Map<String, String> parameters = new LinkedHashMap<>();
    JsonObject given = settings.getJsonObject("templateParameters", new JsonObject());
    given.forEach(e -> parameters.put(e.getKey(), String.valueOf(e.getValue())));
    return Optional.ofNullable(settings.getString("template"))
        .flatMap(ProviderTemplates::named)
        .map(template -> new ProviderTemplate.Use(template, parameters));
  }

  // ---- credentials ----

  static final String CREDENTIAL_COLUMNS =
      "name, url, protocol, principal, settings, secret, url_query, tls_client_key";

  Object[] credentialValues(NamedCredential credential) {
    JsonObject settings =
        new JsonObject()
            .put("generateAuthorizationHeader", credential.generateAuthorizationHeader())
            .put("allowMergeFieldsInHeaders", credential.allowMergeFieldsInHeaders())
            .put("allowMergeFieldsInBody", credential.allowMergeFieldsInBody())
            .put(
                "allowedCallers",
                new JsonArray(credential.allowedCallers().stream().sorted().toList()))
            .put("keepAlive", credential.keepAlive())
            .put("testPath", credential.testPath().orElse(null))
            .put(
                "allowedMethods",
                new JsonArray(credential.allowedMethods().stream().sorted().toList()))
            .put(
                "allowedReturnUrls",
                new JsonArray(credential.allowedReturnUrls().stream().map(URI::toString).toList()))
            .put("applicationName", credential.applicationName().orElse(null))
            .put("refreshOn", refreshRules(credential.refreshOn()))
            .put("tokenPlacement", tokenPlacement(credential.tokenPlacement()));
    putTls(settings, credential.tls());
    Secret secret = null;
    Authentication authentication = credential.authentication();
    authentication.providerName().ifPresent(p -> settings.put("provider", p));
    if (authentication instanceof Authentication.JwtBearer jwt) {
      settings.put("jwtIssuer", jwt.issuer()).put("jwtSubject", jwt.subject());
      jwt.audience().ifPresent(a -> settings.put("jwtAudience", a));
      secret = jwt.signingKey();
    } else if (authentication instanceof Authentication.Basic basic) {
      settings.put("username", basic.username());
      secret = basic.password();
    } else if (authentication instanceof Authentication.ApiKey apiKey) {
      settings.put("apiKeyHeader", apiKey.headerName());
      secret = apiKey.key();
    } else if (authentication instanceof Authentication.AwsSigV4 aws) {
      secret = awsSettings(aws, settings);
    } else if (authentication instanceof Authentication.TokenExchange exchange) {
      settings.put("tokenExchange", tokenExchange(exchange));
    }
    // a query may carry an API key: it is sealed like every other secret
    String url = credential.url().toString();
    Optional<String> query = Optional.ofNullable(credential.url().getRawQuery());
    return new Object[] {
      credential.name(),
      query.isPresent() ? url.substring(0, url.indexOf('?')) : url,
      credential.protocol().wireName(),
      credential.principal().wireName(),
      settings.encode(),
      secret == null
          ? null
          : secrets.seal(secret, Place.of("credentials", "secret", credential.name())),
      secrets.seal(query.map(Secret::of), Place.of("credentials", "url_query", credential.name())),
      secrets.seal(
          credential.tls().clientKey(),
          Place.of("credentials", "tls_client_key", credential.name()))
    };
  }

  NamedCredential credential(Row row) {
    JsonObject settings = new JsonObject(row.getString("settings"));
    Protocol protocol = Protocol.fromWireName(row.getString("protocol")).orElseThrow();
    String name = row.getString("name");
    Optional<Secret> secret =
        secrets.open(row.getString("secret"), Place.of("credentials", "secret", name));
    Optional<Secret> query =
        secrets.open(row.getString("url_query"), Place.of("credentials", "url_query", name));
    String provider = settings.getString("provider");
    Authentication authentication =
        switch (protocol) {
          case OAUTH2_AUTHORIZATION_CODE -> new Authentication.AuthorizationCode(provider);
          case OAUTH2_CLIENT_CREDENTIALS -> new Authentication.ClientCredentials(provider);
          case OAUTH2_JWT_BEARER ->
              new Authentication.JwtBearer(
                  provider,
                  settings.getString("jwtIssuer"),
                  settings.getString("jwtSubject"),
                  Optional.ofNullable(settings.getString("jwtAudience")),
                  secret.orElseThrow());
          case BASIC ->
              new Authentication.Basic(settings.getString("username"), secret.orElseThrow());
          case API_KEY ->
              new Authentication.ApiKey(settings.getString("apiKeyHeader"), secret.orElseThrow());
          case NONE -> new Authentication.None();
          case AWS_SIGV4 -> awsSigV4(settings, secret.orElseThrow());
          case OAUTH2_TOKEN_EXCHANGE ->
              tokenExchange(provider, settings.getJsonObject("tokenExchange"));
        };
    Set<String> callers = new LinkedHashSet<>();
    settings.getJsonArray("allowedCallers").forEach(c -> callers.add((String) c));
    // credentials stored before methods were configurable allow the default ones
    Set<String> methods = new LinkedHashSet<>(HeaderRules.DEFAULT_ALLOWED_METHODS);
    JsonArray storedMethods = settings.getJsonArray("allowedMethods");
    if (storedMethods != null) {
      methods.clear();
      storedMethods.forEach(m -> methods.add((String) m));
    }
    // credentials stored before return URLs existed allow none
    List<URI> returnUrls = new ArrayList<>();
    JsonArray storedReturnUrls = settings.getJsonArray("allowedReturnUrls");
    if (storedReturnUrls != null) {
      storedReturnUrls.forEach(u -> returnUrls.add(URI.create((String) u)));
    }
    return new NamedCredential(
        name,
        URI.create(row.getString("url") + query.map(q -> "?" + q.reveal()).orElse("")),
        authentication,
        PrincipalType.fromWireName(row.getString("principal")).orElseThrow(),
        settings.getBoolean("generateAuthorizationHeader"),
        settings.getBoolean("allowMergeFieldsInHeaders"),
        settings.getBoolean("allowMergeFieldsInBody"),
        callers,
        settings.getBoolean("keepAlive"),
        Optional.ofNullable(settings.getString("testPath")),
        methods,
        returnUrls,
        Optional.ofNullable(settings.getString("applicationName")),
        refreshRules(settings.getJsonArray("refreshOn"), name),
        tokenPlacement(settings.getJsonObject("tokenPlacement")),
        tls(
            settings,
            secrets.open(
                row.getString("tls_client_key"), Place.of("credentials", "tls_client_key", name))));
  }

  /**
   * An {@code aws_sigv4} credential's plain fields go into its settings; its two secrets, the
   * secret access key and the session token, are sealed together in its one secret column.
   */
  private static Secret awsSettings(Authentication.AwsSigV4 aws, JsonObject settings) {
    settings
        .put("awsAccessKeyId", aws.accessKeyId())
        .put("awsRegion", aws.region())
        .put("awsService", aws.service());
    aws.role()
        .ifPresent(
            role ->
                settings.put(
                    "awsRole",
                    new JsonObject()
                        .put("roleArn", role.roleArn())
                        .put("sessionName", role.sessionName())
                        .put("externalId", role.externalId().orElse(null))
                        .put("duration", role.duration().toString())
                        .put("stsEndpoint", role.stsEndpoint().map(URI::toString).orElse(null))));
    JsonObject secrets = new JsonObject().put("secretAccessKey", aws.secretAccessKey().reveal());
    aws.sessionToken().ifPresent(token -> secrets.put("sessionToken", token.reveal()));
    return Secret.of(secrets.encode());
  }

  private static Authentication.AwsSigV4 awsSigV4(JsonObject settings, Secret sealed) {
    JsonObject secrets = new JsonObject(sealed.reveal());
    Optional<AwsRole> role =
        Optional.ofNullable(settings.getJsonObject("awsRole"))
            .map(
                r ->
                    new AwsRole(
                        r.getString("roleArn"),
                        r.getString("sessionName"),
                        Optional.ofNullable(r.getString("externalId")),
                        Duration.parse(r.getString("duration")),
                        Optional.ofNullable(r.getString("stsEndpoint")).map(URI::create)));
    return new Authentication.AwsSigV4(
        settings.getString("awsAccessKeyId"),
        Secret.of(secrets.getString("secretAccessKey")),
        Optional.ofNullable(secrets.getString("sessionToken")).map(Secret::of),
        settings.getString("awsRegion"),
        settings.getString("awsService"),
        role);
  }

  private static JsonObject tokenExchange(Authentication.TokenExchange exchange) {
    JsonObject json =
        new JsonObject()
            .put("audience", new JsonArray(exchange.audience()))
            .put(
                "resource", new JsonArray(exchange.resource().stream().map(URI::toString).toList()))
            .put("subjectTokenType", exchange.subjectTokenType());
    exchange.subjectCredential().ifPresent(c -> json.put("subjectCredential", c));
    exchange.requestedTokenType().ifPresent(t -> json.put("requestedTokenType", t));
    return json;
  }

  private static Authentication.TokenExchange tokenExchange(String provider, JsonObject json) {
    return new Authentication.TokenExchange(
        provider,
        Optional.ofNullable(json.getString("subjectCredential")),
        json.getJsonArray("audience").stream().map(String.class::cast).toList(),
        json.getJsonArray("resource").stream().map(r -> URI.create((String) r)).toList(),
        Optional.ofNullable(json.getString("requestedTokenType")),
        json.getString("subjectTokenType"));
  }

  private static JsonArray refreshRules(RefreshRules rules) {
    JsonArray array = new JsonArray();
    for (RefreshRule rule : rules.rules()) {
      JsonObject json =
          new JsonObject()
              .put(
                  "status",
                  new JsonArray(
                      rule.status().stream().map(RefreshRule.StatusRange::wireName).toList()));
      rule.bodyPattern().ifPresent(p -> json.put("bodyPattern", p.regex()));
      rule.header()
          .ifPresent(
              h -> json.put("headerName", h.name()).put("headerPattern", h.pattern().regex()));
      array.add(json);
    }
    return array;
  }

  /** Credentials stored before {@code refreshOn} existed have none. */
  private static RefreshRules refreshRules(JsonArray stored, String credential) {
    if (stored == null) {
      return RefreshRules.NONE;
    }
    List<RefreshRuleDraft> drafts = new ArrayList<>();
    for (int index = 0; index < stored.size(); index++) {
      JsonObject rule = stored.getJsonObject(index);
      List<String> status = new ArrayList<>();
      rule.getJsonArray("status").forEach(code -> status.add((String) code));
      drafts.add(
          new RefreshRuleDraft(
              status,
              rule.getString("bodyPattern"),
              rule.getString("headerName"),
              rule.getString("headerPattern")));
    }
    List<Diagnosis> problems = new ArrayList<>();
    RefreshRules rules = RefreshRuleDraft.validateAll(drafts, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "credential "
              + credential
              + " has stored refreshOn rules that are not valid: "
              + problems);
    }
    return rules;
  }

  private static JsonObject tokenPlacement(TokenPlacement placement) {
    return placement.fold(
        bearer -> null,
        header ->
            new JsonObject()
                .put("in", "header")
                .put("name", header.name())
                .put("prefix", header.prefix()),
        query -> new JsonObject().put("in", "query").put("name", query.name()));
  }

  /** Credentials stored before placements existed, or with the default, send a Bearer header. */
  private static TokenPlacement tokenPlacement(JsonObject stored) {
    if (stored == null) {
      return TokenPlacement.BEARER;
    }
    return "query".equals(stored.getString("in"))
        ? new TokenPlacement.InQuery(stored.getString("name"))
        : new TokenPlacement.InHeader(stored.getString("name"), stored.getString("prefix"));
  }

  // ---- pending authorizations and API keys ----

  static final String PENDING_COLUMNS =
      "state_hash, credential, subject, code_verifier, redirect_uri, scopes, created_at,"
          + " expires_at, browser_binding, identity_change_allowed, return_url";

  Object[] pendingValues(PendingAuthorization pending) {
    return new Object[] {
      pending.stateHash().value(),
      pending.tokenKey().credentialName(),
      pending.tokenKey().userSubject(),
      secrets.seal(
          pending.codeVerifier(),
          Place.of("pending_authorizations", "code_verifier", pending.stateHash().value())),
      pending.redirectUri().toString(),
      new JsonArray(pending.requestedScopes()).encode(),
      Sql.millis(pending.createdAt()),
      Sql.millis(pending.expiresAt()),
      pending.browserBinding().map(FlowHash::value).orElse(null),
      pending.identityChangeAllowed() ? 1 : 0,
      pending.returnUrl().map(URI::toString).orElse(null)
    };
  }

  PendingAuthorization pending(Row row) {
    return new PendingAuthorization(
        new FlowHash(row.getString("state_hash")),
        new TokenKey(row.getString("credential"), row.getString("subject")),
        secrets
            .open(
                row.getString("code_verifier"),
                Place.of("pending_authorizations", "code_verifier", row.getString("state_hash")))
            .orElseThrow(),
        URI.create(row.getString("redirect_uri")),
        strings(row.getString("scopes")),
        Sql.instant(row, "created_at").orElseThrow(),
        Sql.instant(row, "expires_at").orElseThrow(),
        Optional.ofNullable(row.getString("browser_binding")).map(FlowHash::new),
        row.getInteger("identity_change_allowed") != 0,
        Optional.ofNullable(row.getString("return_url")).map(URI::create));
  }

  static final String API_KEY_COLUMNS = "id, subject, roles, hash, created_at";

  static Object[] apiKeyValues(StoredApiKey key) {
    return new Object[] {
      key.id(),
      key.subject(),
      new JsonArray(key.roles().stream().sorted().toList()).encode(),
      Base64.getEncoder().encodeToString(key.hash()),
      Sql.millis(key.createdAt())
    };
  }

  static StoredApiKey apiKey(Row row) {
    return new StoredApiKey(
        row.getString("id"),
        row.getString("subject"),
        new LinkedHashSet<>(strings(row.getString("roles"))),
        Base64.getDecoder().decode(row.getString("hash")),
        Sql.instant(row, "created_at").orElseThrow());
  }

  // ---- events ----

  /** The columns an event is written to; {@code id} is the database's, in commit order. */
  static final String EVENT_COLUMNS =
      "type, occurred_at, credential, user_subject, instance, diagnosis_code, diagnosis_facts,"
          + " actor_subject, actor_key_id, actor_request_id, details";

  /** An event holds names, times, counts and codes only: nothing here needs sealing. */
  static Object[] eventValues(Event event) {
    return new Object[] {
      event.type().wireName(),
      Sql.millis(event.time()),
      event.credential().orElse(null),
      event.user().orElse(null),
      event.instance(),
      event.diagnosis().map(d -> d.code().name()).orElse(null),
      event.diagnosis().map(d -> encodeNamed(d.facts())).orElse(null),
      event.actor().map(Actor::subject).orElse(null),
      event.actor().map(Actor::keyId).orElse(null),
      event.actor().map(Actor::requestId).orElse(null),
      encodeNamed(event.details())
    };
  }

  /**
   * The event in {@code row}, or empty when its type is one this version does not know (a newer
   * instance of a cluster wrote it during an upgrade): a reader passes over it.
   */
  static Optional<RecordedEvent> event(Row row) {
    Optional<EventType> type = EventType.fromWireName(row.getString("type"));
    if (type.isEmpty()) {
      return Optional.empty();
    }
    String code = row.getString("diagnosis_code");
    Optional<Diagnosis> diagnosis =
        code == null
            ? Optional.empty()
            : Optional.of(
                Diagnosis.stored(
                    DiagnosisCode.valueOf(code), decodeNamed(row.getString("diagnosis_facts"))));
    String actorSubject = row.getString("actor_subject");
    Optional<Actor> actor =
        actorSubject == null
            ? Optional.empty()
            : Optional.of(
                new Actor(
                    actorSubject,
                    row.getString("actor_key_id"),
                    row.getString("actor_request_id")));
    return Optional.of(
        new RecordedEvent(
            row.getLong("id"),
            new Event(
                type.get(),
                Sql.instant(row, "occurred_at").orElseThrow(),
                Optional.ofNullable(row.getString("credential")),
                Optional.ofNullable(row.getString("user_subject")),
                row.getString("instance"),
                diagnosis,
                actor,
                decodeNamed(row.getString("details")))));
  }

  private static String encodeNamed(Map<String, String> values) {
    return new JsonObject(new LinkedHashMap<>(values)).encode();
  }

  private static Map<String, String> decodeNamed(String json) {
    Map<String, String> values = new LinkedHashMap<>();
    new JsonObject(json).forEach(e -> values.put(e.getKey(), String.valueOf(e.getValue())));
    return values;
  }

  static Place tokenPlace(TokenKey key, String column) {
    return Place.of("tokens", column, key.credentialName(), key.userSubject());
  }

  private static Optional<URI> uri(String value) {
    return Optional.ofNullable(value).map(URI::create);
  }

  static List<String> strings(String json) {
    if (json == null) {
      return List.of();
    }
    List<String> values = new ArrayList<>();
    new JsonArray(json).forEach(v -> values.add((String) v));
    return values;
  }
}
