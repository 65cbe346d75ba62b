package dev.callgate.app.http;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.RefreshRule;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.AuthProviderDraft;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.AwsSigV4Draft;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.credential.ProviderTemplate;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.credential.TlsSettingsDraft;
import dev.callgate.core.credential.TokenExchangeDraft;
import dev.callgate.core.credential.TokenPlacement;
import dev.callgate.core.credential.TokenPlacementDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.service.DeviceVerification;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.TokenStatus;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The API's JSON for providers, credentials and token status, in the field names of the contract
 * (DESIGN.md). Secrets go in, never out: responses say whether a secret is set, not what it is.
 */
final class ResourceJson {
  static final Set<String> PROVIDER_FIELDS =
      Set.of(
          "name",
          "issuer",
          "authorizationEndpoint",
          "tokenEndpoint",
          "revocationEndpoint",
          "clientId",
          "clientSecret",
          "clientAuthMethod",
          "scopes",
          "refreshTokenLifetime",
          "tokenRequestParameters",
          "template",
          "templateParameters",
          "accessTokenLifetime",
          "clientPrivateKey",
          "clientKeyId",
          "clientAssertionAlgorithm",
          "tlsClientCertificate",
          "tlsClientKey",
          "tlsTrustedCertificates",
          "deviceAuthorizationEndpoint");

  static final Set<String> CREDENTIAL_FIELDS =
      Set.of(
          "name",
          "url",
          "protocol",
          "principal",
          "provider",
          "generateAuthorizationHeader",
          "allowMergeFieldsInHeaders",
          "allowMergeFieldsInBody",
          "allowedCallers",
          "keepAlive",
          "testPath",
          "allowedMethods",
          "allowedReturnUrls",
          "applicationName",
          "refreshOn",
          "tokenPlacement",
          "username",
          "password",
          "apiKeyHeader",
          "apiKey",
          "jwtIssuer",
          "jwtSubject",
          "jwtAudience",
          "jwtSigningKey",
          "awsAccessKeyId",
          "awsSecretAccessKey",
          "awsSessionToken",
          "awsRegion",
          "awsService",
          "awsRoleArn",
          "awsRoleSessionName",
          "awsExternalId",
          "awsRoleDuration",
          "awsStsEndpoint",
          "tokenExchange",
          "tlsClientCertificate",
          "tlsClientKey",
          "tlsTrustedCertificates");

  private ResourceJson() {}

  static Validated<AuthProvider> provider(
      JsonObject body, ProviderEndpointRule endpoints, ClientKeyRule keys) {
    JsonFields f = new JsonFields(body, PROVIDER_FIELDS);
    AuthProviderDraft draft =
        new AuthProviderDraft(
            f.string("name"),
            f.string("issuer"),
            f.string("authorizationEndpoint"),
            f.string("tokenEndpoint"),
            f.string("revocationEndpoint"),
            f.string("clientId"),
            f.string("clientSecret"),
            f.string("clientAuthMethod"),
            f.strings("scopes"),
            f.string("refreshTokenLifetime"),
            f.stringMap("tokenRequestParameters"),
            f.string("template"),
            f.stringMap("templateParameters"),
            f.string("accessTokenLifetime"),
            f.string("clientPrivateKey"),
            f.string("clientKeyId"),
            f.string("clientAssertionAlgorithm"),
            f.string("tlsClientCertificate"),
            f.string("tlsClientKey"),
            f.string("tlsTrustedCertificates"),
            f.string("deviceAuthorizationEndpoint"));
    return combine(f.problems(), draft.validate(endpoints, keys));
  }

  static Validated<NamedCredential> credential(JsonObject body) {
    JsonFields f = new JsonFields(body, CREDENTIAL_FIELDS);
    CredentialDraft draft =
        new CredentialDraft(
            f.string("name"),
            f.string("url"),
            f.string("protocol"),
            f.string("principal"),
            f.string("provider"),
            f.bool("generateAuthorizationHeader"),
            f.bool("allowMergeFieldsInHeaders"),
            f.bool("allowMergeFieldsInBody"),
            f.strings("allowedCallers"),
            f.bool("keepAlive"),
            f.string("testPath"),
            f.string("username"),
            f.string("password"),
            f.string("apiKeyHeader"),
            f.string("apiKey"),
            f.string("jwtIssuer"),
            f.string("jwtSubject"),
            f.string("jwtAudience"),
            f.string("jwtSigningKey"),
            f.strings("allowedMethods"),
            f.strings("allowedReturnUrls"),
            f.string("applicationName"),
            f.refreshRules("refreshOn"),
            tokenPlacement(f),
            new AwsSigV4Draft(
                f.string("awsAccessKeyId"),
                f.string("awsSecretAccessKey"),
                f.string("awsSessionToken"),
                f.string("awsRegion"),
                f.string("awsService"),
                f.string("awsRoleArn"),
                f.string("awsRoleSessionName"),
                f.string("awsExternalId"),
                f.string("awsRoleDuration"),
                f.string("awsStsEndpoint")),
            tokenExchange(f),
            f.string("tlsClientCertificate"),
            f.string("tlsClientKey"),
            f.string("tlsTrustedCertificates"));
    return combine(f.problems(), draft.validate());
  }

  /**
   * The credential's {@code tokenPlacement}, its own fields' problems added to the credential's.
   */
  private static TokenPlacementDraft tokenPlacement(JsonFields credential) {
    JsonObject placement = credential.objectField("tokenPlacement");
    if (placement == null) {
      return null;
    }
    JsonFields f = new JsonFields(placement, Set.of("in", "name", "prefix"));
    TokenPlacementDraft draft =
        new TokenPlacementDraft(f.string("in"), f.string("name"), f.string("prefix"));
    credential.problems().addAll(f.problems());
    return draft;
  }

  static final Set<String> TOKEN_EXCHANGE_FIELDS =
      Set.of("subjectCredential", "audience", "resource", "requestedTokenType", "subjectTokenType");

  /**
   * The credential's {@code tokenExchange}, its own fields' problems added to the credential's;
   * {@code audience} and {@code resource} are a string or an array of strings.
   */
  private static TokenExchangeDraft tokenExchange(JsonFields credential) {
    JsonObject exchange = credential.objectField("tokenExchange");
    if (exchange == null) {
      return null;
    }
    JsonFields f = new JsonFields(exchange, TOKEN_EXCHANGE_FIELDS);
    TokenExchangeDraft draft =
        new TokenExchangeDraft(
            f.string("subjectCredential"),
            oneOrMany(exchange, f, "audience"),
            oneOrMany(exchange, f, "resource"),
            f.string("requestedTokenType"),
            f.string("subjectTokenType"));
    credential.problems().addAll(f.problems());
    return draft;
  }

  private static List<String> oneOrMany(JsonObject object, JsonFields f, String field) {
    Object value = object.getValue(field);
    if (value == null || value instanceof String) {
      return value == null ? null : List.of((String) value);
    }
    if (value instanceof JsonArray array && array.stream().allMatch(String.class::isInstance)) {
      return f.strings(field);
    }
    f.problems()
        .add(
            Diagnosis.of(
                DiagnosisCode.INVALID_VALUE,
                "field",
                "tokenExchange." + field,
                "problem",
                "it must be a string or an array of strings"));
    return null;
  }

  private static JsonObject tokenExchangeJson(Authentication.TokenExchange exchange) {
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

  private static <T> Validated<T> combine(List<Diagnosis> fieldProblems, Validated<T> validated) {
    if (fieldProblems.isEmpty()) {
      return validated;
    }
    List<Diagnosis> all = new ArrayList<>(fieldProblems);
    all.addAll(validated.problems());
    return Validated.invalid(all);
  }

  static JsonObject json(AuthProvider provider) {
    JsonObject json = new JsonObject().put("name", provider.name());
    provider.issuer().ifPresent(v -> json.put("issuer", v.toString()));
    provider
        .authorizationEndpoint()
        .ifPresent(v -> json.put("authorizationEndpoint", v.toString()));
    provider.tokenEndpoint().ifPresent(v -> json.put("tokenEndpoint", v.toString()));
    provider.revocationEndpoint().ifPresent(v -> json.put("revocationEndpoint", v.toString()));
    json.put("clientId", provider.clientId())
        .put("hasClientSecret", provider.clientSecret().isPresent())
        .put("clientAuthMethod", provider.clientAuthMethod().wireName())
        .put("scopes", new JsonArray(provider.scopes()));
    provider.refreshTokenLifetime().ifPresent(v -> json.put("refreshTokenLifetime", v.toString()));
    json.put(
        "tokenRequestParameters",
        new JsonObject(new LinkedHashMap<String, Object>(provider.tokenRequestParameters())));
    provider.accessTokenLifetime().ifPresent(v -> json.put("accessTokenLifetime", v.toString()));
    provider
        .template()
        .ifPresent(
            use ->
                json.put("template", use.template().name())
                    .put(
                        "templateParameters",
                        new JsonObject(new LinkedHashMap<String, Object>(use.parameters()))));
    json.put("hasClientPrivateKey", provider.clientPrivateKey().isPresent());
    provider.clientKeyId().ifPresent(v -> json.put("clientKeyId", v));
    provider.clientAssertionAlgorithm().ifPresent(v -> json.put("clientAssertionAlgorithm", v));
    putTls(json, provider.tls());
    provider
        .deviceAuthorizationEndpoint()
        .ifPresent(v -> json.put("deviceAuthorizationEndpoint", v.toString()));
    return json;
  }

  /**
   * A template as {@code GET /v1/provider-templates} lists it: its parameters, and under {@code
   * fills} the provider fields it gives when a provider leaves them out, patterns unexpanded.
   */
  static JsonObject json(ProviderTemplate template) {
    JsonArray parameters = new JsonArray();
    for (ProviderTemplate.Parameter parameter : template.parameters()) {
      parameters.add(
          new JsonObject()
              .put("name", parameter.name())
              .put("description", parameter.description())
              .put("rule", parameter.kind().rule())
              .put("example", parameter.example()));
    }
    JsonObject fills = new JsonObject();
    template.issuer().ifPresent(v -> fills.put("issuer", v));
    template.authorizationEndpoint().ifPresent(v -> fills.put("authorizationEndpoint", v));
    template.tokenEndpoint().ifPresent(v -> fills.put("tokenEndpoint", v));
    template.revocationEndpoint().ifPresent(v -> fills.put("revocationEndpoint", v));
    template.clientAuthMethod().ifPresent(v -> fills.put("clientAuthMethod", v.wireName()));
    fills.put("scopes", new JsonArray(template.scopes()));
    template.refreshTokenLifetime().ifPresent(v -> fills.put("refreshTokenLifetime", v.toString()));
    template.accessTokenLifetime().ifPresent(v -> fills.put("accessTokenLifetime", v.toString()));
    return new JsonObject()
        .put("name", template.name())
        .put("displayName", template.displayName())
        .put("parameters", parameters)
        .put("fills", fills)
        .put(
            "authorizationParameters",
            new JsonObject(new TreeMap<String, Object>(template.authorizationParameters())))
        .put("notes", template.notes());
  }

  /**
   * A provider with the metadata in use: {@code discovered} holds the endpoints Callgate sends to
   * (from discovery, with configured ones in their place), {@code discoveryProblem} why there are
   * none.
   */
  static JsonObject json(Providers.ProviderDescription description) {
    JsonObject json = json(description.provider());
    Map<String, String> discovered = description.discovered();
    if (!discovered.isEmpty()) {
      json.put("discovered", new JsonObject(new LinkedHashMap<>(discovered)));
    }
    description
        .problem()
        .ifPresent(problem -> json.put("discoveryProblem", Problems.diagnosisJson(problem)));
    return json;
  }

  static JsonObject json(NamedCredential credential) {
    JsonObject json =
        new JsonObject()
            .put("name", credential.name())
            .put("url", credential.url().toString())
            .put("protocol", credential.protocol().wireName())
            .put("principal", credential.principal().wireName());
    credential.authentication().providerName().ifPresent(p -> json.put("provider", p));
    json.put("generateAuthorizationHeader", credential.generateAuthorizationHeader())
        .put("allowMergeFieldsInHeaders", credential.allowMergeFieldsInHeaders())
        .put("allowMergeFieldsInBody", credential.allowMergeFieldsInBody())
        .put(
            "allowedCallers", new JsonArray(credential.allowedCallers().stream().sorted().toList()))
        .put("keepAlive", credential.keepAlive())
        .put(
            "allowedMethods",
            new JsonArray(
                List.of(HeaderRules.allowHeader(credential.allowedMethods()).split(", "))));
    credential.testPath().ifPresent(p -> json.put("testPath", p));
    json.put(
        "allowedReturnUrls",
        new JsonArray(credential.allowedReturnUrls().stream().map(URI::toString).toList()));
    credential.applicationName().ifPresent(a -> json.put("applicationName", a));
    json.put("refreshOn", refreshRules(credential.refreshOn()));
    if (credential.protocol().usesTokens()) {
      json.put("tokenPlacement", tokenPlacementJson(credential.tokenPlacement()));
    }
    Authentication authentication = credential.authentication();
    if (authentication instanceof Authentication.Basic basic) {
      json.put("username", basic.username()).put("hasPassword", true);
    } else if (authentication instanceof Authentication.ApiKey apiKey) {
      json.put("apiKeyHeader", apiKey.headerName()).put("hasApiKey", true);
    } else if (authentication instanceof Authentication.JwtBearer jwt) {
      json.put("jwtIssuer", jwt.issuer()).put("hasJwtSigningKey", true);
      if (jwt.subject() != null) {
        json.put("jwtSubject", jwt.subject());
      }
      jwt.audience().ifPresent(a -> json.put("jwtAudience", a));
    } else if (authentication instanceof Authentication.AwsSigV4 aws) {
      awsJson(aws, json);
    } else if (authentication instanceof Authentication.TokenExchange exchange) {
      json.put("tokenExchange", tokenExchangeJson(exchange));
    }
    putTls(json, credential.tls());
    return json;
  }

  /** An {@code aws_sigv4} credential's fields; its secrets only as set. */
  private static void awsJson(Authentication.AwsSigV4 aws, JsonObject json) {
    json.put("awsAccessKeyId", aws.accessKeyId())
        .put("hasAwsSecretAccessKey", true)
        .put("hasAwsSessionToken", aws.sessionToken().isPresent())
        .put("awsRegion", aws.region())
        .put("awsService", aws.service());
    aws.role()
        .ifPresent(
            role -> {
              json.put("awsRoleArn", role.roleArn())
                  .put("awsRoleSessionName", role.sessionName())
                  .put("awsRoleDuration", role.duration().toString());
              role.externalId().ifPresent(id -> json.put("awsExternalId", id));
              role.stsEndpoint().ifPresent(e -> json.put("awsStsEndpoint", e.toString()));
            });
  }

  /** {@code refreshOn} as the API takes it, status codes and classes as text. */
  static JsonArray refreshRules(RefreshRules rules) {
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
              h ->
                  json.put(
                      "header",
                      new JsonObject().put("name", h.name()).put("pattern", h.pattern().regex())));
      array.add(json);
    }
    return array;
  }

  private static JsonObject tokenPlacementJson(TokenPlacement placement) {
    return placement.fold(
        bearer ->
            new JsonObject()
                .put("in", "header")
                .put("name", "Authorization")
                .put("prefix", "Bearer "),
        header ->
            new JsonObject()
                .put("in", "header")
                .put("name", header.name())
                .put("prefix", header.prefix()),
        query -> new JsonObject().put("in", "query").put("name", query.name()));
  }

  /**
   * The status contract: the state that holds now (predicted where Callgate knows more than the
   * record says), expiries, refresh times, whose grant it is at the provider, the streak of passing
   * failures, and diagnoses — a predicted one marked as such, with its time.
   */
  static JsonObject status(TokenStatus status) {
    TokenRecord record = status.record();
    Optional<TokenSet> tokens = record.tokens();
    JsonObject json =
        new JsonObject()
            .put("credential", status.credential().name())
            .put("state", status.state().name())
            .put("predicted", status.prediction().isPresent())
            .put("hasRefreshToken", tokens.map(TokenSet::hasRefreshToken).orElse(false));
    if (status.prediction().isPresent()) {
      json.put("recordedState", record.state().name());
    }
    if (!record.key().isNamedPrincipal()) {
      json.put("user", record.key().userSubject());
    }
    record
        .identity()
        .ifPresent(
            identity -> {
              JsonObject who = new JsonObject().put("sub", identity.subject());
              identity.preferredUsername().ifPresent(v -> who.put("preferredUsername", v));
              identity.email().ifPresent(v -> who.put("email", v));
              identity.sessionId().ifPresent(v -> who.put("session", v));
              json.put("identity", who);
            });
    putInstant(json, "accessTokenExpiresAt", tokens.map(TokenSet::expiresAt));
    putInstant(json, "refreshTokenExpiresAt", tokens.flatMap(TokenSet::refreshTokenExpiresAt));
    tokens
        .flatMap(TokenSet::refreshTokenExpiry)
        .ifPresent(e -> json.put("refreshTokenExpirySource", e.source().name().toLowerCase()));
    putInstant(json, "lastRefreshAt", record.lastRefreshAt());
    putInstant(json, "lastUsedAt", record.lastUsedAt());
    putInstant(json, "nextRefreshAt", record.nextRefreshAt());
    tokens.ifPresent(t -> json.put("scopes", new JsonArray(t.scope())));
    if (!record.failures().isEmpty()) {
      JsonObject failures = new JsonObject().put("count", record.failures().count());
      putInstant(failures, "firstAt", record.failures().firstAt());
      putInstant(failures, "lastAt", record.failures().lastAt());
      putInstant(failures, "nextAttemptAt", record.nextAttemptAt());
      json.put("failures", failures);
    }
    JsonArray diagnoses = new JsonArray();
    status
        .prediction()
        .ifPresent(
            p ->
                diagnoses.add(
                    Problems.diagnosisJson(p.diagnosis())
                        .put("predicted", true)
                        .put("at", p.since().toString())));
    record.diagnoses().forEach(d -> diagnoses.add(Problems.diagnosisJson(d)));
    json.put("diagnoses", diagnoses);
    status
        .deviceAuthorization()
        .ifPresent(device -> json.put("deviceAuthorization", deviceAuthorization(device)));
    return json;
  }

  /** A device authorization as its start answers it and a status shows it pending. */
  static JsonObject deviceAuthorization(DeviceVerification device) {
    JsonObject json =
        new JsonObject()
            .put("flow", "device")
            .put("userCode", device.userCode())
            .put("verificationUri", device.verificationUri().toString());
    device
        .verificationUriComplete()
        .ifPresent(v -> json.put("verificationUriComplete", v.toString()));
    return json.put("expiresAt", device.expiresAt().toString())
        .put("interval", device.interval().toSeconds());
  }

  private static void putInstant(JsonObject json, String field, Optional<Instant> value) {
    json.put(field, value.map(Instant::toString).orElse(null));
  }

  /**
   * TLS settings as the API shows them: the certificates (public), whether the key is set, and the
   * client certificate's subject and validity window, so that an expiring one is seen.
   */
  private static void putTls(JsonObject json, TlsSettings tls) {
    tls.clientCertificate()
        .ifPresent(
            pem -> {
              json.put("tlsClientCertificate", pem).put("hasTlsClientKey", true);
              List<X509Certificate> chain =
                  TlsSettingsDraft.certificates("tlsClientCertificate", pem, new ArrayList<>());
              if (!chain.isEmpty()) {
                json.put(
                    "tlsClientCertificateValidity",
                    new JsonObject()
                        .put("subject", chain.get(0).getSubjectX500Principal().getName())
                        .put("notBefore", chain.get(0).getNotBefore().toInstant().toString())
                        .put("notAfter", chain.get(0).getNotAfter().toInstant().toString()));
              }
            });
    tls.trustedCertificates().ifPresent(pem -> json.put("tlsTrustedCertificates", pem));
  }
}
