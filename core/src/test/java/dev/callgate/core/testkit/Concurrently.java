package dev.callgate.core.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Races for concurrency tests: {@link #race(int, Racer)} starts one platform thread per racer,
 * holds them at a gate until all are ready, releases them at once and collects their results in
 * index order; {@link #join(CompletionStage)} waits for a stage with a bound, so a stage that never
 * completes fails the test instead of hanging it.
 */
public final class Concurrently {

  /** How long a race or a join may take before the test fails. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private Concurrently() {}

  /** What one racer does, given its index (0 … threads−1). */
  @FunctionalInterface
  public interface Racer<T> {
    T run(int index) throws Exception;
  }

  public static <T> List<T> race(int threads, Racer<T> racer) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<T> task =
            () -> {
              ready.countDown();
              go.await();
              return racer.run(index);
            };
        futures.add(pool.submit(task));
      }
      if (!ready.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the racers did not all start within " + WAIT);
      }
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }
      return results;
    } catch (Exception e) {
      throw new AssertionError("a racer failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The stage's value; an {@link AssertionError} if it fails or takes longer than {@link #WAIT}.
   */
  public static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (Exception e) {
      throw new AssertionError("the stage did not complete normally", e);
    }
  }
}
