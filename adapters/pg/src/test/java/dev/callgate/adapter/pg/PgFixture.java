package dev.callgate.adapter.pg;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.adapter.sql.StoreFixtures;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The machine's real PostgreSQL (127.0.0.1:5432, trust auth): one throw-away database per test JVM,
 * emptied before each test and dropped at exit. Unreachable PostgreSQL fails the tests in CI and
 * skips them elsewhere.
 */
final class PgFixture {
  static final String KEY = AesGcmSecretCipher.generateKey();
  static final Vertx VERTX = Vertx.vertx();
  private static PgConnectOptions database;

  final SqlStores stores;

  PgFixture() {
    stores =
        PgStores.connect(VERTX, database(), AesGcmSecretCipher.of("k1", Map.of("k1", KEY)), 8)
            .await();
    truncate();
  }

  static synchronized PgConnectOptions database() {
    if (database == null) {
      // one database per test run, replaced at the next run (nothing accumulates)
      database = freshDatabase("callgate_test_adapter");
    }
    return database;
  }

  /**
   * A new, empty database named {@code name} (dropped first if a run left it), for a test that must
   * not share one with the others; skips the test when PostgreSQL is unreachable outside CI.
   */
  static PgConnectOptions freshDatabase(String name) {
    PgConnectOptions admin =
        new PgConnectOptions()
            .setHost(System.getenv().getOrDefault("CALLGATE_TEST_PG_HOST", "127.0.0.1"))
            .setPort(5432)
            .setUser("postgres")
            .setDatabase("postgres");
    Pool pool = PgBuilder.pool().connectingTo(admin).using(VERTX).build();
    try {
      pool.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute().await();
      pool.query("CREATE DATABASE " + name).execute().await();
    } catch (RuntimeException e) {
      String how =
          "PostgreSQL is not reachable on 127.0.0.1:5432 ("
              + e.getMessage()
              + "); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(how, e);
      }
      assumeTrue(false, how);
    } finally {
      pool.close();
    }
    return new PgConnectOptions(admin).setDatabase(name);
  }

  private void truncate() {
    Pool pool = PgBuilder.pool().connectingTo(database()).using(VERTX).build();
    try {
      pool.query(
              "TRUNCATE tokens, token_leases, credentials, providers, pending_authorizations, api_keys,"
                  + " api_key_revocations, events, webhook_deliveries, webhooks, webhook_leases,"
                  + " console_sessions, connect_links, device_authorizations")
          .execute()
          .await();
    } finally {
      pool.close().await();
    }
  }

  /** Every value of every row of {@code table}, as text, read past the stores. */
  static List<String> storedValues(String table) {
    Pool pool = PgBuilder.pool().connectingTo(database()).using(VERTX).build();
    try {
      List<String> values = new ArrayList<>();
      for (Row row : pool.query("SELECT * FROM " + table).execute().await()) {
        for (int i = 0; i < row.size(); i++) {
          values.add(String.valueOf(row.getValue(i)));
        }
      }
      return values;
    } finally {
      pool.close().await();
    }
  }

  void credentialExists(String name) {
    StoreFixtures.credentialExists(stores, name);
  }

  void close() {
    stores.close().await();
  }
}
