package dev.callgate.core.testkit;

import dev.callgate.core.port.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Clock} that moves only when a test moves it. {@link #delay(Duration)} returns a stage
 * that completes when the clock is set or advanced to (or past) its deadline, in deadline order, on
 * the thread that moved the clock; a zero or negative delay completes at once. Thread-safe.
 */
public final class ManualClock implements Clock {

  /** Where a clock starts unless told otherwise: a fixed, whole-second instant. */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

  private record Pending(Instant deadline, long sequence, CompletableFuture<Void> future) {}

  private final Object lock = new Object();
  private final PriorityQueue<Pending> pending =
      new PriorityQueue<>(
          Comparator.comparing(Pending::deadline).thenComparingLong(Pending::sequence));
  private Instant now;
  private long sequence;

  public ManualClock() {
    this(DEFAULT_START);
  }

  public ManualClock(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public Instant now() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public CompletionStage<Void> delay(Duration delay) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (delay.isNegative() || delay.isZero()) {
      future.complete(null);
      return future;
    }
    synchronized (lock) {
      pending.add(new Pending(now.plus(delay), sequence++, future));
    }
    return future;
  }

  /** Moves the clock to {@code instant} (backwards too) and completes the delays now due. */
  public void set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    List<CompletableFuture<Void>> due = new ArrayList<>();
    synchronized (lock) {
      now = instant;
      while (!pending.isEmpty() && !pending.peek().deadline().isAfter(now)) {
        due.add(pending.poll().future());
      }
    }
    // outside the lock: dependents run here and may read the clock or schedule new delays
    due.forEach(future -> future.complete(null));
  }

  /** Moves the clock forward by {@code duration} and completes the delays now due. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock advances forward; use set() to go back");
    }
    List<CompletableFuture<Void>> due = new ArrayList<>();
    synchronized (lock) {
      now = now.plus(duration);
      while (!pending.isEmpty() && !pending.peek().deadline().isAfter(now)) {
        due.add(pending.poll().future());
      }
    }
    due.forEach(future -> future.complete(null));
  }

  /** How many delays are still waiting for their deadline. */
  public int pendingDelays() {
    synchronized (lock) {
      return pending.size();
    }
  }
}
