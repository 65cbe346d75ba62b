package dev.callgate.adapter.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SqlDialect;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.ProviderDeletionOutcome;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteDataSource;

/**
 * A store an earlier version wrote, opened by this one: its records stay readable, a client the
 * provider refused keeps its grant, and a failure streak keeps a date.
 */
class SqliteUpgradeTest {
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  @Test
  void openWhenTheFileHasTheSecondSchemaThenOldRecordsReadWithTheirMeaningKept() throws Exception {
    Path file = Files.createTempDirectory("callgate-upgrade").resolve("callgate.db");
    SQLiteDataSource dataSource = new SQLiteDataSource();
    dataSource.setUrl("jdbc:sqlite:" + file);
    Pool before = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1));
    Migrations.apply(before, SqlDialect.SQLITE, SqliteStores.MIGRATIONS.subList(0, 2)).await();
    write(
        before,
        "INSERT INTO credentials (name, url, protocol, principal, settings) VALUES ('crm',"
            + " 'https://api.test', 'none', 'named', '{\"allowedCallers\":[],"
            + "\"generateAuthorizationHeader\":true,\"allowMergeFieldsInHeaders\":false,"
            + "\"allowMergeFieldsInBody\":false,\"keepAlive\":true}')");
    // as the second schema's version stored a refused client and a streak of passing failures
    insertToken(
        before,
        "refused",
        "NEEDS_AUTHORIZATION",
        0,
        "[{\"code\":\"CLIENT_AUTH_FAILED\",\"facts\":{\"clientId\":\"callgate\","
            + "\"error\":\"invalid_client\",\"errorDescription\":\"bad secret\"}}]");
    insertToken(before, "failing", "REFRESH_FAILED", 3, "[]");
    before.close().await();

    SqlStores stores =
        SqliteStores.open(
                vertx,
                file,
                AesGcmSecretCipher.of("k1", Map.of("k1", AesGcmSecretCipher.generateKey())))
            .await();
    try {
      TokenRecord refused =
          stores.tokens().find(new TokenKey("crm", "refused")).toCompletableFuture().join().get();
      TokenRecord failing =
          stores.tokens().find(new TokenKey("crm", "failing")).toCompletableFuture().join().get();

      assertThat(refused.state()).isEqualTo(TokenState.CLIENT_REJECTED);
      assertThat(refused.diagnoses().get(0).code()).isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
      assertThat(refused.diagnoses().get(0).fact("provider")).isEqualTo("unknown");
      assertThat(failing.failures())
          .isEqualTo(
              new FailureStreak(
                  3, Optional.of(T0.plusSeconds(30)), Optional.of(T0.plusSeconds(30))));
    } finally {
      stores.close().await();
    }
  }

  @Test
  void openWhenCredentialsNamedTheirProviderOnlyInSettingsThenAProviderInUseCannotBeDeleted()
      throws Exception {
    Path file = Files.createTempDirectory("callgate-upgrade").resolve("callgate.db");
    SQLiteDataSource dataSource = new SQLiteDataSource();
    dataSource.setUrl("jdbc:sqlite:" + file);
    Pool before = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1));
    Migrations.apply(before, SqlDialect.SQLITE, SqliteStores.MIGRATIONS.subList(0, 3)).await();
    write(
        before,
        "INSERT INTO providers (name, token_endpoint, client_id, client_auth_method, scopes)"
            + " VALUES ('idp', 'https://idp.test/token', 'callgate', 'client_secret_basic', '[]')");
    insertCredential(before, "crm", "idp");
    // left behind by a deletion that raced the credential's creation before this version
    insertCredential(before, "orphan", "gone");
    before.close().await();

    SqlStores stores =
        SqliteStores.open(
                vertx,
                file,
                AesGcmSecretCipher.of("k1", Map.of("k1", AesGcmSecretCipher.generateKey())))
            .await();
    try {
      assertThat(stores.credentials().deleteProvider("idp").toCompletableFuture().join())
          .isEqualTo(ProviderDeletionOutcome.IN_USE);
      assertThat(stores.credentials().findCredential("orphan").toCompletableFuture().join())
          .isPresent();
      assertThat(stores.credentials().deleteCredential("crm").toCompletableFuture().join())
          .isTrue();
      assertThat(stores.credentials().deleteProvider("idp").toCompletableFuture().join())
          .isEqualTo(ProviderDeletionOutcome.DELETED);
    } finally {
      stores.close().await();
    }
  }

  private static void insertCredential(Pool pool, String name, String provider) {
    write(
        pool,
        "INSERT INTO credentials (name, url, protocol, principal, settings) VALUES ('"
            + name
            + "', 'https://api.test', 'oauth2_client_credentials', 'named',"
            + " '{\"provider\":\""
            + provider
            + "\",\"allowedCallers\":[],\"generateAuthorizationHeader\":true,"
            + "\"allowMergeFieldsInHeaders\":false,\"allowMergeFieldsInBody\":false,"
            + "\"keepAlive\":true}')");
  }

  private static void insertToken(
      Pool pool, String subject, String state, int failures, String diagnoses) {
    write(
        pool,
        "INSERT INTO tokens (credential, subject, state, last_refresh_at, consecutive_failures,"
            + " next_attempt_at, attempts_window_start, attempts_count, diagnoses, version)"
            + " VALUES ('crm', '"
            + subject
            + "', '"
            + state
            + "', "
            + T0.toEpochMilli()
            + ", "
            + failures
            + ", "
            + T0.plusSeconds(30).toEpochMilli()
            + ", 0, 0, '"
            + diagnoses
            + "', 1)");
  }

  /** One statement in a transaction of its own, as the stores write. */
  private static void write(Pool pool, String sql) {
    pool.withTransaction(connection -> connection.query(sql).execute()).await();
  }
}
