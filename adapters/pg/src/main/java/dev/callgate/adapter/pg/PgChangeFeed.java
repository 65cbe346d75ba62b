package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.LocalChangeFeed;
import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Changes from every instance: each sends {@code NOTIFY callgate_changes} with the keys of the rows
 * it changed, and that it appended events ({@link PgChangeNotifier}), and this feed LISTENs on a
 * dedicated connection that reconnects by itself (with a growing pause, up to 5 s). It is listening
 * while that connection is up and subscribed; notifications sent while it is down are lost, so
 * every subscription after the first is announced as {@link StoreChange.Resumed}.
 */
final class PgChangeFeed implements ChangeFeed {
  static final String CHANNEL = "callgate_changes";
  private static final Logger LOG = Logger.getLogger(PgChangeFeed.class.getName());

  private final PgSubscriber subscriber;
  private final LocalChangeFeed listeners = new LocalChangeFeed();
  private final AtomicBoolean subscribedBefore = new AtomicBoolean();
  private volatile boolean subscribed;

  private PgChangeFeed(PgSubscriber subscriber) {
    this.subscriber = subscriber;
  }

  static Future<PgChangeFeed> connect(Vertx vertx, PgConnectOptions options) {
    PgSubscriber subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(retries -> Math.min(5_000L, 100L * (retries + 1)));
    PgChangeFeed feed = new PgChangeFeed(subscriber);
    Promise<PgChangeFeed> listening = Promise.promise();
    subscriber
        .channel(CHANNEL)
        .subscribeHandler(
            v -> {
              feed.subscribed();
              listening.tryComplete(feed);
            })
        .handler(feed::notified);
    // connected is not yet listening: the LISTEN completes after the connection
    return subscriber.connect().compose(connected -> listening.future());
  }

  private void subscribed() {
    PgConnection connection = subscriber.actualConnection();
    if (connection != null) {
      // its loss is the subscriber's to mend (it reconnects); say so once, without a stack trace
      connection.exceptionHandler(
          failure ->
              LOG.info(
                  "the change feed's connection failed, reconnecting: " + failure.getMessage()));
    }
    subscribed = true;
    if (subscribedBefore.getAndSet(true)) {
      LOG.info("listening for store changes again; cached records are dropped");
      listeners.accept(new StoreChange.Resumed());
    }
  }

  private void notified(String payload) {
    List<StoreChange> changes = new ArrayList<>();
    try {
      for (Object row : new JsonObject(payload).getJsonArray("changes")) {
        changes.add(change((JsonObject) row));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ignored a malformed change notification");
      return;
    }
    changes.forEach(listeners::accept);
  }

  static StoreChange change(JsonObject row) {
    String table = row.getString("table");
    return switch (table) {
      case "tokens" ->
          new StoreChange.TokenChanged(
              new TokenKey(row.getString("credential"), row.getString("subject")));
      case "credentials" -> new StoreChange.CredentialChanged(row.getString("name"));
      case "providers" -> new StoreChange.ProviderChanged(row.getString("name"));
      case "api_keys" -> new StoreChange.ApiKeyChanged(row.getString("id"));
      case "events" -> new StoreChange.EventsAppended();
      default -> throw new IllegalArgumentException("no such table: " + table);
    };
  }

  @Override
  public AutoCloseable subscribe(Consumer<StoreChange> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * The subscriber reconnects by itself without telling of the loss; its connection being gone is
   * the sign. The flag stays down until the next subscription, which {@link StoreChange.Resumed}
   * follows.
   */
  @Override
  public boolean listening() {
    if (subscribed && subscriber.actualConnection() == null) {
      subscribed = false;
    }
    return subscribed;
  }

  Future<Void> close() {
    return subscriber.close();
  }
}
