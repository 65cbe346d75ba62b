package dev.callgate.core.refresh;

import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts around a failed refresh that {@link RefreshPolicy#classify} needs to explain it: which
 * credential and client, the tokens that were being refreshed (for the refresh token's known expiry
 * and the granted scopes), when the refresh token was last used, the current time, when the next
 * attempt will be made if the failure may pass, and an earlier refresh that never recorded its
 * result (whose lost answer may have rotated the refresh token).
 */
public record FailureContext(
    String credentialName,
    String clientId,
    Optional<TokenSet> tokens,
    Optional<Instant> refreshTokenLastUsedAt,
    Instant now,
    Instant nextAttemptAt,
    Optional<RefreshStart> unsettledRefresh) {

  public FailureContext {
    Objects.requireNonNull(credentialName, "credentialName");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(refreshTokenLastUsedAt, "refreshTokenLastUsedAt");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(unsettledRefresh, "unsettledRefresh");
  }

  /** The context of a refresh that no interrupted refresh preceded. */
  public FailureContext(
      String credentialName,
      String clientId,
      Optional<TokenSet> tokens,
      Optional<Instant> refreshTokenLastUsedAt,
      Instant now,
      Instant nextAttemptAt) {
    this(
        credentialName,
        clientId,
        tokens,
        refreshTokenLastUsedAt,
        now,
        nextAttemptAt,
        Optional.empty());
  }
}
