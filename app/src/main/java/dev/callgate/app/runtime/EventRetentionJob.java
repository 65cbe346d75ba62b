package dev.callgate.app.runtime;

import dev.callgate.core.service.EventRetention;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drops the events older than the retention ({@code CALLGATE_EVENT_RETENTION}) at start and then
 * every {@link #EVERY}. A purge that fails is logged and tried again at the next turn: the events
 * stay a little longer, nothing else waits on it.
 */
public final class EventRetentionJob {
  /** How often the log is trimmed: events outlive their retention by this much at most. */
  static final Duration EVERY = Duration.ofHours(1);

  private static final Logger LOG = Logger.getLogger(EventRetentionJob.class.getName());

  private final Vertx vertx;
  private final EventRetention retention;
  private long timer = -1;

  public EventRetentionJob(Vertx vertx, EventRetention retention) {
    this.vertx = vertx;
    this.retention = retention;
  }

  public void start() {
    purge();
    timer = vertx.setPeriodic(EVERY.toMillis(), id -> purge());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void purge() {
    retention
        .purgeExpired()
        .whenComplete(
            (purged, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                LOG.log(
                    Level.WARNING,
                    "dropping events past their retention failed; next try in "
                        + EVERY
                        + ": "
                        + cause.getClass().getSimpleName()
                        + ": "
                        + cause.getMessage());
              } else if (purged > 0) {
                LOG.info("dropped " + purged + " events past their retention");
              }
            });
  }
}
