package dev.callgate.app.runtime;

import dev.callgate.core.service.RefreshSchedule;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link RefreshSchedule#runDue()} about every interval: one batch at a time, and at once
 * again while batches come back full, so a backlog drains without waiting. The pause between runs
 * is drawn from half to one and a half intervals, so instances started together do not claim in
 * step and each gets a share of what falls due. A failing run is logged once, and again only when
 * it recovers or fails differently, so an unreachable store does not write a line a second.
 */
public final class RefreshScheduler {
  /** How many due tokens one run claims at most. */
  public static final int BATCH_SIZE = 100;

  private static final Logger LOG = Logger.getLogger(RefreshScheduler.class.getName());

  private final Vertx vertx;
  private final RefreshSchedule schedule;
  private final Duration interval;
  private final SplittableRandom random = new SplittableRandom();
  private final AtomicReference<String> lastFailure = new AtomicReference<>();
  private volatile boolean stopped;
  private volatile long timerId = -1;

  public RefreshScheduler(Vertx vertx, RefreshSchedule schedule, Duration interval) {
    this.vertx = vertx;
    this.schedule = schedule;
    this.interval = interval;
  }

  public void start() {
    pause();
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
  }

  private void pause() {
    if (!stopped) {
      long delay = (long) (interval.toMillis() * (0.5 + random.nextDouble()));
      timerId = vertx.setTimer(Math.max(1, delay), id -> run());
    }
  }

  private void run() {
    schedule
        .runDue()
        .whenComplete(
            (run, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
                if (!reason.equals(lastFailure.getAndSet(reason))) {
                  LOG.log(
                      Level.WARNING, "refresh schedule run failed (until it recovers): " + reason);
                }
                pause();
                return;
              }
              if (lastFailure.getAndSet(null) != null) {
                LOG.info("refresh schedule runs again");
              }
              if (run.claimed() >= BATCH_SIZE && !stopped) {
                vertx.runOnContext(v -> run());
              } else {
                pause();
              }
            });
  }
}
