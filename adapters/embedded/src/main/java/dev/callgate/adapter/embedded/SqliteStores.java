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
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
          "db/sqlite/V4__hashed_flow_state_browser_binding_refresh_budgets.sql",
          "db/sqlite/V5__secrets_bound_to_their_place.sql",
          "db/sqlite/V6__credential_provider_foreign_key.sql",
          "db/sqlite/V7__events_outbox.sql",
          "db/sqlite/V8__webhooks.sql",
          "db/sqlite/V9__console_sessions.sql",
          "db/sqlite/V10__connect_links.sql",
          "db/sqlite/V11__provider_token_request_parameters.sql",
          "db/sqlite/V12__provider_templates.sql",
          "db/sqlite/V13__provider_client_assertion_key.sql",
          "db/sqlite/V14__tls_client_keys.sql",
          "db/sqlite/V15__device_authorizations.sql");

  /** The version whose code step binds every sealed secret to its place. */
  static final int SECRETS_BOUND = 5;

  private SqliteStores() {}

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /**
   * The file holds sealed secrets, token metadata and key hashes: nobody but its owner reads it.
   * SQLite gives the {@code -wal} and {@code -shm} files it creates the mode of the database file;
   * companions left by an earlier version are tightened too.
   */
  static void ownerOnly(Path file) throws IOException {
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException exists) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path companion = file.resolveSibling(file.getFileName() + suffix);
      if (Files.exists(companion)) {
        Files.setPosixFilePermissions(companion, OWNER_ONLY);
      }
    }
  }

  /**
   * Opens (creating if needed) the database file, applies the migrations, builds the stores. The
   * file and its {@code -wal} and {@code -shm} companions are readable by their owner alone.
   */
  public static Future<SqlStores> open(Vertx vertx, Path file, SecretCipher cipher) {
    try {
      ownerOnly(file);
    } catch (IOException e) {
      return Future.failedFuture(
          new IllegalStateException("cannot create the database file " + file, e));
    }
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(5_000);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    Pool pool = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1));
    LocalChangeFeed feed = new LocalChangeFeed();
    return Migrations.apply(
            pool,
            SqlDialect.SQLITE,
            MIGRATIONS,
            Map.of(SECRETS_BOUND, SqlStores.bindSecretsToTheirPlace(cipher, SqlDialect.SQLITE)))
        .map(
            applied ->
                new SqlStores(pool, SqlDialect.SQLITE, cipher, feed, feed, Future::succeededFuture))
        .recover(failure -> pool.close().transform(closed -> Future.failedFuture(failure)));
  }
}
