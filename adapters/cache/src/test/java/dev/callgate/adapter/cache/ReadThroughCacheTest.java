package dev.callgate.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadThroughCacheTest {
  private static final int MAXIMUM = 10;

  private final AtomicInteger reads = new AtomicInteger();
  private final ReadThroughCache<Integer, String> cache =
      new ReadThroughCache<>(
          key -> {
            reads.incrementAndGet();
            return CompletableFuture.completedStage("value " + key);
          },
          () -> true,
          new CacheOptions(Duration.ofSeconds(10), MAXIMUM),
          Ticker.systemTicker(),
          new ReadThroughCache.Counters());

  /**
   * The cache's upkeep runs on the caller's thread, not on a pool it would have to wake: with every
   * thread of the common ForkJoinPool busy, the cache still keeps to its maximum at once.
   */
  @Test
  void getWhenMoreKeysThanItsMaximumAndTheCommonPoolIsBusyThenEvictsAtOnce() throws Exception {
    AtomicBoolean release = new AtomicBoolean();
    int workers = ForkJoinPool.getCommonPoolParallelism();
    CountDownLatch busy = new CountDownLatch(workers);
    List<CompletableFuture<Void>> spinning = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        spinning.add(
            CompletableFuture.runAsync(
                () -> {
                  busy.countDown();
                  while (!release.get()) {
                    Thread.onSpinWait();
                  }
                }));
      }
      busy.await();

      for (int key = 0; key < 2 * MAXIMUM; key++) {
        cache.get(key).toCompletableFuture().join();
      }
      reads.set(0);
      for (int key = 0; key < 2 * MAXIMUM; key++) {
        cache.get(key).toCompletableFuture().join();
      }

      // at most MAXIMUM of the keys were still held: the others were read again
      assertThat(reads.get()).isGreaterThanOrEqualTo(MAXIMUM);
    } finally {
      release.set(true);
      CompletableFuture.allOf(spinning.toArray(CompletableFuture[]::new)).join();
    }
  }
}
