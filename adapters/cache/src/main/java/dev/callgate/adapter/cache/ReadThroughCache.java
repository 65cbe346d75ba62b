package dev.callgate.adapter.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.callgate.core.port.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Values read from a store, kept while they can be trusted: while the change feed listens (it drops
 * a value as soon as the store announces a change) and for at most {@code maxStaleness} since the
 * read began, the bound for a change whose news was lost. Concurrent misses of one key share one
 * read. A read that fails because the store is down serves the last value instead, if there is one:
 * while the store is down nobody can change it.
 *
 * <p>News of a change marks the value stale rather than dropping it, so that it can still stand in
 * while the store is down. A read in flight is an entry of its own and is dropped: its result
 * reaches the callers already waiting for it but is not kept, so a read that began before a change
 * is never served to a caller that came after the change was announced.
 */
final class ReadThroughCache<K, V> {

  private record Loaded<V>(V value, long readAt, boolean stale) {
    Loaded<V> markedStale() {
      return new Loaded<>(value, readAt, true);
    }
  }

  private final AsyncCache<K, Loaded<V>> cache;
  private final ConcurrentMap<K, CompletableFuture<Loaded<V>>> entries;
  private final Function<K, CompletionStage<V>> read;
  private final BooleanSupplier listening;
  private final long maxStalenessNanos;
  private final Ticker ticker;
  private final LongAdder hits;
  private final LongAdder misses;
  private final LongAdder servedStale;

  ReadThroughCache(
      Function<K, CompletionStage<V>> read,
      BooleanSupplier listening,
      CacheOptions options,
      Ticker ticker,
      Counters counters) {
    this.read = read;
    this.listening = listening;
    this.maxStalenessNanos = options.maxStaleness().toNanos();
    this.ticker = ticker;
    this.hits = counters.hits();
    this.misses = counters.misses();
    this.servedStale = counters.servedStale();
    // entries nobody asks for go after a while, whatever the feed says: memory, not freshness.
    // Caffeine's upkeep (evicting, expiring) runs on the thread that read or wrote, mostly an event
    // loop: handing it to the ForkJoinPool woke a thread on every callout, and the upkeep itself is
    // a few pointer moves, as nothing here may block it — no loader (reads are started by get), no
    // removal listener, no refresh, no scheduler.
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(options.maximumSize())
            .expireAfterAccess(Duration.ofHours(1))
            .ticker(ticker)
            .executor(Runnable::run)
            .buildAsync();
    this.entries = cache.asMap();
  }

  /** The shared counters of several caches. */
  record Counters(LongAdder hits, LongAdder misses, LongAdder servedStale) {
    Counters() {
      this(new LongAdder(), new LongAdder(), new LongAdder());
    }
  }

  CompletionStage<V> get(K key) {
    CompletableFuture<Loaded<V>> current = entries.get(key);
    if (current == null) {
      return reload(key, null, null);
    }
    if (!current.isDone()) {
      hits.increment();
      return current.thenApply(Loaded::value);
    }
    Loaded<V> loaded = current.isCompletedExceptionally() ? null : current.join();
    if (loaded != null && trusted(loaded)) {
      hits.increment();
      return CompletableFuture.completedStage(loaded.value());
    }
    return reload(key, current, loaded);
  }

  private boolean trusted(Loaded<V> loaded) {
    return !loaded.stale()
        && listening.getAsBoolean()
        && ticker.read() - loaded.readAt() < maxStalenessNanos;
  }

  private CompletionStage<V> reload(
      K key, CompletableFuture<Loaded<V>> replaced, Loaded<V> fallback) {
    CompletableFuture<Loaded<V>> next = new CompletableFuture<>();
    boolean installed =
        replaced == null
            ? entries.putIfAbsent(key, next) == null
            : entries.replace(key, replaced, next);
    if (!installed) {
      // another caller began a read of this key just now: share it
      return get(key);
    }
    misses.increment();
    long readAt = ticker.read();
    CompletionStage<V> reading;
    try {
      reading = read.apply(key);
    } catch (RuntimeException e) {
      reading = CompletableFuture.failedStage(e);
    }
    reading.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            next.complete(new Loaded<>(value, readAt, false));
          } else if (fallback != null && storeUnavailable(failure)) {
            servedStale.increment();
            // still stale: the next call tries the store again
            next.complete(fallback);
          } else {
            entries.remove(key, next);
            next.completeExceptionally(failure);
          }
        });
    return next.thenApply(Loaded::value);
  }

  private static boolean storeUnavailable(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof StoreUnavailableException;
  }

  /** The value of {@code key} may have changed: read it again before trusting it. */
  void invalidate(K key) {
    entries.computeIfPresent(key, (k, entry) -> markedStale(entry));
  }

  void invalidateIf(Predicate<K> which) {
    entries.keySet().stream().filter(which).toList().forEach(this::invalidate);
  }

  void invalidateAll() {
    entries.keySet().stream().toList().forEach(this::invalidate);
  }

  /** A stale copy of a value read, or nothing in place of a read in flight. */
  private static <V> CompletableFuture<Loaded<V>> markedStale(CompletableFuture<Loaded<V>> entry) {
    return entry.isDone() ? entry.thenApply(Loaded::markedStale) : null;
  }
}
