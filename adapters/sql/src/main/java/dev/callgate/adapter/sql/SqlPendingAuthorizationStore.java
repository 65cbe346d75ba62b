package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.PendingAuthorizationStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@link PendingAuthorizationStore} on a SQL database, keyed by the state's hash: a flow is bound
 * by an update that only an unbound row matches, and taken by deleting its row.
 */
final class SqlPendingAuthorizationStore implements PendingAuthorizationStore {
  private final Pool pool;
  private final Sql sql;
  private final RecordMapper mapper;
  private final SqlEventLog eventLog;

  SqlPendingAuthorizationStore(Pool pool, Sql sql, RecordMapper mapper, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.mapper = mapper;
    this.eventLog = eventLog;
  }

  @Override
  public CompletionStage<Void> save(PendingAuthorization pending, List<Event> events) {
    String markers =
        Arrays.stream(RecordMapper.PENDING_COLUMNS.split(","))
            .map(c -> "?")
            .collect(Collectors.joining(", "));
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        "INSERT INTO pending_authorizations ("
                            + RecordMapper.PENDING_COLUMNS
                            + ") VALUES ("
                            + markers
                            + ")",
                        mapper.pendingValues(pending)),
                inserted -> true)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Optional<PendingAuthorization>> bind(
      FlowHash stateHash, FlowHash browserBinding) {
    return Sql.stage(
        pool.withTransaction(
            connection ->
                sql.run(
                        connection,
                        "UPDATE pending_authorizations SET browser_binding = ?"
                            + " WHERE state_hash = ? AND browser_binding IS NULL",
                        browserBinding.value(),
                        stateHash.value())
                    .compose(
                        updated ->
                            updated.rowCount() != 1
                                ? Future.succeededFuture(Optional.<PendingAuthorization>empty())
                                : sql.run(
                                        connection,
                                        "SELECT "
                                            + RecordMapper.PENDING_COLUMNS
                                            + " FROM pending_authorizations WHERE state_hash = ?",
                                        stateHash.value())
                                    .map(
                                        rows ->
                                            rows.size() == 0
                                                ? Optional.<PendingAuthorization>empty()
                                                : Optional.of(
                                                    mapper.pending(rows.iterator().next()))))));
  }

  @Override
  public CompletionStage<Optional<PendingAuthorization>> take(FlowHash stateHash) {
    String lock = sql.dialect() == SqlDialect.POSTGRESQL ? " FOR UPDATE" : "";
    return Sql.stage(
        pool.withTransaction(
            connection ->
                sql.run(
                        connection,
                        "SELECT "
                            + RecordMapper.PENDING_COLUMNS
                            + " FROM pending_authorizations WHERE state_hash = ?"
                            + lock,
                        stateHash.value())
                    .compose(
                        rows -> {
                          if (rows.size() == 0) {
                            return Future.succeededFuture(Optional.<PendingAuthorization>empty());
                          }
                          PendingAuthorization pending = mapper.pending(rows.iterator().next());
                          // only the transaction whose delete removed the row has taken the state
                          return sql.run(
                                  connection,
                                  "DELETE FROM pending_authorizations WHERE state_hash = ?",
                                  stateHash.value())
                              .map(
                                  deleted ->
                                      deleted.rowCount() == 1
                                          ? Optional.of(pending)
                                          : Optional.<PendingAuthorization>empty());
                        })));
  }
}
