package dev.callgate.core.port;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One token exchange request (RFC 8693 §2.1): the subject token and its type, the audiences and
 * resources (RFC 8707) the issued token is for, the token type asked for (the provider's choice
 * when empty) and the scopes.
 */
public record TokenExchangeRequest(
    Secret subjectToken,
    String subjectTokenType,
    List<String> audience,
    List<URI> resource,
    Optional<String> requestedTokenType,
    List<String> scopes) {

  public TokenExchangeRequest {
    Objects.requireNonNull(subjectToken, "subjectToken");
    Objects.requireNonNull(subjectTokenType, "subjectTokenType");
    audience = List.copyOf(audience);
    resource = List.copyOf(resource);
    Objects.requireNonNull(requestedTokenType, "requestedTokenType");
    scopes = List.copyOf(scopes);
  }

  /** The request a credential's settings make of {@code subjectToken}, for {@code scopes}. */
  public static TokenExchangeRequest of(
      Authentication.TokenExchange settings, Secret subjectToken, List<String> scopes) {
    return new TokenExchangeRequest(
        subjectToken,
        settings.subjectTokenType(),
        settings.audience(),
        settings.resource(),
        settings.requestedTokenType(),
        scopes);
  }
}
