package dev.callgate.adapter.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SealedAtRestContract;
import dev.callgate.adapter.sql.SqlDialect;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.port.SecretCipher;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteDataSource;

class SqliteSealedAtRestTest extends SealedAtRestContract {
  private final Vertx vertx = Vertx.vertx();
  private Path file;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Override
  protected SqlStores open(SecretCipher cipher) {
    try {
      file = Files.createTempDirectory("callgate-sealed").resolve("callgate.db");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return reopen(cipher);
  }

  @Override
  protected SqlStores reopen(SecretCipher cipher) {
    return SqliteStores.open(vertx, file, cipher).await();
  }

  @Override
  protected List<List<String>> rawRows(String table) {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet result = connection.createStatement().executeQuery("SELECT * FROM " + table)) {
      List<List<String>> rows = new ArrayList<>();
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          values.add(String.valueOf(result.getObject(i)));
        }
        rows.add(values);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void rawUpdate(String statement) {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      connection.createStatement().executeUpdate(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Pool databaseBeforeBinding() {
    open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY))).close().await();
    try {
      Files.delete(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-wal"));
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-shm"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    SQLiteDataSource dataSource = new SQLiteDataSource();
    dataSource.setUrl("jdbc:sqlite:" + file);
    Pool pool = JDBCPool.pool(vertx, dataSource, new PoolOptions().setMaxSize(1));
    Migrations.apply(
            pool,
            SqlDialect.SQLITE,
            SqliteStores.MIGRATIONS.subList(
                0,
                SqliteStores.MIGRATIONS.indexOf("db/sqlite/V5__secrets_bound_to_their_place.sql")))
        .await();
    return pool;
  }

  @Override
  protected SqlDialect dialect() {
    return SqlDialect.SQLITE;
  }

  @Test
  void openWhenTheDatabaseIsCreatedThenOnlyItsOwnerMayReadItOrItsJournal() throws IOException {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    stores.apiKeys().list().toCompletableFuture().join();

    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(ownerOnly);
    Path wal = file.resolveSibling("callgate.db-wal");
    Path shm = file.resolveSibling("callgate.db-shm");
    assertThat(wal).exists();
    assertThat(Files.getPosixFilePermissions(wal)).isEqualTo(ownerOnly);
    assertThat(Files.getPosixFilePermissions(shm)).isEqualTo(ownerOnly);
    stores.close().await();
  }

  @Test
  void openWhenAnEarlierVersionLeftTheFileReadableByOthersThenItIsTightened() throws IOException {
    open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY))).close().await();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    SqlStores stores = reopen(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    stores.close().await();
  }
}
