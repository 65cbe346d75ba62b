package dev.callgate.core.service;

import dev.callgate.core.port.Clock;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of a token record through the store's compare-and-set: the change is applied to
 * the latest stored record and retried when another writer came first, so no write is lost (a
 * rotated refresh token above all) and none silently overwrites another.
 */
final class TokenUpdates {
  private static final int MAX_ROUNDS = 16;

  /** Waits between tries of a write that must not be lost; the last one repeats. */
  private static final List<Duration> DURABLE_RETRY_DELAYS =
      List.of(
          Duration.ofMillis(200),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(4));

  /** How long a write that must not be lost is retried when the caller sets no limit. */
  static final Duration DURABLE_WINDOW = Duration.ofSeconds(30);

  private final TokenStore store;
  private final Clock clock;

  TokenUpdates(TokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Like {@link #update}, but a store failure is retried a few times before it is given up: for
   * tokens the identity provider has just issued, which may exist nowhere else (a rotated refresh
   * token invalidated the previous one).
   */
  CompletionStage<TokenRecord> updateDurably(TokenKey key, UnaryOperator<TokenRecord> change) {
    return durably(key, Optional.empty(), change, clock.now().plus(DURABLE_WINDOW), 0);
  }

  /**
   * Like {@link #updateDurably(TokenKey, UnaryOperator)}, retrying no later than {@code giveUpAt}
   * and trying {@code known} first, as {@link #update(TokenRecord, UnaryOperator)} does.
   */
  CompletionStage<TokenRecord> updateDurably(
      TokenRecord known, UnaryOperator<TokenRecord> change, Instant giveUpAt) {
    return durably(known.key(), Optional.of(known), change, giveUpAt, 0);
  }

  private CompletionStage<TokenRecord> durably(
      TokenKey key,
      Optional<TokenRecord> known,
      UnaryOperator<TokenRecord> change,
      Instant giveUpAt,
      int retry) {
    CompletionStage<TokenRecord> attempt =
        retry == 0 && known.isPresent() ? update(known.get(), change) : update(key, change);
    return attempt
        .handle(
            (stored, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedStage(stored);
              }
              Duration wait =
                  DURABLE_RETRY_DELAYS.get(Math.min(retry, DURABLE_RETRY_DELAYS.size() - 1));
              if (clock.now().plus(wait).isAfter(giveUpAt)) {
                return CompletableFuture.<TokenRecord>failedStage(failure);
              }
              return clock
                  .delay(wait)
                  .thenCompose(ignored -> durably(key, known, change, giveUpAt, retry + 1));
            })
        .thenCompose(stage -> stage);
  }

  /**
   * Like {@link #update(TokenKey, UnaryOperator)}, trying {@code known} — a record just read —
   * first, so that the usual case costs one write and no read; when another writer came first, the
   * latest record is read and the change applied to it.
   */
  CompletionStage<TokenRecord> update(TokenRecord known, UnaryOperator<TokenRecord> change) {
    TokenRecord next = change.apply(known).withVersion(known.version());
    if (known.version() > 0 && next.equals(known)) {
      return CompletableFuture.completedStage(known);
    }
    return store
        .compareAndSet(next)
        .thenCompose(
            stored ->
                stored.isPresent()
                    ? CompletableFuture.completedStage(stored.get())
                    : round(known.key(), change, 2));
  }

  /**
   * Applies {@code change} to the latest record (or a fresh unauthorized one) and stores it; a
   * change that leaves the record as it is writes nothing.
   */
  CompletionStage<TokenRecord> update(TokenKey key, UnaryOperator<TokenRecord> change) {
    return round(key, change, 1);
  }

  private CompletionStage<TokenRecord> round(
      TokenKey key, UnaryOperator<TokenRecord> change, int round) {
    return store
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(key));
              TokenRecord next = change.apply(latest).withVersion(latest.version());
              if (found.isPresent() && next.equals(latest)) {
                return CompletableFuture.completedStage(Optional.of(latest));
              }
              return store.compareAndSet(next);
            })
        .thenCompose(
            stored -> {
              if (stored.isPresent()) {
                return CompletableFuture.completedStage(stored.get());
              }
              if (round >= MAX_ROUNDS) {
                return CompletableFuture.failedStage(
                    new IllegalStateException(
                        "token " + key + " kept changing under " + MAX_ROUNDS + " writes"));
              }
              return round(key, change, round + 1);
            });
  }
}
