package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An authorization flow between its start and the IdP's redirect back: the one-time {@code state}
 * that binds the callback to it, the PKCE {@code codeVerifier}, the redirect URI and scopes sent,
 * for which token, and until when the callback is accepted.
 */
public record PendingAuthorization(
    String state,
    TokenKey tokenKey,
    Secret codeVerifier,
    URI redirectUri,
    List<String> requestedScopes,
    Instant createdAt,
    Instant expiresAt) {

  public PendingAuthorization {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(tokenKey, "tokenKey");
    Objects.requireNonNull(codeVerifier, "codeVerifier");
    Objects.requireNonNull(redirectUri, "redirectUri");
    requestedScopes = List.copyOf(requestedScopes);
  }
}
