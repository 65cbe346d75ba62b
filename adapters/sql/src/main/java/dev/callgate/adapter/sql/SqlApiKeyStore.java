package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.StoredApiKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** {@link ApiKeyStore} on a SQL database: hashes only. */
final class SqlApiKeyStore implements ApiKeyStore {
  private final Pool pool;
  private final Sql sql;
  private final Consumer<StoreChange> changed;
  private final SqlEventLog eventLog;

  SqlApiKeyStore(Pool pool, Sql sql, Consumer<StoreChange> changed, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.changed = changed;
    this.eventLog = eventLog;
  }

  @Override
  public CompletionStage<Void> save(StoredApiKey key, List<Event> events) {
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        SqlCredentialStore.upsert("api_keys", RecordMapper.API_KEY_COLUMNS, "id"),
                        RecordMapper.apiKeyValues(key)),
                saved -> true)
            .map(
                rows -> {
                  changed.accept(new StoreChange.ApiKeyChanged(key.id()));
                  return (Void) null;
                }));
  }

  @Override
  public CompletionStage<Optional<StoredApiKey>> find(String id) {
    return Sql.stage(
        sql.run(pool, "SELECT " + RecordMapper.API_KEY_COLUMNS + " FROM api_keys WHERE id = ?", id)
            .map(rows -> Sql.first(rows, RecordMapper::apiKey)));
  }

  @Override
  public CompletionStage<List<StoredApiKey>> list() {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT " + RecordMapper.API_KEY_COLUMNS + " FROM api_keys ORDER BY created_at, id")
            .map(rows -> Sql.all(rows, RecordMapper::apiKey)));
  }

  @Override
  public CompletionStage<Boolean> saveUnlessRevoked(StoredApiKey key) {
    return Sql.stage(
        pool.withTransaction(
                connection ->
                    sql.run(connection, "SELECT id FROM api_key_revocations WHERE id = ?", key.id())
                        .compose(
                            revoked ->
                                revoked.size() > 0
                                    ? Future.succeededFuture(false)
                                    : sql.run(
                                            connection,
                                            SqlCredentialStore.upsert(
                                                "api_keys", RecordMapper.API_KEY_COLUMNS, "id"),
                                            RecordMapper.apiKeyValues(key))
                                        .map(true)))
            .map(
                saved -> {
                  changed.accept(new StoreChange.ApiKeyChanged(key.id()));
                  return saved;
                }));
  }

  @Override
  public CompletionStage<Boolean> delete(String id, List<Event> events) {
    return Sql.stage(
        pool.withTransaction(
                connection ->
                    sql.run(
                            connection,
                            "INSERT INTO api_key_revocations (id, revoked_at) VALUES (?, ?)"
                                + " ON CONFLICT (id) DO NOTHING",
                            id,
                            Instant.now().toEpochMilli())
                        .compose(
                            recorded ->
                                sql.run(connection, "DELETE FROM api_keys WHERE id = ?", id))
                        .map(rows -> rows.rowCount() > 0)
                        // a key that was not there was not deleted: no event says it was
                        .compose(
                            existed ->
                                existed
                                    ? eventLog.write(connection, events).map(true)
                                    : Future.succeededFuture(false)))
            .map(
                existed -> {
                  changed.accept(new StoreChange.ApiKeyChanged(id));
                  if (existed) {
                    eventLog.announce(events);
                  }
                  return existed;
                }));
  }
}
