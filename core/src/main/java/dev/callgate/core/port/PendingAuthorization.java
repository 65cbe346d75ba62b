package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An authorization flow between its start and the IdP's redirect back: the hash of the one-time
 * {@code state} that binds the callback to it, the PKCE {@code codeVerifier}, the redirect URI and
 * scopes sent, for which token, until when the callback is accepted, the hash of the secret that
 * binds it to the browser that opened it (empty until one has), whether an admin allowed the grant
 * to pass to another account at the provider, and where the browser goes once the flow is done (a
 * return URL already checked against the credential's allow-list, or a console path).
 */
public record PendingAuthorization(
    FlowHash stateHash,
    TokenKey tokenKey,
    Secret codeVerifier,
    URI redirectUri,
    List<String> requestedScopes,
    Instant createdAt,
    Instant expiresAt,
    Optional<FlowHash> browserBinding,
    boolean identityChangeAllowed,
    Optional<URI> returnUrl) {

  public PendingAuthorization {
    Objects.requireNonNull(stateHash, "stateHash");
    Objects.requireNonNull(tokenKey, "tokenKey");
    Objects.requireNonNull(codeVerifier, "codeVerifier");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(browserBinding, "browserBinding");
    requestedScopes = List.copyOf(requestedScopes);
    Objects.requireNonNull(returnUrl, "returnUrl");
  }

  /** A flow that ends on Callgate's own result page. */
  public PendingAuthorization(
      FlowHash stateHash,
      TokenKey tokenKey,
      Secret codeVerifier,
      URI redirectUri,
      List<String> requestedScopes,
      Instant createdAt,
      Instant expiresAt,
      Optional<FlowHash> browserBinding,
      boolean identityChangeAllowed) {
    this(
        stateHash,
        tokenKey,
        codeVerifier,
        redirectUri,
        requestedScopes,
        createdAt,
        expiresAt,
        browserBinding,
        identityChangeAllowed,
        Optional.empty());
  }

  /** This flow, bound to the browser that holds the secret {@code binding} hashes. */
  public PendingAuthorization boundTo(FlowHash binding) {
    return new PendingAuthorization(
        stateHash,
        tokenKey,
        codeVerifier,
        redirectUri,
        requestedScopes,
        createdAt,
        expiresAt,
        Optional.of(binding),
        identityChangeAllowed,
        returnUrl);
  }
}
