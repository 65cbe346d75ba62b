package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.StoreChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@link EventLog} on a SQL database, the {@code events} table: the outbox the stores write their
 * events to in the transaction of the change they describe.
 *
 * <p>A reader pages with an {@code after} cursor, so ids must become visible in increasing order:
 * an event that commits after a reader has seen id {@code n} must get an id above {@code n}. A
 * sequence alone does not promise it on PostgreSQL — a transaction may take id 10, stall, and
 * commit after another has committed id 11, which a reader could read and pass. So every
 * transaction that writes events first takes one transaction-scoped advisory lock, held until it
 * commits: event writers take their ids and commit one at a time, and PostgreSQL makes a commit
 * visible before it releases the transaction's locks. The lock is taken right before the events are
 * inserted, after the change's own statements, so that it is held only for the inserts and the
 * commit, and a writer holding it never waits for a row lock (no deadlock). SQLite has one writer
 * at a time already.
 */
final class SqlEventLog implements EventLog {
  /** An arbitrary constant naming the lock that orders the commits of events. */
  static final long COMMIT_ORDER_LOCK = 0x43616c6c65766e74L;

  private final Pool pool;
  private final Sql sql;
  private final Consumer<StoreChange> changed;
  private final String insertSql;

  SqlEventLog(Pool pool, Sql sql, Consumer<StoreChange> changed) {
    this.pool = pool;
    this.sql = sql;
    this.changed = changed;
    this.insertSql =
        "INSERT INTO events ("
            + RecordMapper.EVENT_COLUMNS
            + ") VALUES ("
            + RecordMapper.EVENT_COLUMNS.replaceAll("[a-z_]+", "?")
            + ")";
  }

  @Override
  public CompletionStage<Void> append(List<Event> events) {
    if (events.isEmpty()) {
      return Sql.stage(Future.succeededFuture());
    }
    return Sql.stage(
        pool.withTransaction(connection -> write(connection, events))
            .map(
                v -> {
                  announce(events);
                  return v;
                }));
  }

  /**
   * Runs {@code change} and, when {@code happened} says it changed something, writes {@code events}
   * in the same transaction; without events, {@code change} runs alone on the pool as before.
   * Listeners hear of the events once they are committed.
   */
  <T> Future<T> changeWith(
      List<Event> events, Function<SqlClient, Future<T>> change, Predicate<T> happened) {
    if (events.isEmpty()) {
      return change.apply(pool);
    }
    return pool.withTransaction(
            connection ->
                change
                    .apply(connection)
                    .compose(
                        result ->
                            happened.test(result)
                                ? write(connection, events).map(result)
                                : Future.succeededFuture(result)))
        .map(
            result -> {
              if (happened.test(result)) {
                announce(events);
              }
              return result;
            });
  }

  /**
   * Inserts {@code events} on {@code connection}, inside its transaction, after the commit-order
   * lock; the last statement a writing transaction runs before it commits.
   */
  Future<Void> write(SqlConnection connection, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Void> done =
        switch (sql.dialect()) {
          case POSTGRESQL ->
              sql.run(connection, "SELECT pg_advisory_xact_lock(?)", COMMIT_ORDER_LOCK).mapEmpty();
          case SQLITE -> Future.succeededFuture();
        };
    for (Event event : events) {
      done =
          done.compose(
              v -> sql.run(connection, insertSql, RecordMapper.eventValues(event)).mapEmpty());
    }
    return done;
  }

  /** Tells listeners, after the commit, that {@code events} (if any) were appended. */
  void announce(List<Event> events) {
    if (!events.isEmpty()) {
      changed.accept(new StoreChange.EventsAppended());
    }
  }

  /**
   * Up to {@code limit} matching events after the cursor. The next cursor is the last one returned
   * when the page is full, else the newest id that existed when the read began: every event up to
   * it has been looked at (ids are visible in commit order), so a filtered reader skips the rest.
   */
  @Override
  public CompletionStage<EventPage> read(EventQuery query) {
    List<Object> parameters = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE id > ? AND id <= ?");
    parameters.add(query.after());
    query
        .credential()
        .ifPresent(
            credential -> {
              where.append(" AND credential = ?");
              parameters.add(credential);
            });
    query
        .user()
        .ifPresent(
            user -> {
              where.append(" AND user_subject = ?");
              parameters.add(user);
            });
    if (!query.types().isEmpty()) {
      List<String> names = query.types().stream().map(EventType::wireName).sorted().toList();
      where
          .append(" AND type IN (")
          .append(names.stream().map(n -> "?").collect(Collectors.joining(", ")))
          .append(")");
      parameters.addAll(names);
    }
    return Sql.stage(
        sql.run(pool, "SELECT max(id) AS head FROM events")
            .compose(
                heads -> {
                  Long stored = heads.iterator().next().getLong("head");
                  long head = Math.max(query.after(), stored == null ? 0 : stored);
                  List<Object> bound = new ArrayList<>(parameters);
                  bound.add(1, head);
                  bound.add(query.limit());
                  return sql.run(
                          pool,
                          "SELECT id, "
                              + RecordMapper.EVENT_COLUMNS
                              + " FROM events"
                              + where
                              + " ORDER BY id LIMIT ?",
                          bound.toArray())
                      .map(rows -> page(rows, query, head));
                }));
  }

  private static EventPage page(Iterable<Row> rows, EventQuery query, long head) {
    List<RecordedEvent> events = new ArrayList<>();
    long last = query.after();
    int looked = 0;
    for (Row row : rows) {
      looked++;
      last = row.getLong("id");
      RecordMapper.event(row).ifPresent(events::add);
    }
    return new EventPage(events, looked == query.limit() ? last : head);
  }

  @Override
  public CompletionStage<Long> purgeBefore(Instant cutoff) {
    return Sql.stage(
        sql.run(pool, "DELETE FROM events WHERE occurred_at < ?", cutoff.toEpochMilli())
            .map(rows -> (long) rows.rowCount()));
  }
}
