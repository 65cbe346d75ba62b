package dev.callgate.app.runtime;

import dev.callgate.core.service.RefreshSchedule;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link RefreshSchedule#runDue()} on a timer: one batch at a time, and at once again while
 * batches come back full, so a backlog drains without waiting for the next tick.
 */
public final class RefreshScheduler {
  private static final Logger LOG = Logger.getLogger(RefreshScheduler.class.getName());

  private final Vertx vertx;
  private final RefreshSchedule schedule;
  private final Duration interval;
  private final int batchSize;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;

  public RefreshScheduler(Vertx vertx, RefreshSchedule schedule, Duration interval, int batchSize) {
    this.vertx = vertx;
    this.schedule = schedule;
    this.interval = interval;
    this.batchSize = batchSize;
  }

  public void start() {
    timerId = vertx.setPeriodic(interval.toMillis(), id -> tick());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  private void tick() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    schedule
        .runDue()
        .whenComplete(
            (run, failure) -> {
              running.set(false);
              if (failure != null) {
                LOG.log(
                    Level.WARNING,
                    "refresh schedule run failed: "
                        + failure.getClass().getSimpleName()
                        + ": "
                        + failure.getMessage());
              } else if (run.claimed() >= batchSize) {
                vertx.runOnContext(v -> tick());
              }
            });
  }
}
