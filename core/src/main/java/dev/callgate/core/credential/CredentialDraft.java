package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.SECRET_MISSING;
import static dev.callgate.core.diagnosis.DiagnosisCode.UNKNOWN_PROTOCOL;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.RefreshRuleDraft;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named credential as a person wrote it (the API's fields, unchecked; absent fields are {@code
 * null}). {@link #validate()} applies the defaults (principal {@code named}, header generation and
 * keep-alive on, merge fields off, API-key header {@code X-API-Key}, the methods of {@link
 * HeaderRules#DEFAULT_ALLOWED_METHODS}, the access token as {@code Authorization: Bearer}) and
 * returns the {@link NamedCredential} or every problem found; {@code refreshOn} rules are checked
 * by {@link RefreshRuleDraft}, an {@code aws_sigv4} credential's fields by {@link AwsSigV4Draft},
 * {@code tokenExchange} settings by {@link TokenExchangeDraft}. Whether the named provider exists
 * is the service's question, not the draft's.
 */
public record CredentialDraft(
    String name,
    String url,
    String protocol,
    String principal,
    String provider,
    Boolean generateAuthorizationHeader,
    Boolean allowMergeFieldsInHeaders,
    Boolean allowMergeFieldsInBody,
    List<String> allowedCallers,
    Boolean keepAlive,
    String testPath,
    String username,
    String password,
    String apiKeyHeader,
    String apiKey,
    String jwtIssuer,
    String jwtSubject,
    String jwtAudience,
    String jwtSigningKey,
    List<String> allowedMethods,
    List<String> allowedReturnUrls,
    String applicationName,
    List<RefreshRuleDraft> refreshOn,
    TokenPlacementDraft tokenPlacement,
    AwsSigV4Draft aws,
    TokenExchangeDraft tokenExchange,
    String tlsClientCertificate,
    String tlsClientKey,
    String tlsTrustedCertificates) {

  public static final String DEFAULT_API_KEY_HEADER = "X-API-Key";

  /** How long an application name may be: a line on the connect page, not a paragraph. */
  public static final int MAX_APPLICATION_NAME = 100;

  /**
   * A draft that leaves {@code allowedMethods}, return URLs and the application name to their
   * defaults.
   */
  public CredentialDraft(
      String name,
      String url,
      String protocol,
      String principal,
      String provider,
      Boolean generateAuthorizationHeader,
      Boolean allowMergeFieldsInHeaders,
      Boolean allowMergeFieldsInBody,
      List<String> allowedCallers,
      Boolean keepAlive,
      String testPath,
      String username,
      String password,
      String apiKeyHeader,
      String apiKey,
      String jwtIssuer,
      String jwtSubject,
      String jwtAudience,
      String jwtSigningKey) {
    this(
        name,
        url,
        protocol,
        principal,
        provider,
        generateAuthorizationHeader,
        allowMergeFieldsInHeaders,
        allowMergeFieldsInBody,
        allowedCallers,
        keepAlive,
        testPath,
        username,
        password,
        apiKeyHeader,
        apiKey,
        jwtIssuer,
        jwtSubject,
        jwtAudience,
        jwtSigningKey,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** A draft that sends an OAuth credential's access token as {@code Authorization: Bearer}. */
  public CredentialDraft(
      String name,
      String url,
      String protocol,
      String principal,
      String provider,
      Boolean generateAuthorizationHeader,
      Boolean allowMergeFieldsInHeaders,
      Boolean allowMergeFieldsInBody,
      List<String> allowedCallers,
      Boolean keepAlive,
      String testPath,
      String username,
      String password,
      String apiKeyHeader,
      String apiKey,
      String jwtIssuer,
      String jwtSubject,
      String jwtAudience,
      String jwtSigningKey,
      List<String> allowedMethods,
      List<String> allowedReturnUrls,
      String applicationName) {
    this(
        name,
        url,
        protocol,
        principal,
        provider,
        generateAuthorizationHeader,
        allowMergeFieldsInHeaders,
        allowMergeFieldsInBody,
        allowedCallers,
        keepAlive,
        testPath,
        username,
        password,
        apiKeyHeader,
        apiKey,
        jwtIssuer,
        jwtSubject,
        jwtAudience,
        jwtSigningKey,
        allowedMethods,
        allowedReturnUrls,
        applicationName,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** RFC 9110 §5.6.2 token: what a header name may be. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public Validated<NamedCredential> validate() {
    List<Diagnosis> problems = new ArrayList<>();
    Checks.name("name", name, problems);
    Optional<URI> uri = Checks.httpUrl("url", url, problems);
    Optional<Protocol> parsedProtocol = Optional.empty();
    if (protocol == null) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", "protocol", "problem", "it is missing"));
    } else {
      parsedProtocol = Protocol.fromWireName(protocol);
      if (parsedProtocol.isEmpty()) {
        problems.add(
            Diagnosis.of(
                UNKNOWN_PROTOCOL,
                "value",
                protocol,
                "known",
                String.join(", ", Protocol.wireNames())));
      }
    }
    PrincipalType principalType = PrincipalType.NAMED;
    if (principal != null) {
      Optional<PrincipalType> parsed = PrincipalType.fromWireName(principal);
      if (parsed.isEmpty()) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "principal",
                "problem",
                "'" + principal + "' is not named or per_user"));
      } else {
        principalType = parsed.get();
      }
    }
    Optional<Authentication> authentication = Optional.empty();
    if (parsedProtocol.isPresent()) {
      authentication = authentication(parsedProtocol.get(), principalType, problems);
    }
    Set<String> callers = new LinkedHashSet<>();
    for (String caller : allowedCallers == null ? List.<String>of() : allowedCallers) {
      Optional<String> malformed = SubjectRule.problem(caller);
      if (malformed.isPresent()) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "allowedCallers",
                "problem",
                "a subject is not a subject: " + malformed.get()));
      } else {
        callers.add(caller);
      }
    }
    Set<String> methods = new LinkedHashSet<>();
    if (allowedMethods == null) {
      methods.addAll(HeaderRules.DEFAULT_ALLOWED_METHODS);
    } else {
      problems.addAll(HeaderRules.checkAllowedMethods(allowedMethods, methods));
    }
    if (testPath != null && (testPath.isBlank() || testPath.chars().anyMatch(c -> c < 0x20))) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "testPath",
              "problem",
              "it is blank or has control characters"));
    }
    List<URI> returnUrls = returnUrls(problems);
    if (applicationName != null
        && (applicationName.isBlank()
            || applicationName.length() > MAX_APPLICATION_NAME
            || applicationName.chars().anyMatch(Character::isISOControl))) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "applicationName",
              "problem",
              "it must be 1 to "
                  + MAX_APPLICATION_NAME
                  + " characters without control characters"));
    }
    RefreshRules rules = RefreshRuleDraft.validateAll(refreshOn, problems);
    if (refreshOn != null
        && !refreshOn.isEmpty()
        && parsedProtocol.filter(p -> !p.usesTokens()).isPresent()) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "refreshOn",
              "problem",
              "it needs a protocol with tokens to refresh, not "
                  + parsedProtocol.get().wireName()));
    }
    Optional<TokenPlacement> placement = Optional.of(TokenPlacement.BEARER);
    if (tokenPlacement != null) {
      placement = tokenPlacement.validate(problems);
      if (parsedProtocol.isPresent() && !parsedProtocol.get().usesTokens()) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "tokenPlacement",
                "problem",
                "it places an access token, which " + protocol + " does not have"));
      }
    }
    TlsSettings tls =
        new TlsSettingsDraft(tlsClientCertificate, tlsClientKey, tlsTrustedCertificates)
            .validate(problems);
    if (!problems.isEmpty()) {
      return Validated.invalid(problems);
    }
    return Validated.valid(
        new NamedCredential(
            name,
            uri.orElseThrow(),
            authentication.orElseThrow(),
            principalType,
            orDefault(generateAuthorizationHeader, true),
            orDefault(allowMergeFieldsInHeaders, false),
            orDefault(allowMergeFieldsInBody, false),
            callers,
            orDefault(keepAlive, true),
            Optional.ofNullable(testPath),
            methods,
            returnUrls,
            Optional.ofNullable(applicationName),
            rules,
            placement.orElseThrow(),
            tls));
  }

  private List<URI> returnUrls(List<Diagnosis> problems) {
    List<String> listed = allowedReturnUrls == null ? List.of() : allowedReturnUrls;
    if (listed.size() > ReturnUrlRule.MAX_ENTRIES) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "allowedReturnUrls",
              "problem",
              "it lists more than " + ReturnUrlRule.MAX_ENTRIES + " URLs"));
      return List.of();
    }
    List<URI> urls = new ArrayList<>();
    for (String entry : listed) {
      Optional<URI> url = Checks.httpUrl("allowedReturnUrls", entry, problems);
      Optional<String> problem = url.flatMap(ReturnUrlRule::entryProblem);
      if (problem.isPresent()) {
        problems.add(
            Diagnosis.of(INVALID_VALUE, "field", "allowedReturnUrls", "problem", problem.get()));
      } else {
        url.filter(u -> !urls.contains(u)).ifPresent(urls::add);
      }
    }
    return urls;
  }

  private Optional<Authentication> authentication(
      Protocol protocol, PrincipalType principalType, List<Diagnosis> problems) {
    int before = problems.size();
    if (principalType == PrincipalType.PER_USER
        && protocol != Protocol.OAUTH2_AUTHORIZATION_CODE
        && protocol != Protocol.OAUTH2_JWT_BEARER) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "principal",
              "problem",
              "per_user needs oauth2_authorization_code or oauth2_jwt_bearer, not "
                  + protocol.wireName()));
    }
    if (protocol.usesTokens()) {
      if (provider == null) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "provider",
                "problem",
                "the name of an auth provider is required for " + protocol.wireName()));
      } else {
        Checks.name("provider", provider, problems);
      }
    }
    Authentication result =
        switch (protocol) {
          case OAUTH2_AUTHORIZATION_CODE -> new Authentication.AuthorizationCode(provider);
          case OAUTH2_CLIENT_CREDENTIALS -> new Authentication.ClientCredentials(provider);
          case OAUTH2_JWT_BEARER -> {
            required("jwtIssuer", jwtIssuer, problems);
            if (principalType == PrincipalType.NAMED) {
              required("jwtSubject", jwtSubject, problems);
            }
            secret("jwtSigningKey", jwtSigningKey, protocol, problems);
            yield new Authentication.JwtBearer(
                provider,
                jwtIssuer,
                jwtSubject,
                Optional.ofNullable(jwtAudience),
                Secret.of(String.valueOf(jwtSigningKey)));
          }
          case BASIC -> {
            required("username", username, problems);
            if (username != null && username.contains(":")) {
              problems.add(
                  Diagnosis.of(
                      INVALID_VALUE,
                      "field",
                      "username",
                      "problem",
                      "a Basic user name cannot contain ':' (RFC 7617)"));
            }
            secret("password", password, protocol, problems);
            yield new Authentication.Basic(username, Secret.of(String.valueOf(password)));
          }
          case API_KEY -> {
            String header = apiKeyHeader == null ? DEFAULT_API_KEY_HEADER : apiKeyHeader;
            if (!HEADER_NAME.matcher(header).matches()) {
              problems.add(
                  Diagnosis.of(
                      INVALID_VALUE,
                      "field",
                      "apiKeyHeader",
                      "problem",
                      "'" + header + "' is not a header name"));
            } else if (!HeaderRules.credentialMaySet(header)) {
              problems.add(
                  Diagnosis.of(
                      INVALID_VALUE,
                      "field",
                      "apiKeyHeader",
                      "problem",
                      "Callgate cannot send the key in '"
                          + header
                          + "' (a hop-by-hop, transport or Callgate header)"));
            }
            secret("apiKey", apiKey, protocol, problems);
            yield new Authentication.ApiKey(header, Secret.of(String.valueOf(apiKey)));
          }
          case NONE -> new Authentication.None();
          case AWS_SIGV4 -> {
            if (Boolean.FALSE.equals(generateAuthorizationHeader)) {
              problems.add(
                  Diagnosis.of(
                      INVALID_VALUE,
                      "field",
                      "generateAuthorizationHeader",
                      "problem",
                      "aws_sigv4 signs every callout, so it cannot be false"));
            }
            // when the fields have problems they are listed, and the result is not used
            yield (aws == null
                    ? new AwsSigV4Draft(null, null, null, null, null, null, null, null, null, null)
                    : aws)
                .validate(problems)
                .orElse(null);
          }
          case OAUTH2_TOKEN_EXCHANGE ->
              (tokenExchange == null ? TokenExchangeDraft.NONE : tokenExchange)
                  .validate(name, provider, problems)
                  .orElse(null);
        };
    if (tokenExchange != null && protocol != Protocol.OAUTH2_TOKEN_EXCHANGE) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "tokenExchange",
              "problem",
              "it is for oauth2_token_exchange, not " + protocol.wireName()));
    }
    return problems.size() == before ? Optional.of(result) : Optional.empty();
  }

  private static void required(String field, String value, List<Diagnosis> problems) {
    if (value == null || value.isBlank()) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", field, "problem", "it is missing"));
    }
  }

  private static void secret(
      String field, String value, Protocol protocol, List<Diagnosis> problems) {
    if (value == null || value.isBlank()) {
      problems.add(Diagnosis.of(SECRET_MISSING, "field", field, "protocol", protocol.wireName()));
    }
  }

  private static boolean orDefault(Boolean value, boolean fallback) {
    return value == null ? fallback : value;
  }
}
