package dev.callgate.core.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One piece of work per key at a time inside this process: the first caller for a key starts it,
 * callers that come while it runs join it and get its result. The flight is left before its result
 * is handed out, so that a caller woken by it can start the next one.
 */
final class SingleFlight<K, V> {
  private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

  /** A caller's place in a flight: its result, and whether the caller joined one under way. */
  record Flight<V>(CompletionStage<V> result, boolean joined) {}

  /**
   * Joins the flight of {@code key}, or starts one with {@code work}; {@code landed} sees the
   * result of a started flight once, before any caller does. {@code work} failing, even by
   * throwing, fails the flight.
   */
  Flight<V> join(K key, Supplier<CompletionStage<V>> work, Consumer<V> landed) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = flights.putIfAbsent(key, mine);
    if (running != null) {
      return new Flight<>(running.copy(), true);
    }
    CompletionStage<V> started;
    try {
      started = work.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedStage(e);
    }
    started.whenComplete(
        (result, failure) -> {
          flights.remove(key, mine);
          if (failure != null) {
            mine.completeExceptionally(failure);
            return;
          }
          try {
            landed.accept(result);
          } finally {
            mine.complete(result);
          }
        });
    return new Flight<>(mine.copy(), false);
  }

  /** How many flights are under way. */
  int size() {
    return flights.size();
  }
}
