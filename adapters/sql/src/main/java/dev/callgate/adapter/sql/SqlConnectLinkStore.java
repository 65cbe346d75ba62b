package dev.callgate.adapter.sql;

import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.port.ConnectLink;
import dev.callgate.core.port.ConnectLinkClaim;
import dev.callgate.core.port.ConnectLinkStore;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * {@link ConnectLinkStore} on a SQL database, keyed by the token's hash: a link is claimed by an
 * update that only an unused row matches, so of concurrent claims the database lets one win (in
 * PostgreSQL the losers wait on the row's lock and then find it used; SQLite has one writer).
 */
final class SqlConnectLinkStore implements ConnectLinkStore {
  private static final String COLUMNS =
      "token_hash, credential, subject, return_url, created_by_subject, created_by_key_id,"
          + " created_by_request_id, created_at, expires_at, used_at";

  private final Pool pool;
  private final Sql sql;
  private final SqlEventLog eventLog;

  SqlConnectLinkStore(Pool pool, Sql sql, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.eventLog = eventLog;
  }

  @Override
  public CompletionStage<Void> save(ConnectLink link, List<Event> events) {
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        "INSERT INTO connect_links ("
                            + COLUMNS
                            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        link.tokenHash().value(),
                        link.tokenKey().credentialName(),
                        link.tokenKey().userSubject(),
                        link.returnUrl().map(URI::toString).orElse(null),
                        link.createdBy().subject(),
                        link.createdBy().keyId(),
                        link.createdBy().requestId(),
                        Sql.millis(link.createdAt()),
                        Sql.millis(link.expiresAt()),
                        Sql.millis(link.usedAt())),
                inserted -> true)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Optional<ConnectLink>> find(FlowHash tokenHash) {
    return Sql.stage(read(pool, tokenHash));
  }

  @Override
  public CompletionStage<Optional<ConnectLinkClaim>> claim(
      FlowHash tokenHash, Instant usedAt, List<Event> events) {
    return Sql.stage(
        eventLog.changeWith(
            events,
            client ->
                sql.run(
                        client,
                        "UPDATE connect_links SET used_at = ? WHERE token_hash = ?"
                            + " AND used_at IS NULL",
                        usedAt.toEpochMilli(),
                        tokenHash.value())
                    .compose(
                        updated ->
                            read(client, tokenHash)
                                .map(
                                    link ->
                                        link.map(
                                            stored ->
                                                new ConnectLinkClaim(
                                                    stored, updated.rowCount() != 1)))),
            claimed -> claimed.isPresent() && !claimed.get().alreadyUsed()));
  }

  @Override
  public CompletionStage<Long> purge(Instant before) {
    return Sql.stage(
        sql.run(
                pool,
                "DELETE FROM connect_links WHERE expires_at < ? OR used_at < ?",
                before.toEpochMilli(),
                before.toEpochMilli())
            .map(rows -> (long) rows.rowCount()));
  }

  private Future<Optional<ConnectLink>> read(SqlClient client, FlowHash tokenHash) {
    return sql.run(
            client,
            "SELECT " + COLUMNS + " FROM connect_links WHERE token_hash = ?",
            tokenHash.value())
        .map(rows -> Sql.first(rows, SqlConnectLinkStore::link));
  }

  private static ConnectLink link(Row row) {
    return new ConnectLink(
        new FlowHash(row.getString("token_hash")),
        new TokenKey(row.getString("credential"), row.getString("subject")),
        Optional.ofNullable(row.getString("return_url")).map(URI::create),
        new Actor(
            row.getString("created_by_subject"),
            row.getString("created_by_key_id"),
            row.getString("created_by_request_id")),
        Sql.instant(row, "created_at").orElseThrow(),
        Sql.instant(row, "expires_at").orElseThrow(),
        Sql.instant(row, "used_at"));
  }
}
