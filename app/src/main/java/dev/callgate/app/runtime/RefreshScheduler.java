package dev.callgate.app.runtime;

import dev.callgate.core.service.RefreshSchedule;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Claims due refreshes about every interval and keeps up to {@link #MAX_IN_FLIGHT} of them running:
 * a claim that comes back full is followed at once by the next, without waiting for its refreshes
 * to end, so one slow refresh holds back no other and a backlog drains as fast as the store and the
 * identity providers allow. The pause between claims is drawn from half to one and a half
 * intervals, so instances started together do not claim in step and each gets a share of what falls
 * due. A failing claim is logged once, and again only when it recovers or fails differently, so an
 * unreachable store does not write a line a second.
 */
public final class RefreshScheduler {
  /** How many due tokens one claim takes at most. */
  public static final int BATCH_SIZE = 100;

  /** How many claimed refreshes may run at once. */
  public static final int MAX_IN_FLIGHT = 2 * BATCH_SIZE;

  /** How long to wait for room when as many refreshes run as may. */
  private static final Duration WHEN_FULL = Duration.ofMillis(20);

  private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);

  private final Vertx vertx;
  private final RefreshSchedule schedule;
  private final Duration interval;
  private final SplittableRandom random = new SplittableRandom();
  private final RecurringFailureLog failures =
      new RecurringFailureLog(LOG, Level.ERROR, "claiming due refreshes", "refresh.schedule");
  private final AtomicInteger inFlight = new AtomicInteger();
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

  /** How many claimed refreshes run now. */
  public int inFlight() {
    return inFlight.get();
  }

  private void pause() {
    after((long) (interval.toMillis() * (0.5 + random.nextDouble())));
  }

  private void after(long millis) {
    if (!stopped) {
      timerId = vertx.setTimer(Math.max(1, millis), id -> claim());
    }
  }

  private void claim() {
    int room = Math.min(BATCH_SIZE, MAX_IN_FLIGHT - inFlight.get());
    if (room <= 0) {
      after(WHEN_FULL.toMillis());
      return;
    }
    schedule
        .startDue(room)
        .whenComplete(
            (started, failure) -> {
              if (failure != null) {
                failures.failed(failure);
                pause();
                return;
              }
              failures.recovered();
              inFlight.addAndGet(started.claimed());
              started
                  .settled()
                  .whenComplete((run, settling) -> inFlight.addAndGet(-started.claimed()));
              if (started.claimed() >= room && !stopped) {
                vertx.runOnContext(v -> claim());
              } else {
                pause();
              }
            });
  }
}
