package dev.callgate.adapter.embedded;

import dev.callgate.adapter.sql.SealedAtRestContract;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.port.SecretCipher;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

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
}
