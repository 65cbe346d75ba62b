package dev.callgate.adapter.sql;

import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.port.SecretCipher;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.TokenStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Callgate's stores on one SQL pool: credentials and providers, tokens, pending authorizations and
 * API keys, every secret sealed by the {@link SecretCipher}. The PostgreSQL and SQLite adapters
 * open the pool, apply their migrations and build this.
 */
public final class SqlStores {
  /** The tables and columns holding sealed secrets, with the key columns that find a row. */
  private static final List<String[]> SEALED =
      List.of(
          new String[] {"providers", "client_secret", "name"},
          new String[] {"credentials", "secret", "name"},
          new String[] {"tokens", "access_token", "credential, subject"},
          new String[] {"tokens", "refresh_token", "credential, subject"},
          new String[] {"pending_authorizations", "code_verifier", "state_hash"});

  private final Pool pool;
  private final Sql sql;
  private final SecretColumns secrets;
  private final SqlCredentialStore credentials;
  private final SqlTokenStore tokens;
  private final SqlPendingAuthorizationStore pending;
  private final SqlApiKeyStore apiKeys;
  private final ChangeFeed feed;
  private final Supplier<Future<Void>> closeFeed;

  /**
   * {@code changed} hears of every record this process writes or deletes; {@code feed} is how
   * listeners learn of changes (in this process only, or from every instance).
   */
  public SqlStores(
      Pool pool,
      SqlDialect dialect,
      SecretCipher cipher,
      Consumer<StoreChange> changed,
      ChangeFeed feed,
      Supplier<Future<Void>> closeFeed) {
    this.pool = pool;
    this.feed = feed;
    this.closeFeed = closeFeed;
    this.sql = new Sql(dialect);
    this.secrets = new SecretColumns(cipher);
    RecordMapper mapper = new RecordMapper(secrets);
    this.credentials = new SqlCredentialStore(pool, sql, mapper, changed);
    this.tokens = new SqlTokenStore(pool, sql, mapper, changed);
    this.pending = new SqlPendingAuthorizationStore(pool, sql, mapper);
    this.apiKeys = new SqlApiKeyStore(pool, sql, changed);
  }

  public CredentialStore credentials() {
    return credentials;
  }

  public TokenStore tokens() {
    return tokens;
  }

  public PendingAuthorizationStore pendingAuthorizations() {
    return pending;
  }

  public ApiKeyStore apiKeys() {
    return apiKeys;
  }

  public ChangeFeed changes() {
    return feed;
  }

  /** True when the database answers a trivial query. */
  public CompletionStage<Boolean> ping() {
    return pool.withConnection(connection -> connection.query("SELECT 1").execute())
        .map(rows -> true)
        .otherwise(false)
        .toCompletionStage();
  }

  /**
   * Re-seals every secret under the cipher's current key (after a master-key rotation), in one
   * transaction; returns how many secrets were re-sealed. The old key can be dropped afterwards.
   */
  public CompletionStage<Integer> reencryptSecrets() {
    return Sql.stage(
        pool.withTransaction(
            connection -> {
              Future<Integer> done = Future.succeededFuture(0);
              for (String[] column : SEALED) {
                done =
                    done.compose(
                        count ->
                            reseal(connection, column[0], column[1], column[2])
                                .map(n -> count + n));
              }
              return done;
            }));
  }

  private Future<Integer> reseal(
      SqlConnection connection, String table, String column, String keyColumns) {
    String[] keys = keyColumns.split(",\\s*");
    return sql.run(
            connection,
            "SELECT "
                + keyColumns
                + ", "
                + column
                + " FROM "
                + table
                + " WHERE "
                + column
                + " IS NOT NULL")
        .compose(
            rows -> {
              List<Object[]> updates = new ArrayList<>();
              for (Row row : rows) {
                String sealed = row.getString(column);
                if (SecretColumns.keyId(sealed).equals(secrets.currentKeyId())) {
                  continue;
                }
                Object[] parameters = new Object[keys.length + 1];
                parameters[0] = secrets.seal(secrets.open(sealed).orElseThrow());
                for (int i = 0; i < keys.length; i++) {
                  parameters[i + 1] = row.getValue(keys[i]);
                }
                updates.add(parameters);
              }
              StringBuilder where = new StringBuilder();
              for (String key : keys) {
                where.append(where.length() == 0 ? "" : " AND ").append(key).append(" = ?");
              }
              Future<Integer> done = Future.succeededFuture(0);
              for (Object[] parameters : updates) {
                done =
                    done.compose(
                        n ->
                            sql.run(
                                    connection,
                                    "UPDATE " + table + " SET " + column + " = ? WHERE " + where,
                                    parameters)
                                .map(n + 1));
              }
              return done;
            });
  }

  public Future<Void> close() {
    return closeFeed.get().eventually(pool::close);
  }
}
