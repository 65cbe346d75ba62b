package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_URL;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.SECRET_MISSING;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An auth provider as a person wrote it (the API's fields, unchecked). {@link #validate()} turns it
 * into an {@link AuthProvider} or lists every problem. Absent optional fields are {@code null}.
 */
public record AuthProviderDraft(
    String name,
    String issuer,
    String authorizationEndpoint,
    String tokenEndpoint,
    String revocationEndpoint,
    String clientId,
    String clientSecret,
    String clientAuthMethod,
    List<String> scopes,
    String refreshTokenLifetime,
    Map<String, String> tokenRequestParameters,
    String template,
    Map<String, String> templateParameters,
    String accessTokenLifetime,
    String clientPrivateKey,
    String clientKeyId,
    String clientAssertionAlgorithm,
    String tlsClientCertificate,
    String tlsClientKey,
    String tlsTrustedCertificates,
    String deviceAuthorizationEndpoint) {

  /**
   * The parameters of the token requests Callgate makes itself (RFC 6749 §4.1.3, §4.4.2, §6, RFC
   * 7521 §4.2 and 7523, RFC 7636 §4.5): a provider's own parameters never replace them.
   */
  public static final Set<String> PROTOCOL_PARAMETERS =
      Set.of(
          "grant_type",
          "code",
          "redirect_uri",
          "code_verifier",
          "refresh_token",
          "scope",
          "client_id",
          "client_secret",
          "client_assertion",
          "client_assertion_type",
          "assertion",
          "username",
          "password",
          "token",
          "token_type_hint");

  /** How many parameters of its own a provider may send: a few, not a second form. */
  public static final int MAX_TOKEN_REQUEST_PARAMETERS = 20;

  /** The HMAC algorithms of a {@code client_secret_jwt} assertion (RFC 7518 §3.2). */
  static final List<String> SECRET_JWT_ALGORITHMS = List.of("HS256", "HS384", "HS512");

  /**
   * A draft that adds no parameters of its own to token requests, names no template, assumes no
   * access-token lifetime, and authenticates with a secret or none.
   */
  public AuthProviderDraft(
      String name,
      String issuer,
      String authorizationEndpoint,
      String tokenEndpoint,
      String revocationEndpoint,
      String clientId,
      String clientSecret,
      String clientAuthMethod,
      List<String> scopes,
      String refreshTokenLifetime) {
    this(
        name,
        issuer,
        authorizationEndpoint,
        tokenEndpoint,
        revocationEndpoint,
        clientId,
        clientSecret,
        clientAuthMethod,
        scopes,
        refreshTokenLifetime,
        null,
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

  /** Validates with endpoints that must be https, or http to loopback. */
  public Validated<AuthProvider> validate() {
    return validate(ProviderEndpointRule.httpsOrLoopback());
  }

  /**
   * Validates with {@code endpoints} deciding which URLs a provider may have; a private key is not
   * read (see {@link #validate(ProviderEndpointRule, ClientKeyRule)}).
   */
  public Validated<AuthProvider> validate(ProviderEndpointRule endpoints) {
    return validate(endpoints, ClientKeyRule.unchecked());
  }

  /**
   * Validates with {@code endpoints} deciding which URLs a provider may have and {@code keys}
   * whether a {@code clientPrivateKey} can sign.
   */
  public Validated<AuthProvider> validate(ProviderEndpointRule endpoints, ClientKeyRule keys) {
    List<Diagnosis> problems = new ArrayList<>();
    if (template == null) {
      if (templateParameters != null && !templateParameters.isEmpty()) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "templateParameters",
                "problem",
                "they need a template: use one of " + ProviderTemplates.names()));
      }
      return validateExpanded(endpoints, keys, problems, Optional.empty());
    }
    Optional<ProviderTemplate> named = ProviderTemplates.named(template);
    if (named.isEmpty()) {
      // only the template is wrong: what it would have filled is not missing as well
      return Validated.invalid(
          List.of(
              Diagnosis.of(
                  INVALID_VALUE,
                  "field",
                  "template",
                  "problem",
                  "'"
                      + template
                      + "' is not a template: use one of "
                      + ProviderTemplates.names())));
    }
    AuthProviderDraft filled = named.get().fill(this, templateParameters, problems);
    if (!problems.isEmpty()) {
      return Validated.invalid(problems);
    }
    Map<String, String> given = templateParameters == null ? Map.of() : templateParameters;
    return filled.validateExpanded(
        endpoints, keys, problems, Optional.of(new ProviderTemplate.Use(named.get(), given)));
  }

  private Validated<AuthProvider> validateExpanded(
      ProviderEndpointRule endpoints,
      ClientKeyRule keys,
      List<Diagnosis> problems,
      Optional<ProviderTemplate.Use> use) {
    Checks.name("name", name, problems);
    Optional<URI> issuerUri = optionalUrl("issuer", issuer, endpoints, problems);
    Optional<URI> authorizationUri =
        optionalUrl("authorizationEndpoint", authorizationEndpoint, endpoints, problems);
    Optional<URI> tokenUri = optionalUrl("tokenEndpoint", tokenEndpoint, endpoints, problems);
    Optional<URI> revocationUri =
        optionalUrl("revocationEndpoint", revocationEndpoint, endpoints, problems);
    Optional<URI> deviceAuthorizationUri =
        optionalUrl(
            "deviceAuthorizationEndpoint", deviceAuthorizationEndpoint, endpoints, problems);
    if (issuer == null && tokenEndpoint == null) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "issuer",
              "problem",
              "give an issuer (for OpenID Connect discovery) or an explicit tokenEndpoint"));
    }
    if (clientId == null || clientId.isBlank()) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", "clientId", "problem", "it is missing"));
    }
    ClientAuthMethod method = ClientAuthMethod.CLIENT_SECRET_BASIC;
    if (clientAuthMethod != null) {
      Optional<ClientAuthMethod> parsed = ClientAuthMethod.fromWireName(clientAuthMethod);
      if (parsed.isEmpty()) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "clientAuthMethod",
                "problem",
                "'"
                    + clientAuthMethod
                    + "' is not client_secret_basic, client_secret_post, client_secret_jwt,"
                    + " private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none"));
      } else {
        method = parsed.get();
      }
    }
    boolean secretGiven = clientSecret != null && !clientSecret.isBlank();
    boolean keyGiven = clientPrivateKey != null && !clientPrivateKey.isBlank();
    Optional<String> algorithm = Optional.ofNullable(clientAssertionAlgorithm);
    switch (method) {
      case CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, CLIENT_SECRET_JWT -> {
        if (!secretGiven) {
          problems.add(
              Diagnosis.of(SECRET_MISSING, "field", "clientSecret", "protocol", method.wireName()));
        }
      }
      case PRIVATE_KEY_JWT -> {
        if (!keyGiven) {
          problems.add(
              Diagnosis.of(
                  SECRET_MISSING, "field", "clientPrivateKey", "protocol", method.wireName()));
        } else {
          keys.problem(Secret.of(clientPrivateKey), algorithm)
              .ifPresent(
                  problem ->
                      problems.add(
                          Diagnosis.of(
                              INVALID_VALUE, "field", "clientPrivateKey", "problem", problem)));
        }
      }
      case NONE -> {}
      case TLS_CLIENT_AUTH, SELF_SIGNED_TLS_CLIENT_AUTH -> {
        if (tlsClientCertificate == null && tlsClientKey == null) {
          problems.add(
              Diagnosis.of(
                  INVALID_VALUE,
                  "field",
                  "tlsClientCertificate",
                  "problem",
                  method.wireName() + " needs tlsClientCertificate and tlsClientKey"));
        }
      }
    }
    TlsSettings tls =
        new TlsSettingsDraft(tlsClientCertificate, tlsClientKey, tlsTrustedCertificates)
            .validate(problems);
    if (keyGiven && method != ClientAuthMethod.PRIVATE_KEY_JWT) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "clientPrivateKey",
              "problem",
              "it is used only with clientAuthMethod private_key_jwt"));
    }
    if (clientKeyId != null
        && (clientKeyId.isBlank() || method != ClientAuthMethod.PRIVATE_KEY_JWT)) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "clientKeyId",
              "problem",
              "it names the key of private_key_jwt assertions, and must not be blank"));
    }
    if (method == ClientAuthMethod.CLIENT_SECRET_JWT && secretGiven) {
      int bytes = clientSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      int needed = hmacKeyBytes(algorithm.orElse("HS256"));
      if (bytes < needed) {
        // RFC 7518 §3.2: an HMAC key at least as long as the hash
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "clientSecret",
                "problem",
                "client_secret_jwt signs "
                    + algorithm.orElse("HS256")
                    + " with it, which needs at least "
                    + needed
                    + " bytes; it has "
                    + bytes));
      }
    }
    if (clientAssertionAlgorithm != null) {
      if (method == ClientAuthMethod.CLIENT_SECRET_JWT
          && !SECRET_JWT_ALGORITHMS.contains(clientAssertionAlgorithm)) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "clientAssertionAlgorithm",
                "problem",
                "'"
                    + clientAssertionAlgorithm
                    + "' is not one of "
                    + String.join(", ", SECRET_JWT_ALGORITHMS)
                    + " (client_secret_jwt signs with the client secret)"));
      } else if (method != ClientAuthMethod.CLIENT_SECRET_JWT
          && method != ClientAuthMethod.PRIVATE_KEY_JWT) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "clientAssertionAlgorithm",
                "problem",
                "it is used only with clientAuthMethod private_key_jwt or client_secret_jwt"));
      }
    }
    List<String> scopeList = scopes == null ? List.of() : scopes;
    for (String scope : scopeList) {
      // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
      if (scope == null || !scope.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "scopes",
                "problem",
                "'" + scope + "' is not a scope token (RFC 6749 §3.3: no spaces or quotes)"));
      }
    }
    Optional<Duration> lifetime =
        positiveDuration("refreshTokenLifetime", refreshTokenLifetime, "P1D or PT24H", problems);
    Optional<Duration> accessLifetime =
        positiveDuration("accessTokenLifetime", accessTokenLifetime, "PT1H or P1D", problems);
    Map<String, String> parameters =
        tokenRequestParameters == null ? Map.of() : tokenRequestParameters;
    checkTokenRequestParameters(parameters, problems);
    if (!problems.isEmpty()) {
      return Validated.invalid(problems);
    }
    return Validated.valid(
        new AuthProvider(
            name,
            issuerUri,
            authorizationUri,
            tokenUri,
            revocationUri,
            clientId,
            secretGiven ? Optional.of(Secret.of(clientSecret)) : Optional.empty(),
            method,
            scopeList,
            lifetime,
            parameters,
            accessLifetime,
            use,
            keyGiven ? Optional.of(Secret.of(clientPrivateKey)) : Optional.empty(),
            Optional.ofNullable(clientKeyId),
            algorithm,
            tls,
            deviceAuthorizationUri));
  }

  private static void checkTokenRequestParameters(
      Map<String, String> parameters, List<Diagnosis> problems) {
    if (parameters.size() > MAX_TOKEN_REQUEST_PARAMETERS) {
      problems.add(
          tokenRequestParameterProblem(
              "it lists more than " + MAX_TOKEN_REQUEST_PARAMETERS + " parameters"));
      return;
    }
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      String name = parameter.getKey();
      if (name == null || name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
        problems.add(tokenRequestParameterProblem("a parameter needs a name"));
      } else if (PROTOCOL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
        problems.add(
            tokenRequestParameterProblem(
                "'"
                    + name
                    + "' is a parameter of the protocol itself, which Callgate sets"
                    + (name.equals("scope") ? " (use scopes)" : "")));
      } else if (parameter.getValue() == null
          || parameter.getValue().chars().anyMatch(Character::isISOControl)) {
        problems.add(
            tokenRequestParameterProblem(
                "the value of '" + name + "' is missing or has control characters"));
      }
    }
  }

  private static Diagnosis tokenRequestParameterProblem(String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", "tokenRequestParameters", "problem", problem);
  }

  private static Optional<Duration> positiveDuration(
      String field, String value, String examples, List<Diagnosis> problems) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      Duration parsed = Duration.parse(value);
      if (!parsed.isNegative() && !parsed.isZero()) {
        return Optional.of(parsed);
      }
    } catch (DateTimeParseException e) {
      // reported below, as a value that is not positive is
    }
    problems.add(
        Diagnosis.of(
            INVALID_VALUE,
            "field",
            field,
            "problem",
            "'" + value + "' is not a positive ISO-8601 duration such as " + examples));
    return Optional.empty();
  }

  private static int hmacKeyBytes(String algorithm) {
    return switch (algorithm) {
      case "HS384" -> 48;
      case "HS512" -> 64;
      default -> 32;
    };
  }

  private static Optional<URI> optionalUrl(
      String field, String value, ProviderEndpointRule endpoints, List<Diagnosis> problems) {
    if (value == null) {
      return Optional.empty();
    }
    Optional<URI> uri = Checks.httpUrl(field, value, problems);
    Optional<String> violation = uri.flatMap(endpoints::violation);
    if (violation.isPresent()) {
      problems.add(
          Diagnosis.of(INVALID_URL, "field", field, "value", value, "reason", violation.get()));
      return Optional.empty();
    }
    return uri;
  }
}
