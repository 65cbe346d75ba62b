package dev.callgate.adapter.pg;

import dev.callgate.core.port.StoreChange;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells every instance of the changes this one makes: {@code NOTIFY callgate_changes} once a write
 * has committed, the changes of a few milliseconds gathered into one notification. PostgreSQL lets
 * only one notifying transaction commit at a time, so notifications go on a connection of their own
 * whose commits do not wait for the disk: a notification carries nothing to keep, and waiting there
 * would bound the writes of every instance by the disk's flush rate. A notification lost with a
 * crashed instance leaves the others' caches stale for at most their maximum staleness.
 */
final class PgChangeNotifier implements Consumer<StoreChange> {
  /** How long changes are gathered before they are sent. */
  static final long GATHER_MILLIS = 5;

  /** PostgreSQL's payload limit is 8000 bytes; a notification stays well below it. */
  static final int MAX_PAYLOAD = 7000;

  private static final Logger LOG = Logger.getLogger(PgChangeNotifier.class.getName());

  private final Vertx vertx;
  private final Pool pool;
  private final Set<JsonObject> pending = new LinkedHashSet<>();
  private boolean gathering;
  private volatile String lastFailure;

  private PgChangeNotifier(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  static PgChangeNotifier connect(Vertx vertx, PgConnectOptions options) {
    PgConnectOptions unsynchronised =
        new PgConnectOptions(options).addProperty("synchronous_commit", "off");
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(1))
            .connectingTo(unsynchronised)
            .using(vertx)
            .build();
    return new PgChangeNotifier(vertx, pool);
  }

  @Override
  public void accept(StoreChange change) {
    synchronized (this) {
      pending.add(row(change));
      if (gathering) {
        return;
      }
      gathering = true;
    }
    vertx.setTimer(GATHER_MILLIS, id -> send());
  }

  private void send() {
    List<JsonObject> changes;
    synchronized (this) {
      changes = new ArrayList<>(pending);
      pending.clear();
      gathering = false;
    }
    for (String payload : payloads(changes)) {
      pool.preparedQuery("SELECT pg_notify($1, $2)")
          .execute(Tuple.of(PgChangeFeed.CHANNEL, payload))
          .onComplete(
              sent -> {
                if (sent.failed() && !String.valueOf(sent.cause()).equals(lastFailure)) {
                  lastFailure = String.valueOf(sent.cause());
                  LOG.log(
                      Level.WARNING,
                      "could not tell the other instances of changes (their caches catch up"
                          + " within their maximum staleness): "
                          + sent.cause().getMessage());
                } else if (sent.succeeded()) {
                  lastFailure = null;
                }
              });
    }
  }

  /** {@code {"changes": [row, …]}} documents, each within {@link #MAX_PAYLOAD} bytes. */
  static List<String> payloads(List<JsonObject> changes) {
    List<String> payloads = new ArrayList<>();
    JsonArray batch = new JsonArray();
    int size = 0;
    for (JsonObject change : changes) {
      String encoded = change.encode();
      if (size + encoded.length() + 20 > MAX_PAYLOAD && !batch.isEmpty()) {
        payloads.add(new JsonObject().put("changes", batch).encode());
        batch = new JsonArray();
        size = 0;
      }
      batch.add(change);
      size += encoded.length() + 1;
    }
    if (!batch.isEmpty()) {
      payloads.add(new JsonObject().put("changes", batch).encode());
    }
    return payloads;
  }

  /** The changed row's table and key, as {@link PgChangeFeed#change} reads them. */
  static JsonObject row(StoreChange change) {
    return change.fold(
        new StoreChange.Cases<JsonObject>() {
          @Override
          public JsonObject token(TokenKey key) {
            return new JsonObject()
                .put("table", "tokens")
                .put("credential", key.credentialName())
                .put("subject", key.userSubject());
          }

          @Override
          public JsonObject credential(String name) {
            return new JsonObject().put("table", "credentials").put("name", name);
          }

          @Override
          public JsonObject provider(String name) {
            return new JsonObject().put("table", "providers").put("name", name);
          }

          @Override
          public JsonObject apiKey(String id) {
            return new JsonObject().put("table", "api_keys").put("id", id);
          }

          /** Rows of the event log were appended; which ones a reader's cursor finds. */
          @Override
          public JsonObject eventsAppended() {
            return new JsonObject().put("table", "events");
          }

          @Override
          public JsonObject resumed() {
            throw new IllegalArgumentException("not a change of a row: " + change);
          }
        });
  }

  Future<Void> close() {
    return pool.close();
  }
}
