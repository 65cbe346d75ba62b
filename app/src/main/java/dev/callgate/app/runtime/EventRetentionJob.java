package dev.callgate.app.runtime;

import dev.callgate.core.service.ConnectLinks;
import dev.callgate.core.service.EventRetention;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
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
    purge(retention.purgeExpired(), "events past their retention", "events.retention");
    purge(connectLinks.purgeSpent(), "expired or used connect links", "connect_links.retention");
  }

  /**
   * Logs what {@code purged} dropped ({@code what}), under {@code event}{@code .purged|.failed}.
   */
  private static void purge(CompletionStage<Long> purged, String what, String event) {
    purged.whenComplete(
        (count, failure) -> {
          if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            LOG.atWarn()
                .setMessage("dropping {} failed; next try in {}: {}")
                .addArgument(what)
                .addArgument(EVERY)
                .addArgument(cause.getClass().getSimpleName() + ": " + cause.getMessage())
                .addKeyValue("event", event + ".failed")
                .log();
          } else if (count > 0) {
            LOG.atInfo()
                .setMessage("dropped {} {}")
                .addArgument(count)
                .addArgument(what)
                .addKeyValue("event", event + ".purged")
                .addKeyValue("purged", count)
                .log();
          }
        });
  }
}
