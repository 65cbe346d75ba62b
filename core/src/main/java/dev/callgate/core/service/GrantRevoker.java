package dev.callgate.core.service;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.token.TokenSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Revokes a grant at its identity provider (RFC 7009): the refresh token first, since revoking it
 * ends the grant and, at most providers, the access tokens issued from it; then the access token,
 * which a provider may keep honouring until it expires. The grant's outcome is the refresh token's
 * (or the access token's, where there is no refresh token).
 */
final class GrantRevoker {
  private final IdentityProvider identityProvider;

  GrantRevoker(IdentityProvider identityProvider) {
    this.identityProvider = identityProvider;
  }

  CompletionStage<RevocationOutcome> revoke(AuthProvider provider, TokenSet tokens) {
    if (tokens.refreshToken().isEmpty()) {
      return identityProvider.revoke(provider, tokens.accessToken(), "access_token");
    }
    return identityProvider
        .revoke(provider, tokens.refreshToken().get(), "refresh_token")
        .thenCompose(
            grant ->
                grant.fold(
                    // the grant's answer stands whatever the access token's is
                    revoked ->
                        identityProvider
                            .revoke(provider, tokens.accessToken(), "access_token")
                            .handle((ignored, failure) -> grant),
                    notSupported -> CompletableFuture.completedStage(grant),
                    failed -> CompletableFuture.completedStage(grant)));
  }
}
