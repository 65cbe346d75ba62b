package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one identity provider product needs from a provider definition, as data: the endpoints or
 * issuer as patterns over named {@link Parameter}s (Okta's {@code
 * https://{domain}/oauth2/default}), the scopes that include the one it needs for a refresh token,
 * extra authorization-request parameters (Google's {@code access_type=offline}), how the client
 * authenticates, and the token lifetimes it does not report. {@link #fill} expands it into the
 * fields a person left empty.
 */
public record ProviderTemplate(
    String name,
    String displayName,
    List<Parameter> parameters,
    Optional<String> issuer,
    Optional<String> authorizationEndpoint,
    Optional<String> tokenEndpoint,
    Optional<String> revocationEndpoint,
    List<String> scopes,
    Map<String, String> authorizationParameters,
    Optional<ClientAuthMethod> clientAuthMethod,
    Optional<Duration> accessTokenLifetime,
    Optional<Duration> refreshTokenLifetime,
    String notes) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

  public ProviderTemplate {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(notes, "notes");
    parameters = List.copyOf(parameters);
    scopes = List.copyOf(scopes);
    authorizationParameters = Map.copyOf(authorizationParameters);
    if (issuer.isEmpty() && tokenEndpoint.isEmpty()) {
      throw new IllegalArgumentException(name + " needs an issuer or a token endpoint");
    }
    List<String> declared = parameters.stream().map(Parameter::name).toList();
    for (Optional<String> pattern :
        List.of(issuer, authorizationEndpoint, tokenEndpoint, revocationEndpoint)) {
      pattern.ifPresent(
          p -> {
            Matcher m = PLACEHOLDER.matcher(p);
            while (m.find()) {
              if (!declared.contains(m.group(1))) {
                throw new IllegalArgumentException(name + " uses undeclared {" + m.group(1) + "}");
              }
            }
          });
    }
  }

  /** What kind of value a parameter takes, and so how it is checked before it goes into a URL. */
  public enum ParameterKind {
    /** A host name, with an optional port: {@code dev-123.okta.com}. */
    HOST("a host name such as login.example.com (no scheme, no path)"),
    /** An http(s) URL without query or fragment; a trailing slash is dropped. */
    URL("an http(s) URL such as https://sso.example.com (no query or fragment)"),
    /** One URL path segment: letters, digits, '.', '_', '~' or '-'. */
    PATH_SEGMENT("one path segment: letters, digits, '.', '_', '~' or '-'");

    private static final Pattern HOST_NAME =
        Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

    private final String rule;

    ParameterKind(String rule) {
      this.rule = rule;
    }

    public String rule() {
      return rule;
    }

    /** The value as it goes into a pattern, or empty when it breaks the rule. */
    Optional<String> normalise(String value) {
      return switch (this) {
        case HOST -> HOST_NAME.matcher(value).matches() ? Optional.of(value) : Optional.empty();
        case PATH_SEGMENT ->
            SEGMENT.matcher(value).matches() && !value.equals(".") && !value.equals("..")
                ? Optional.of(value)
                : Optional.empty();
        case URL -> url(value);
      };
    }

    private static Optional<String> url(String value) {
      try {
        URI uri = new URI(value);
        boolean http =
            "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        if (!http
            || uri.getHost() == null
            || uri.getRawQuery() != null
            || uri.getRawFragment() != null
            || uri.getRawUserInfo() != null) {
          return Optional.empty();
        }
        return Optional.of(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
      } catch (URISyntaxException e) {
        return Optional.empty();
      }
    }
  }

  /** A named value a template's patterns refer to as {@code {name}}. */
  public record Parameter(String name, ParameterKind kind, String description, String example) {
    public Parameter {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(example, "example");
    }
  }

  /** A template as one provider uses it: the template and the parameter values given to it. */
  public record Use(ProviderTemplate template, Map<String, String> parameters) {
    public Use {
      Objects.requireNonNull(template, "template");
      parameters = Map.copyOf(parameters);
    }
  }

  /**
   * {@code draft} with every field it leaves empty taken from this template, its patterns expanded
   * with {@code values}; the problems of the values (missing, unknown, breaking their kind's rule)
   * go to {@code problems}, and then nothing is filled.
   */
  AuthProviderDraft fill(
      AuthProviderDraft draft, Map<String, String> values, List<Diagnosis> problems) {
    Map<String, String> given = values == null ? Map.of() : values;
    Map<String, String> expanded = new LinkedHashMap<>();
    List<Diagnosis> found = new ArrayList<>();
    for (Parameter parameter : parameters) {
      String field = "templateParameters." + parameter.name();
      String value = given.get(parameter.name());
      if (value == null || value.isBlank()) {
        found.add(
            invalid(
                field,
                "template '"
                    + name
                    + "' needs it: "
                    + parameter.description()
                    + ", e.g. "
                    + parameter.example()));
        continue;
      }
      Optional<String> normalised = parameter.kind().normalise(value);
      if (normalised.isEmpty()) {
        found.add(
            invalid(
                field,
                "'"
                    + value
                    + "' is not "
                    + parameter.kind().rule()
                    + ", e.g. "
                    + parameter.example()));
      } else {
        expanded.put(parameter.name(), normalised.get());
      }
    }
    for (String key : given.keySet()) {
      if (parameters.stream().noneMatch(p -> p.name().equals(key))) {
        found.add(
            invalid(
                "templateParameters." + key,
                "template '"
                    + name
                    + "' takes "
                    + (parameters.isEmpty()
                        ? "no parameters"
                        : "only "
                            + String.join(
                                ", ", parameters.stream().map(Parameter::name).toList()))));
      }
    }
    if (!found.isEmpty()) {
      problems.addAll(found);
      return draft;
    }
    return new AuthProviderDraft(
        draft.name(),
        or(draft.issuer(), issuer, expanded),
        or(draft.authorizationEndpoint(), authorizationEndpoint, expanded),
        or(draft.tokenEndpoint(), tokenEndpoint, expanded),
        or(draft.revocationEndpoint(), revocationEndpoint, expanded),
        draft.clientId(),
        draft.clientSecret(),
        draft.clientAuthMethod() != null
            ? draft.clientAuthMethod()
            : clientAuthMethod.map(ClientAuthMethod::wireName).orElse(null),
        draft.scopes() != null ? draft.scopes() : scopes,
        draft.refreshTokenLifetime() != null
            ? draft.refreshTokenLifetime()
            : refreshTokenLifetime.map(Duration::toString).orElse(null),
        draft.tokenRequestParameters(),
        draft.template(),
        draft.templateParameters(),
        draft.accessTokenLifetime() != null
            ? draft.accessTokenLifetime()
            : accessTokenLifetime.map(Duration::toString).orElse(null),
        draft.clientPrivateKey(),
        draft.clientKeyId(),
        draft.clientAssertionAlgorithm(),
        draft.tlsClientCertificate(),
        draft.tlsClientKey(),
        draft.tlsTrustedCertificates(),
        draft.deviceAuthorizationEndpoint());
  }

  private static Diagnosis invalid(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem);
  }

  /** {@code pattern} with each {@code {name}} replaced by its value. */
  private static String expand(String pattern, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(pattern);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String or(String explicit, Optional<String> pattern, Map<String, String> values) {
    if (explicit != null) {
      return explicit;
    }
    return pattern.map(p -> expand(p, values)).orElse(null);
  }
}
