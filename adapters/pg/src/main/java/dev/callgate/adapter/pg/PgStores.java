package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SqlDialect;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.port.SecretCipher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.Map;

/**
 * The PostgreSQL store, for production and for clusters: one pool (vertx-pg-client), the migrations
 * applied under an advisory lock, due tokens claimed with {@code FOR UPDATE SKIP LOCKED}, and
 * changes of tokens, credentials, providers and API keys announced to every instance with {@code
 * LISTEN/NOTIFY} ({@link PgChangeNotifier}, {@link PgChangeFeed}).
 */
public final class PgStores {
  static final List<String> MIGRATIONS =
      List.of(
          "db/pg/V1__schema.sql",
          "db/pg/V2__unsettled_refresh_and_census.sql",
          "db/pg/V3__failure_streak_identity_client_rejected.sql",
          "db/pg/V4__hashed_flow_state_browser_binding_refresh_budgets.sql",
          "db/pg/V5__secrets_bound_to_their_place.sql",
          "db/pg/V6__credential_provider_foreign_key.sql",
          "db/pg/V7__events_outbox.sql",
          "db/pg/V8__webhooks.sql",
          "db/pg/V9__console_sessions.sql",
          "db/pg/V10__connect_links.sql",
          "db/pg/V11__provider_token_request_parameters.sql",
          "db/pg/V12__provider_templates.sql",
          "db/pg/V13__provider_client_assertion_key.sql",
          "db/pg/V14__tls_client_keys.sql",
          "db/pg/V15__device_authorizations.sql");

  /** The version whose code step binds every sealed secret to its place. */
  static final int SECRETS_BOUND = 5;

  private PgStores() {}

  /** How long opening a connection may take: a database that does not answer fails fast. */
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  /**
   * {@code url}: {@code postgresql://user:password@host:port/database}. A URL the driver cannot
   * read fails the future with a message that leaves the URL (and its password) out.
   */
  public static Future<SqlStores> connect(
      Vertx vertx, String url, SecretCipher cipher, int poolSize) {
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "the database URL is not a PostgreSQL connection URI"
                  + " (postgresql://user:password@host:port/database)"));
    }
    return connect(vertx, options, cipher, poolSize);
  }

  public static Future<SqlStores> connect(
      Vertx vertx, PgConnectOptions options, SecretCipher cipher, int poolSize) {
    // statements are few and repeated: prepare each once per connection
    PgConnectOptions prepared = new PgConnectOptions(options).setCachePreparedStatements(true);
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(poolSize))
            .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MILLIS))
            .connectingTo(prepared)
            .using(vertx)
            .build();
    PgChangeNotifier notifier = PgChangeNotifier.connect(vertx, prepared);
    return Migrations.apply(
            pool,
            SqlDialect.POSTGRESQL,
            MIGRATIONS,
            Map.of(SECRETS_BOUND, SqlStores.bindSecretsToTheirPlace(cipher, SqlDialect.POSTGRESQL)))
        .compose(applied -> PgChangeFeed.connect(vertx, options))
        .map(
            feed ->
                new SqlStores(
                    pool,
                    SqlDialect.POSTGRESQL,
                    cipher,
                    notifier,
                    feed,
                    () -> feed.close().eventually(notifier::close)))
        .recover(
            failure ->
                notifier
                    .close()
                    .eventually(pool::close)
                    .transform(closed -> Future.failedFuture(failure)));
  }
}
