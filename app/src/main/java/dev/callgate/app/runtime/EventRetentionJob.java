package dev.callgate.app.runtime;

import dev.callgate.core.service.ConnectLinks;
import dev.callgate.core.service.EventRetention;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the events older than the retention ({@code CALLGATE_EVENT_RETENTION}), and the connect
 * links that expired or were used, at start and then every {@link #EVERY}. A purge that fails is
 * logged and tried again at the next turn: the rows stay a little longer, nothing else waits on it.
 */
public final class EventRetentionJob {
  /** How often the log is trimmed: events outlive their retention by this much at most. */
  static final Duration EVERY = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(EventRetentionJob.class);

  private final Vertx vertx;
  private final EventRetention retention;
  private final ConnectLinks connectLinks;
  private long timer = -1;

  public EventRetentionJob(Vertx vertx, EventRetention retention, ConnectLinks connectLinks) {
    this.vertx = vertx;
    this.retention = retention;
    this.connectLinks = connectLinks;
  }

  public void start() {
    purge();
    timer = vertx.setPeriodic(EVERY.toMillis(), id -> purge());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void purge() {
    purgeEvents();
    purgeConnectLinks();
  }

  private void purgeConnectLinks() {
    connectLinks
        .purgeSpent()
        .whenComplete(
            (purged, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                LOG.atWarn()
                    .setMessage("dropping spent connect links failed; next try in {}: {}")
                    .addArgument(EVERY)
                    .addArgument(cause.getClass().getSimpleName() + ": " + cause.getMessage())
                    .addKeyValue("event", "connect_links.purge.failed")
                    .log();
              } else if (purged > 0) {
                LOG.atDebug()
                    .setMessage("dropped {} expired or used connect links")
                    .addArgument(purged)
                    .addKeyValue("event", "connect_links.purged")
                    .addKeyValue("purged", purged)
                    .log();
              }
            });
  }

  private void purgeEvents() {
    retention
        .purgeExpired()
        .whenComplete(
            (purged, failure) -> {
              if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                LOG.atWarn()
                    .setMessage("dropping events past their retention failed; next try in {}: {}")
                    .addArgument(EVERY)
                    .addArgument(cause.getClass().getSimpleName() + ": " + cause.getMessage())
                    .addKeyValue("event", "events.retention.failed")
                    .log();
              } else if (purged > 0) {
                LOG.atInfo()
                    .setMessage("dropped {} events past their retention")
                    .addArgument(purged)
                    .addKeyValue("event", "events.retention.purged")
                    .addKeyValue("purged", purged)
                    .log();
              }
            });
  }
}
