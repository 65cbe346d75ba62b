package dev.callgate.core.service;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.token.TokenSet;
import java.util.Optional;
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

  /** Why the grant may live on at the provider after {@code outcome}; empty when it was revoked. */
  static Optional<String> whyItMayLiveOn(RevocationOutcome outcome) {
    return outcome.fold(
        revoked -> Optional.empty(),
        notSupported -> Optional.of("the identity provider has no revocation endpoint"),
        failed ->
            Optional.of("revoking it at the identity provider failed (" + failed.reason() + ")"));
  }

  /**
   * {@code GRANT_MAY_LIVE_ON}: the grant of {@code principal} was not revoked, for {@code reason}.
   */
  static Diagnosis mayLiveOn(String principal, String reason) {
    return Diagnosis.of(DiagnosisCode.GRANT_MAY_LIVE_ON, "principal", principal, "reason", reason);
  }
}
