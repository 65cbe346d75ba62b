package dev.callgate.adapter.sql;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@link TokenStore} on a SQL database: compare-and-set as {@code UPDATE … WHERE version = ?},
 * refresh leases in their own table (a lease may precede the first record), due tokens claimed in
 * one transaction that skips rows another claimer holds.
 */
final class SqlTokenStore implements TokenStore {
  private final Pool pool;
  private final Sql sql;
  private final RecordMapper mapper;
  private final Consumer<StoreChange> changed;
  private final SqlEventLog eventLog;
  private final String updateSql;
  private final String insertSql;

  SqlTokenStore(
      Pool pool,
      Sql sql,
      RecordMapper mapper,
      Consumer<StoreChange> changed,
      SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.mapper = mapper;
    this.changed = changed;
    this.eventLog = eventLog;
    List<String> columns =
        Arrays.stream(RecordMapper.TOKEN_COLUMNS.split(",")).map(String::trim).toList();
    this.insertSql =
        "INSERT INTO tokens ("
            + RecordMapper.TOKEN_COLUMNS
            + ") VALUES ("
            + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
            + ") ON CONFLICT (credential, subject) DO NOTHING";
    this.updateSql =
        "UPDATE tokens SET "
            + columns.stream()
                .filter(c -> !c.equals("credential") && !c.equals("subject"))
                .map(c -> c + " = ?")
                .collect(Collectors.joining(", "))
            + " WHERE credential = ? AND subject = ? AND version = ?";
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> find(TokenKey key) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + RecordMapper.TOKEN_COLUMNS
                    + " FROM tokens WHERE credential = ? AND subject = ?",
                key.credentialName(),
                key.userSubject())
            .map(rows -> Sql.first(rows, mapper::token)));
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> compareAndSet(
      TokenRecord next, List<Event> events) {
    long expected = next.version();
    long stored = expected + 1;
    Object[] values = mapper.tokenValues(next, stored);
    String statement;
    Object[] parameters;
    if (expected == 0) {
      statement = insertSql;
      parameters = values;
    } else {
      statement = updateSql;
      parameters = new Object[values.length + 1];
      System.arraycopy(values, 2, parameters, 0, values.length - 2);
      parameters[values.length - 2] = next.key().credentialName();
      parameters[values.length - 1] = next.key().userSubject();
      parameters[values.length] = expected;
    }
    // the events only of the writer whose compare-and-set won
    Future<Integer> written =
        eventLog.changeWith(
            events,
            client -> sql.run(client, statement, parameters).map(rows -> rows.rowCount()),
            count -> count == 1);
    return Sql.stage(
        written.map(
            count -> {
              if (count != 1) {
                return Optional.<TokenRecord>empty();
              }
              changed.accept(new StoreChange.TokenChanged(next.key()));
              return Optional.of(next.withVersion(stored));
            }));
  }

  @Override
  public CompletionStage<Boolean> tryLease(TokenKey key, String owner, Instant until, Instant now) {
    return Sql.stage(
        sql.run(
                pool,
                "INSERT INTO token_leases (credential, subject, owner, lease_until) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (credential, subject) DO UPDATE SET owner = excluded.owner,"
                    + " lease_until = excluded.lease_until"
                    + " WHERE token_leases.lease_until <= ? OR token_leases.owner = excluded.owner",
                key.credentialName(),
                key.userSubject(),
                owner,
                until.toEpochMilli(),
                now.toEpochMilli())
            .map(rows -> rows.rowCount() == 1));
  }

  @Override
  public CompletionStage<Void> releaseLease(TokenKey key, String owner) {
    return Sql.stage(
        sql.run(
                pool,
                "DELETE FROM token_leases WHERE credential = ? AND subject = ? AND owner = ?",
                key.credentialName(),
                key.userSubject(),
                owner)
            .mapEmpty());
  }

  @Override
  public CompletionStage<List<TokenRecord>> claimDue(
      Instant now, int limit, String owner, Instant leaseUntil) {
    return Sql.stage(
        pool.withTransaction(
            connection ->
                sql.run(
                        connection,
                        "SELECT t.credential, t.subject FROM tokens t LEFT JOIN token_leases l"
                            + " ON l.credential = t.credential AND l.subject = t.subject"
                            + " WHERE t.next_refresh_at <= ? AND (l.lease_until IS NULL OR l.lease_until <= ?)"
                            + " ORDER BY t.next_refresh_at, t.credential, t.subject LIMIT ?"
                            + sql.dialect().lockCandidates(),
                        now.toEpochMilli(),
                        now.toEpochMilli(),
                        limit)
                    .compose(
                        candidates -> {
                          List<TokenKey> keys = new ArrayList<>();
                          for (Row row : candidates) {
                            keys.add(
                                new TokenKey(
                                    row.getString("credential"), row.getString("subject")));
                          }
                          return claim(connection, keys, owner, leaseUntil, now);
                        })));
  }

  /**
   * Leases each candidate only if its lease is still free: the candidates come from a snapshot that
   * may predate another claimer's commit, and the guarded upsert (which waits for that claimer and
   * then sees its lease) is what keeps a token from being claimed twice.
   */
  private Future<List<TokenRecord>> claim(
      SqlConnection connection,
      List<TokenKey> keys,
      String owner,
      Instant leaseUntil,
      Instant now) {
    Future<List<TokenRecord>> claimed = Future.succeededFuture(new ArrayList<>());
    for (TokenKey key : keys) {
      claimed =
          claimed.compose(
              list ->
                  sql.run(
                          connection,
                          "INSERT INTO token_leases (credential, subject, owner, lease_until) VALUES (?, ?, ?, ?)"
                              + " ON CONFLICT (credential, subject) DO UPDATE SET owner = excluded.owner,"
                              + " lease_until = excluded.lease_until WHERE token_leases.lease_until <= ?",
                          key.credentialName(),
                          key.userSubject(),
                          owner,
                          leaseUntil.toEpochMilli(),
                          now.toEpochMilli())
                      .compose(
                          leased ->
                              leased.rowCount() == 1
                                  ? sql.run(
                                      connection,
                                      "SELECT "
                                          + RecordMapper.TOKEN_COLUMNS
                                          + " FROM tokens WHERE credential = ? AND subject = ?",
                                      key.credentialName(),
                                      key.userSubject())
                                  : Future.succeededFuture(null))
                      .map(
                          rows -> {
                            if (rows != null) {
                              rows.forEach(row -> list.add(mapper.token(row)));
                            }
                            return list;
                          }));
    }
    return claimed.map(
        list -> {
          list.sort(
              Comparator.comparing((TokenRecord r) -> r.nextRefreshAt().orElse(Instant.MAX))
                  .thenComparing(r -> r.key().credentialName())
                  .thenComparing(r -> r.key().userSubject()));
          return list;
        });
  }

  @Override
  public CompletionStage<List<TokenRecord>> findByCredential(String credentialName) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + RecordMapper.TOKEN_COLUMNS
                    + " FROM tokens WHERE credential = ? ORDER BY subject",
                credentialName)
            .map(rows -> Sql.all(rows, mapper::token)));
  }

  /** The states whose grant lives on as far as the record says. */
  private static final String KEEPS_GRANT =
      Arrays.stream(TokenState.values())
          .filter(TokenState::keepsGrant)
          .map(state -> "'" + state.name() + "'")
          .collect(Collectors.joining(", "));

  private static final String PREDICTED_EXPIRED = "PREDICTED_EXPIRED";

  @Override
  public CompletionStage<TokenCensus> census(Instant now, Instant overdueBefore, int soonest) {
    // a grant kept by its state whose known refresh-token expiry has passed is counted apart
    Future<Map<String, Long>> byState =
        sql.run(
                pool,
                "SELECT CASE WHEN state IN ("
                    + KEEPS_GRANT
                    + ") AND refresh_expires_at <= ?"
                    + " AND refresh_expiry_source IN ('REPORTED', 'JWT_CLAIM', 'CONFIGURED')"
                    + " THEN '"
                    + PREDICTED_EXPIRED
                    + "' ELSE state END AS effective, count(*) AS n FROM tokens GROUP BY 1",
                now.toEpochMilli())
            .map(
                rows -> {
                  Map<String, Long> counts = new HashMap<>();
                  rows.forEach(row -> counts.put(row.getString("effective"), row.getLong("n")));
                  return counts;
                });
    Future<Long> overdue =
        sql.run(
                pool,
                "SELECT count(*) AS n FROM tokens WHERE next_refresh_at < ?",
                overdueBefore.toEpochMilli())
            .map(rows -> rows.iterator().next().getLong("n"));
    Future<List<TokenRecord>> soonestExpiring =
        sql.run(
                pool,
                "SELECT "
                    + RecordMapper.TOKEN_COLUMNS
                    + " FROM tokens WHERE refresh_expires_at IS NOT NULL"
                    + " ORDER BY refresh_expires_at, credential, subject LIMIT ?",
                Math.max(0, soonest))
            .map(rows -> Sql.all(rows, mapper::token));
    return Sql.stage(
        Future.all(byState, overdue, soonestExpiring)
            .map(
                all -> {
                  Map<TokenState, Long> counts = new EnumMap<>(TokenState.class);
                  long predicted = byState.result().getOrDefault(PREDICTED_EXPIRED, 0L);
                  byState
                      .result()
                      .forEach(
                          (state, n) -> {
                            TokenState counted =
                                state.equals(PREDICTED_EXPIRED)
                                    ? TokenState.NEEDS_AUTHORIZATION
                                    : TokenState.valueOf(state);
                            counts.merge(counted, n, Long::sum);
                          });
                  return new TokenCensus(
                      counts, predicted, overdue.result(), soonestExpiring.result());
                }));
  }

  @Override
  public CompletionStage<Void> delete(TokenKey key) {
    return Sql.stage(
        pool.withTransaction(
                connection ->
                    sql.run(
                            connection,
                            "DELETE FROM token_leases WHERE credential = ? AND subject = ?",
                            key.credentialName(),
                            key.userSubject())
                        .compose(
                            v ->
                                sql.run(
                                    connection,
                                    "DELETE FROM tokens WHERE credential = ? AND subject = ?",
                                    key.credentialName(),
                                    key.userSubject())))
            .map(
                rows -> {
                  if (rows.rowCount() > 0) {
                    changed.accept(new StoreChange.TokenChanged(key));
                  }
                  return (Void) null;
                }));
  }
}
