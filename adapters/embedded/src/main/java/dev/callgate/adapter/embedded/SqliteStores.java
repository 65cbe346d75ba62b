package dev.callgate.adapter.embedded;

import dev.callgate.adapter.sql.LocalChangeFeed;
import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SqlDialect;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.port.SecretCipher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: one SQLite file, reached through the Vert.x JDBC client (its calls run on
 * Vert.x's worker pool, never on an event loop). One connection serves every store, so SQLite's
 * single writer never contends with itself and every transaction is exclusive.
 */
public final class SqliteStores {
  static final List<String> MIGRATIONS =
      List.of(
          "db/sqlite/V1__schema.sql",
          "db/sqlite/V2__unsettled_refresh_and_census.sql",
          "db/sqlite/V3__failure_streak_identity_client_rejected.sql",
          "db/sqlite/V4__hashed_flow_state_browser_binding_refresh_budgets.sql");

  private SqliteStores() {}

  /** Opens (creating if needed) the database file, applies the migrations, builds the stores. */
  public static Future<SqlStores> open(Vertx vertx, Path file, SecretCipher cipher) {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(5_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    Pool pool = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1));
    LocalChangeFeed feed = new LocalChangeFeed();
    return Migrations.apply(pool, SqlDialect.SQLITE, MIGRATIONS)
        .map(
            applied ->
                new SqlStores(pool, SqlDialect.SQLITE, cipher, feed, feed, Future::succeededFuture))
        .recover(failure -> pool.close().transform(closed -> Future.failedFuture(failure)));
  }
}
