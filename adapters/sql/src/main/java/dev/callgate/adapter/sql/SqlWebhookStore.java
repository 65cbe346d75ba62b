package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.SecretCipher.Place;
import dev.callgate.core.port.WebhookStore;
import dev.callgate.core.webhook.DeliveryStatus;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@link WebhookStore} on a SQL database: {@code webhooks} (the secret sealed for its row), {@code
 * webhook_deliveries} and the one-row {@code webhook_leases}. A new webhook's cursor is the newest
 * event id committed when it is created; ids become visible in commit order (see {@link
 * SqlEventLog}), so it misses nothing that commits later.
 */
final class SqlWebhookStore implements WebhookStore {
  private static final String LEASE = "dispatch";
  private static final String COLUMNS =
      "id, url, event_types, secret, created_at, event_cursor, failing_since, last_error";
  private static final String DELIVERY_COLUMNS =
      "webhook_id, event_id, type, credential, event_time, status, attempts, last_attempt_at,"
          + " last_status, last_error, next_attempt_at";

  private final Pool pool;
  private final Sql sql;
  private final SecretColumns secrets;
  private final SqlEventLog eventLog;

  SqlWebhookStore(Pool pool, Sql sql, SecretColumns secrets, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.secrets = secrets;
    this.eventLog = eventLog;
  }

  static Place secretPlace(String id) {
    return Place.of("webhooks", "secret", id);
  }

  @Override
  public CompletionStage<Void> create(WebhookSubscription subscription, List<Event> events) {
    return Sql.stage(
        pool.withTransaction(
                connection ->
                    sql.run(
                            connection,
                            "INSERT INTO webhooks ("
                                + COLUMNS
                                + ") SELECT ?, ?, ?, ?, ?, COALESCE(MAX(id), 0), NULL, NULL"
                                + " FROM events",
                            subscription.id(),
                            subscription.url().toString(),
                            types(subscription.types()),
                            secrets.seal(subscription.secret(), secretPlace(subscription.id())),
                            subscription.createdAt().toEpochMilli())
                        .compose(inserted -> eventLog.write(connection, events)))
            .map(
                v -> {
                  eventLog.announce(events);
                  return v;
                }));
  }

  @Override
  public CompletionStage<List<WebhookSubscription>> subscriptions() {
    return Sql.stage(
        sql.run(pool, "SELECT " + COLUMNS + " FROM webhooks ORDER BY created_at, id")
            .map(rows -> Sql.all(rows, this::subscription)));
  }

  @Override
  public CompletionStage<Optional<WebhookSubscription>> find(String id) {
    return Sql.stage(
        sql.run(pool, "SELECT " + COLUMNS + " FROM webhooks WHERE id = ?", id)
            .map(rows -> Sql.first(rows, this::subscription)));
  }

  @Override
  public CompletionStage<Boolean> delete(String id, List<Event> events) {
    return Sql.stage(
        pool.withTransaction(
                connection ->
                    sql.run(connection, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", id)
                        .compose(v -> sql.run(connection, "DELETE FROM webhooks WHERE id = ?", id))
                        .map(rows -> rows.rowCount() > 0)
                        .compose(
                            existed ->
                                existed
                                    ? eventLog.write(connection, events).map(true)
                                    : Future.succeededFuture(false)))
            .map(
                existed -> {
                  if (existed) {
                    eventLog.announce(events);
                  }
                  return existed;
                }));
  }

  @Override
  public CompletionStage<Boolean> enqueue(
      String subscriptionId,
      long expectedCursor,
      long nextCursor,
      List<WebhookDelivery> deliveries) {
    return Sql.stage(
        pool.withTransaction(
            connection ->
                sql.run(
                        connection,
                        "UPDATE webhooks SET event_cursor = ? WHERE id = ? AND event_cursor = ?",
                        nextCursor,
                        subscriptionId,
                        expectedCursor)
                    .compose(
                        moved ->
                            moved.rowCount() == 1
                                ? insertAll(connection, deliveries).map(true)
                                : Future.succeededFuture(false))));
  }

  private Future<Void> insertAll(SqlConnection connection, List<WebhookDelivery> deliveries) {
    Future<Void> done = Future.succeededFuture();
    for (WebhookDelivery delivery : deliveries) {
      done =
          done.compose(
              v ->
                  sql.run(
                          connection,
                          "INSERT INTO webhook_deliveries ("
                              + DELIVERY_COLUMNS
                              + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                              + " ON CONFLICT (webhook_id, event_id) DO NOTHING",
                          values(delivery))
                      .mapEmpty());
    }
    return done;
  }

  @Override
  public CompletionStage<List<WebhookDelivery>> pendingHeads(String subscriptionId, int limit) {
    // GROUP BY puts the deliveries of no credential (NULL) in one group, in both databases
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + DELIVERY_COLUMNS
                    + " FROM webhook_deliveries WHERE webhook_id = ? AND event_id IN"
                    + " (SELECT MIN(event_id) FROM webhook_deliveries WHERE webhook_id = ?"
                    + " AND status = ? GROUP BY credential) ORDER BY event_id LIMIT ?",
                subscriptionId,
                subscriptionId,
                DeliveryStatus.PENDING.wireName(),
                limit)
            .map(rows -> Sql.all(rows, SqlWebhookStore::delivery)));
  }

  @Override
  public CompletionStage<List<WebhookDelivery>> recent(String subscriptionId, int limit) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + DELIVERY_COLUMNS
                    + " FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_id DESC LIMIT ?",
                subscriptionId,
                limit)
            .map(rows -> Sql.all(rows, SqlWebhookStore::delivery)));
  }

  @Override
  public CompletionStage<Void> record(WebhookDelivery delivery) {
    return Sql.stage(
        sql.run(
                pool,
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_attempt_at = ?,"
                    + " last_status = ?, last_error = ?, next_attempt_at = ?"
                    + " WHERE webhook_id = ? AND event_id = ?",
                delivery.status().wireName(),
                delivery.attempts(),
                Sql.millis(delivery.lastAttemptAt()),
                delivery.lastStatus().orElse(null),
                delivery.lastError().orElse(null),
                Sql.millis(delivery.nextAttemptAt()),
                delivery.subscriptionId(),
                delivery.eventId())
            .mapEmpty());
  }

  @Override
  public CompletionStage<Void> recordHealth(String subscriptionId, WebhookHealth health) {
    return Sql.stage(
        sql.run(
                pool,
                "UPDATE webhooks SET failing_since = ?, last_error = ? WHERE id = ?",
                Sql.millis(health.failingSince()),
                health.lastError().orElse(null),
                subscriptionId)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Void> forgetSettled(String subscriptionId, int keep) {
    // the settled deliveries older than the newest `keep` ones; pending ones are never forgotten
    return Sql.stage(
        sql.run(
                pool,
                "DELETE FROM webhook_deliveries WHERE webhook_id = ? AND status <> ? AND event_id <"
                    + " (SELECT event_id FROM webhook_deliveries WHERE webhook_id = ?"
                    + " ORDER BY event_id DESC LIMIT 1 OFFSET ?)",
                subscriptionId,
                DeliveryStatus.PENDING.wireName(),
                subscriptionId,
                keep - 1)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Map<String, Long>> pendingCounts() {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT webhook_id, COUNT(*) AS pending FROM webhook_deliveries WHERE status = ?"
                    + " GROUP BY webhook_id",
                DeliveryStatus.PENDING.wireName())
            .map(
                rows -> {
                  Map<String, Long> counts = new HashMap<>();
                  rows.forEach(
                      row -> counts.put(row.getString("webhook_id"), row.getLong("pending")));
                  return counts;
                }));
  }

  @Override
  public CompletionStage<Boolean> tryLease(String owner, Instant until, Instant now) {
    return Sql.stage(
        sql.run(
                pool,
                "INSERT INTO webhook_leases (name, owner, lease_until) VALUES (?, ?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                    + " lease_until = excluded.lease_until"
                    + " WHERE webhook_leases.lease_until <= ? OR webhook_leases.owner = excluded.owner",
                LEASE,
                owner,
                until.toEpochMilli(),
                now.toEpochMilli())
            .map(rows -> rows.rowCount() == 1));
  }

  private WebhookSubscription subscription(Row row) {
    String id = row.getString("id");
    return new WebhookSubscription(
        id,
        URI.create(row.getString("url")),
        types(row.getString("event_types")),
        secrets.open(row.getString("secret"), secretPlace(id)).orElseThrow(),
        Instant.ofEpochMilli(row.getLong("created_at")),
        row.getLong("event_cursor"),
        new WebhookHealth(
            Sql.instant(row, "failing_since"), Optional.ofNullable(row.getString("last_error"))));
  }

  private static WebhookDelivery delivery(Row row) {
    String status = row.getString("status");
    return new WebhookDelivery(
        row.getString("webhook_id"),
        row.getLong("event_id"),
        EventType.fromWireName(row.getString("type")).orElseThrow(),
        Optional.ofNullable(row.getString("credential")),
        Instant.ofEpochMilli(row.getLong("event_time")),
        Arrays.stream(DeliveryStatus.values())
            .filter(s -> s.wireName().equals(status))
            .findFirst()
            .orElseThrow(),
        row.getInteger("attempts"),
        Sql.instant(row, "last_attempt_at"),
        Optional.ofNullable(row.getInteger("last_status")),
        Optional.ofNullable(row.getString("last_error")),
        Sql.instant(row, "next_attempt_at"));
  }

  private static Object[] values(WebhookDelivery delivery) {
    return new Object[] {
      delivery.subscriptionId(),
      delivery.eventId(),
      delivery.type().wireName(),
      delivery.credential().orElse(null),
      delivery.eventTime().toEpochMilli(),
      delivery.status().wireName(),
      delivery.attempts(),
      Sql.millis(delivery.lastAttemptAt()),
      delivery.lastStatus().orElse(null),
      delivery.lastError().orElse(null),
      Sql.millis(delivery.nextAttemptAt())
    };
  }

  /** Wire names, comma-separated; empty for every type. */
  private static String types(Set<EventType> types) {
    return types.stream().map(EventType::wireName).sorted().collect(Collectors.joining(","));
  }

  /** A name no longer known (a type a later version dropped) is left out. */
  private static Set<EventType> types(String names) {
    return Arrays.stream(names.split(","))
        .filter(name -> !name.isBlank())
        .map(EventType::fromWireName)
        .flatMap(Optional::stream)
        .collect(Collectors.toSet());
  }
}
