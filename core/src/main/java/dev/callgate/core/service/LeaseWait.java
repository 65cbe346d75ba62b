package dev.callgate.core.service;

import dev.callgate.core.port.Clock;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshGate;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Waiting for another instance that holds a token's refresh lease, rather than refreshing the same
 * token twice (with rotating refresh tokens, the second refresh would be refused as a reuse): the
 * store is read every poll interval until the holder's result shows — new tokens, a refusal, a
 * passing failure — or the lease has had time to expire, which means the holder vanished.
 */
final class LeaseWait {
  private final TokenStore tokens;
  private final Clock clock;
  private final Duration pollInterval;
  private final Duration leaseDuration;

  LeaseWait(TokenStore tokens, Clock clock, Duration pollInterval, Duration leaseDuration) {
    this.tokens = tokens;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.leaseDuration = leaseDuration;
  }

  /**
   * Waits from {@code since} for the holder's result on {@code before}; an empty result means the
   * holder's lease expired without one.
   */
  CompletionStage<Optional<RefreshOutcome>> await(TokenRecord before, Instant since) {
    return clock
        .delay(pollInterval)
        .thenCompose(ignored -> tokens.find(before.key()))
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(before.key()));
              Optional<RefreshOutcome> result = resultOf(before, latest);
              if (result.isPresent()) {
                return CompletableFuture.completedStage(result);
              }
              if (clock.now().isBefore(since.plus(leaseDuration))) {
                return await(before, since);
              }
              return CompletableFuture.completedStage(Optional.<RefreshOutcome>empty());
            });
  }

  private Optional<RefreshOutcome> resultOf(TokenRecord before, TokenRecord latest) {
    boolean newTokens =
        !latest
            .tokens()
            .map(TokenSet::accessToken)
            .equals(before.tokens().map(TokenSet::accessToken));
    if (newTokens && latest.state().allowsRefresh()) {
      return Optional.of(new RefreshOutcome.Refreshed(latest, false));
    }
    if (!latest.state().allowsRefresh() && latest.state() != TokenState.UNAUTHORIZED) {
      return Optional.of(new RefreshOutcome.Rejected(RefreshGate.standing(latest), false));
    }
    if (latest.state() == TokenState.REFRESH_FAILED && latest.version() != before.version()) {
      Instant next = latest.nextAttemptAt().orElse(clock.now());
      return Optional.of(new RefreshOutcome.Deferred(RefreshGate.standing(latest), next, false));
    }
    return Optional.empty();
  }
}
