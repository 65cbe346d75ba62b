package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.LocalTokenChangeFeed;
import dev.callgate.core.port.TokenChangeFeed;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Token changes from every instance: the {@code tokens} table's trigger sends {@code NOTIFY
 * callgate_tokens} with the key as JSON, and this feed LISTENs on a dedicated connection that
 * reconnects by itself (with a growing pause, up to 5 s). While it is disconnected, notifications
 * are lost: a listener that caches tokens bounds its staleness with an expiry of its own.
 */
final class PgTokenChangeFeed implements TokenChangeFeed {
  static final String CHANNEL = "callgate_tokens";
  private static final Logger LOG = Logger.getLogger(PgTokenChangeFeed.class.getName());

  private final PgSubscriber subscriber;
  private final LocalTokenChangeFeed listeners = new LocalTokenChangeFeed();

  private PgTokenChangeFeed(PgSubscriber subscriber) {
    this.subscriber = subscriber;
  }

  static Future<PgTokenChangeFeed> connect(Vertx vertx, PgConnectOptions options) {
    PgSubscriber subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(retries -> Math.min(5_000L, 100L * (retries + 1)));
    PgTokenChangeFeed feed = new PgTokenChangeFeed(subscriber);
    subscriber.channel(CHANNEL).handler(feed::notified);
    return subscriber.connect().map(connected -> feed);
  }

  private void notified(String payload) {
    try {
      JsonObject key = new JsonObject(payload);
      listeners.accept(new TokenKey(key.getString("credential"), key.getString("subject")));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ignored a malformed token-change notification");
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<TokenKey> listener) {
    return listeners.subscribe(listener);
  }

  Future<Void> close() {
    return subscriber.close();
  }
}
