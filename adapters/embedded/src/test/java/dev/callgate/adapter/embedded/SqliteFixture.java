package dev.callgate.adapter.embedded;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.adapter.sql.StoreFixtures;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  void credentialExists(String name) {
    StoreFixtures.credentialExists(stores, name);
  }

  void close() {
    stores.close().await();
    vertx.close().await();
  }
}
