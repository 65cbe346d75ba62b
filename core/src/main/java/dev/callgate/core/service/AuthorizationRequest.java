package dev.callgate.core.service;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The parameters of an authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3) and the
 * provider-specific additions that make a refresh token likely: {@code prompt=consent} with {@code
 * offline_access} (OpenID Connect Core §11: the scope is honoured only with consent), and Google's
 * {@code access_type=offline}; then the parameters the provider's template adds (in sorted order),
 * and the provider's own token-request parameters where the request has none of that name.
 */
record AuthorizationRequest(
    URI authorizationEndpoint,
    String clientId,
    URI redirectUri,
    List<String> scopes,
    String state,
    String codeChallenge,
    Optional<String> issuer,
    Map<String, String> authorizationParameters,
    Map<String, String> tokenRequestParameters) {

  /** The parameters of the protocol itself, which no template's parameters replace. */
  static final Set<String> PROTOCOL_PARAMETERS =
      Set.of(
          "response_type",
          "client_id",
          "redirect_uri",
          "scope",
          "state",
          "code_challenge",
          "code_challenge_method");

  static final String GOOGLE_ISSUER_HOST = "accounts.google.com";

  URI toUri() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", clientId);
    query.put("redirect_uri", redirectUri.toString());
    if (!scopes.isEmpty()) {
      query.put("scope", String.join(" ", scopes));
    }
    query.put("state", state);
    query.put("code_challenge", codeChallenge);
    query.put("code_challenge_method", "S256");
    if (isGoogle()) {
      query.put("access_type", "offline");
      query.put("prompt", "consent");
    } else if (scopes.contains("offline_access")) {
      query.put("prompt", "consent");
    }
    new TreeMap<>(authorizationParameters)
        .forEach(
            (name, value) -> {
              if (!PROTOCOL_PARAMETERS.contains(name)) {
                query.put(name, value);
              }
            });
    // the grant a code stands for is decided here: a resource (RFC 8707 §2.1) or an audience the
    // token requests name must be asked for now, and never replaces the request's own parameters
    tokenRequestParameters.forEach(query::putIfAbsent);
    StringBuilder uri = new StringBuilder(authorizationEndpoint.toString());
    char separator = authorizationEndpoint.getRawQuery() == null ? '?' : '&';
    for (Map.Entry<String, String> parameter : query.entrySet()) {
      uri.append(separator)
          .append(parameter.getKey())
          .append('=')
          .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
      separator = '&';
    }
    return URI.create(uri.toString());
  }

  boolean isGoogle() {
    return issuer.map(URI::create).map(URI::getHost).filter(GOOGLE_ISSUER_HOST::equals).isPresent();
  }
}
