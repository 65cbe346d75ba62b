package dev.callgate.adapter.embedded;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.adapter.sql.StoreFixtures;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A fresh SQLite file per store, and what the contract hooks need. */
final class SqliteFixture {
  static final String KEY = AesGcmSecretCipher.generateKey();

  final Vertx vertx = Vertx.vertx();
  final Path file;
  final SqlStores stores;

  SqliteFixture() {
    try {
      file = Files.createTempDirectory("callgate-sqlite").resolve("callgate.db");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stores = SqliteStores.open(vertx, file, AesGcmSecretCipher.of("k1", Map.of("k1", KEY))).await();
  }

  /** Every value of every row of {@code table}, as text, read past the stores. */
  List<String> storedValues(String table) {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet result = connection.createStatement().executeQuery("SELECT * FROM " + table)) {
      List<String> values = new ArrayList<>();
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        for (int i = 1; i <= columns; i++) {
          values.add(String.valueOf(result.getObject(i)));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  void credentialExists(String name) {
    StoreFixtures.credentialExists(stores, name);
  }

  void close() {
    stores.close().await();
    vertx.close().await();
  }
}
