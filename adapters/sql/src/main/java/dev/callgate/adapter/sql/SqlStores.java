package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.ConnectLinkStore;
import dev.callgate.core.port.ConsoleSessionStore;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.port.SecretCipher;
import dev.callgate.core.port.SecretCipher.Place;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.port.WebhookStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Callgate's stores on one SQL pool: credentials and providers, tokens, pending authorizations,
 * connect links, API keys, console sessions, webhooks and the event log, every secret sealed by the
 * {@link SecretCipher}. The PostgreSQL and SQLite adapters open the pool, apply their migrations
 * and build this.
 */
public final class SqlStores {
  /**
   * The tables and columns holding sealed secrets when secrets were bound to their place (the
   * migration step of version 5 re-seals these, and only these: later tables do not exist yet).
   */
  private static final List<String[]> SEALED_BY_V5 =
      List.of(
          new String[] {"providers", "client_secret", "name"},
          new String[] {"credentials", "secret", "name"},
          new String[] {"credentials", "url_query", "name"},
          new String[] {"tokens", "access_token", "credential, subject"},
          new String[] {"tokens", "refresh_token", "credential, subject"},
          new String[] {"pending_authorizations", "code_verifier", "state_hash"});

  /** The tables and columns holding sealed secrets, with the key columns that find a row. */
  private static final List<String[]> SEALED =
      java.util.stream.Stream.concat(
              SEALED_BY_V5.stream(),
              java.util.stream.Stream.<String[]>of(
                  new String[] {"webhooks", "secret", "id"},
                  new String[] {"providers", "client_private_key", "name"},
                  new String[] {"providers", "tls_client_key", "name"},
                  new String[] {"credentials", "tls_client_key", "name"},
                  new String[] {"device_authorizations", "device_code", "id"}))
          .toList();

  private final Pool pool;
  private final Sql sql;
  private final SecretColumns secrets;
  private final SqlCredentialStore credentials;
  private final SqlTokenStore tokens;
  private final SqlPendingAuthorizationStore pending;
  private final SqlApiKeyStore apiKeys;
  private final SqlEventLog events;
  private final SqlWebhookStore webhooks;
  private final SqlConsoleSessionStore consoleSessions;
  private final SqlConnectLinkStore connectLinks;
  private final SqlDeviceAuthorizationStore deviceAuthorizations;
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
    this.events = new SqlEventLog(pool, sql, changed);
    this.credentials = new SqlCredentialStore(pool, sql, mapper, changed, events);
    this.tokens = new SqlTokenStore(pool, sql, mapper, changed, events);
    this.pending = new SqlPendingAuthorizationStore(pool, sql, mapper, events);
    this.apiKeys = new SqlApiKeyStore(pool, sql, changed, events);
    this.webhooks = new SqlWebhookStore(pool, sql, secrets, events);
    this.consoleSessions = new SqlConsoleSessionStore(pool, sql, events);
    this.connectLinks = new SqlConnectLinkStore(pool, sql, events);
    this.deviceAuthorizations = new SqlDeviceAuthorizationStore(pool, sql, secrets, events);
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

  /**
   * The event log the other stores write their events to, each in the transaction of its change;
   * {@link StoreChange.EventsAppended} tells the {@link #changes() feed} of every commit of events.
   */
  public EventLog events() {
    return events;
  }

  /** Webhook subscriptions, their deliveries and the dispatch lease. */
  public WebhookStore webhooks() {
    return webhooks;
  }

  /** The console's signed-in browsers, by the hash of their cookie's secret. */
  public ConsoleSessionStore consoleSessions() {
    return consoleSessions;
  }

  /** Connect links: single-use, found by the hash of their token. */
  public ConnectLinkStore connectLinks() {
    return connectLinks;
  }

  /** Device authorizations in progress, one per token, claimed by one poller at a time. */
  public DeviceAuthorizationStore deviceAuthorizations() {
    return deviceAuthorizations;
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
            connection ->
                resealAll(
                    connection,
                    sql,
                    stored -> !SecretColumns.keyId(stored).equals(secrets.currentKeyId()),
                    secrets::open)));
  }

  /**
   * The migration step that binds every secret to its place: a secret sealed before (in the unbound
   * form) is opened and sealed again for its table, column and row, and a credential URL's query —
   * which may carry an API key — moves out of the plain {@code url} column into the sealed {@code
   * url_query}. Runs inside the migration's transaction, after its SQL.
   */
  public static Migrations.Step bindSecretsToTheirPlace(SecretCipher cipher, SqlDialect dialect) {
    SecretColumns secrets = new SecretColumns(cipher);
    Sql sql = new Sql(dialect);
    return connection ->
        sealUrlQueries(connection, sql, secrets)
            .compose(
                moved ->
                    resealAll(
                        connection,
                        sql,
                        SEALED_BY_V5,
                        stored -> !SecretColumns.bound(stored),
                        (stored, place) -> Optional.of(secrets.openUnbound(stored)),
                        secrets))
            .mapEmpty();
  }

  private Future<Integer> resealAll(
      SqlConnection connection,
      Sql sql,
      Predicate<String> stale,
      BiFunction<String, Place, Optional<Secret>> open) {
    return resealAll(connection, sql, SEALED, stale, open, secrets);
  }

  private static Future<Integer> resealAll(
      SqlConnection connection,
      Sql sql,
      List<String[]> sealed,
      Predicate<String> stale,
      BiFunction<String, Place, Optional<Secret>> open,
      SecretColumns secrets) {
    Future<Integer> done = Future.succeededFuture(0);
    for (String[] column : sealed) {
      done =
          done.compose(
              count ->
                  reseal(connection, sql, secrets, column[0], column[1], column[2], stale, open)
                      .map(n -> count + n));
    }
    return done;
  }

  private static Future<Integer> reseal(
      SqlConnection connection,
      Sql sql,
      SecretColumns secrets,
      String table,
      String column,
      String keyColumns,
      Predicate<String> stale,
      BiFunction<String, Place, Optional<Secret>> open) {
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
                if (!stale.test(sealed)) {
                  continue;
                }
                List<String> rowKey = new ArrayList<>();
                Object[] parameters = new Object[keys.length + 1];
                for (int i = 0; i < keys.length; i++) {
                  parameters[i + 1] = row.getValue(keys[i]);
                  rowKey.add(row.getString(keys[i]));
                }
                Place place = new Place(table, column, rowKey);
                parameters[0] = secrets.seal(open.apply(sealed, place).orElseThrow(), place);
                updates.add(parameters);
              }
              return update(connection, sql, table, column, keys, updates);
            });
  }

  private static Future<Integer> sealUrlQueries(
      SqlConnection connection, Sql sql, SecretColumns secrets) {
    return sql.run(connection, "SELECT name, url FROM credentials WHERE url LIKE ?", "%?%")
        .compose(
            rows -> {
              List<Object[]> updates = new ArrayList<>();
              for (Row row : rows) {
                String name = row.getString("name");
                String url = row.getString("url");
                int question = url.indexOf('?');
                updates.add(
                    new Object[] {
                      url.substring(0, question),
                      secrets.seal(
                          Secret.of(url.substring(question + 1)),
                          Place.of("credentials", "url_query", name)),
                      name
                    });
              }
              Future<Integer> done = Future.succeededFuture(0);
              for (Object[] parameters : updates) {
                done =
                    done.compose(
                        n ->
                            sql.run(
                                    connection,
                                    "UPDATE credentials SET url = ?, url_query = ? WHERE name = ?",
                                    parameters)
                                .map(n + 1));
              }
              return done;
            });
  }

  private static Future<Integer> update(
      SqlConnection connection,
      Sql sql,
      String table,
      String column,
      String[] keys,
      List<Object[]> updates) {
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
  }

  public Future<Void> close() {
    return closeFeed.get().eventually(pool::close);
  }
}
