package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ConsoleSessionStore;
import dev.callgate.core.port.StoredConsoleSession;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** {@link ConsoleSessionStore} on a SQL database, keyed by the hash of the session's secret. */
final class SqlConsoleSessionStore implements ConsoleSessionStore {
  private static final String COLUMNS = "secret_hash, key_id, subject, created_at, expires_at";

  private final Pool pool;
  private final Sql sql;
  private final SqlEventLog eventLog;

  SqlConsoleSessionStore(Pool pool, Sql sql, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.eventLog = eventLog;
  }

  @Override
  public CompletionStage<Void> save(StoredConsoleSession session, List<Event> events) {
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        SqlCredentialStore.upsert("console_sessions", COLUMNS, "secret_hash"),
                        session.secretHash(),
                        session.keyId(),
                        session.subject(),
                        Sql.millis(session.createdAt()),
                        Sql.millis(session.expiresAt())),
                saved -> true)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Optional<StoredConsoleSession>> find(String secretHash) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT " + COLUMNS + " FROM console_sessions WHERE secret_hash = ?",
                secretHash)
            .map(rows -> Sql.first(rows, SqlConsoleSessionStore::session)));
  }

  @Override
  public CompletionStage<Boolean> delete(String secretHash, List<Event> events) {
    return Sql.stage(
        eventLog.changeWith(
            events,
            client ->
                sql.run(client, "DELETE FROM console_sessions WHERE secret_hash = ?", secretHash)
                    .map(rows -> rows.rowCount() > 0),
            // a session that was not there was not ended: no event says it was
            existed -> existed));
  }

  @Override
  public CompletionStage<Long> deleteExpired(Instant now) {
    return Sql.stage(
        sql.run(pool, "DELETE FROM console_sessions WHERE expires_at <= ?", now.toEpochMilli())
            .map(rows -> (long) rows.rowCount()));
  }

  private static StoredConsoleSession session(Row row) {
    return new StoredConsoleSession(
        row.getString("secret_hash"),
        row.getString("key_id"),
        row.getString("subject"),
        Sql.instant(row, "created_at").orElseThrow(),
        Sql.instant(row, "expires_at").orElseThrow());
  }
}
