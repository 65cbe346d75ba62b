package dev.callgate.core.service;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.TokenChange;
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
 * rotated refresh token above all) and none silently overwrites another. Each round derives the
 * events of its own change ({@link EventSource#lifecycle}) from the record it read and the record
 * it stores, and the store writes them with the record: a round that loses records none.
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
  private final EventSource events;

  TokenUpdates(TokenStore store, EventSource events) {
    this.store = store;
    this.clock = events.clock();
    this.events = events;
  }

  /**
   * Like {@link #update}, but a store failure is retried a few times before it is given up: for
   * tokens the identity provider has just issued, which may exist nowhere else (a rotated refresh
   * token invalidated the previous one).
   */
  CompletionStage<TokenRecord> updateDurably(
      TokenKey key, TokenChange why, UnaryOperator<TokenRecord> change) {
    return durably(key, Optional.empty(), why, change, clock.now().plus(DURABLE_WINDOW), 0);
  }

  /**
   * Like {@link #updateDurably(TokenKey, TokenChange, UnaryOperator)}, retrying no later than
   * {@code giveUpAt} and trying {@code known} first, as {@link #update(TokenRecord, TokenChange,
   * UnaryOperator)} does.
   */
  CompletionStage<TokenRecord> updateDurably(
      TokenRecord known, TokenChange why, UnaryOperator<TokenRecord> change, Instant giveUpAt) {
    return durably(known.key(), Optional.of(known), why, change, giveUpAt, 0);
  }

  private CompletionStage<TokenRecord> durably(
      TokenKey key,
      Optional<TokenRecord> known,
      TokenChange why,
      UnaryOperator<TokenRecord> change,
      Instant giveUpAt,
      int retry) {
    CompletionStage<TokenRecord> attempt =
        retry == 0 && known.isPresent()
            ? update(known.get(), why, change)
            : update(key, why, change);
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
                  .thenCompose(ignored -> durably(key, known, why, change, giveUpAt, retry + 1));
            })
        .thenCompose(stage -> stage);
  }

  /**
   * Like {@link #update(TokenKey, TokenChange, UnaryOperator)}, trying {@code known} — a record
   * just read — first, so that the usual case costs one write and no read; when another writer came
   * first, the latest record is read and the change applied to it.
   */
  CompletionStage<TokenRecord> update(
      TokenRecord known, TokenChange why, UnaryOperator<TokenRecord> change) {
    TokenRecord next = change.apply(known).withVersion(known.version());
    if (known.version() > 0 && next.equals(known)) {
      return CompletableFuture.completedStage(known);
    }
    return store
        .compareAndSet(next, eventsOf(known, next, why))
        .thenCompose(
            stored ->
                stored.isPresent()
                    ? CompletableFuture.completedStage(stored.get())
                    : round(known.key(), why, change, 2));
  }

  /**
   * Applies {@code change} to the latest record (or a fresh unauthorized one) and stores it with
   * the events {@code why} gives it; a change that leaves the record as it is writes nothing.
   */
  CompletionStage<TokenRecord> update(
      TokenKey key, TokenChange why, UnaryOperator<TokenRecord> change) {
    return round(key, why, change, 1);
  }

  private List<Event> eventsOf(TokenRecord read, TokenRecord toStore, TokenChange why) {
    return events.lifecycle(read, toStore, why);
  }

  private CompletionStage<TokenRecord> round(
      TokenKey key, TokenChange why, UnaryOperator<TokenRecord> change, int round) {
    return store
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(key));
              TokenRecord next = change.apply(latest).withVersion(latest.version());
              if (found.isPresent() && next.equals(latest)) {
                return CompletableFuture.completedStage(Optional.of(latest));
              }
              return store.compareAndSet(next, eventsOf(latest, next, why));
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
              return round(key, why, change, round + 1);
            });
  }
}
