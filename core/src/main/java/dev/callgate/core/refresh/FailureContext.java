package dev.callgate.core.refresh;

import dev.callgate.core.token.TokenSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts around a failed refresh that {@link RefreshPolicy#classify} needs to explain it: which
 * credential and client, the tokens that were being refreshed (for the refresh token's known expiry
 * and the granted scopes), when the refresh token was last used, the current time, and when the
 * next attempt will be made if the failure may pass.
 */
public record FailureContext(
    String credentialName,
    String clientId,
    Optional<TokenSet> tokens,
    Optional<Instant> refreshTokenLastUsedAt,
    Instant now,
    Instant nextAttemptAt) {

  public FailureContext {
    Objects.requireNonNull(credentialName, "credentialName");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(refreshTokenLastUsedAt, "refreshTokenLastUsedAt");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
  }
}
