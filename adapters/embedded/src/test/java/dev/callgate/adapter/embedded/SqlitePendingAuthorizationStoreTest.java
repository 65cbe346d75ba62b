package dev.callgate.adapter.embedded;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

class SqlitePendingAuthorizationStoreTest extends PendingAuthorizationStoreContract {
  private SqliteFixture fixture;

  @Override
  protected PendingAuthorizationStore createStore() {
    fixture = new SqliteFixture();
    return fixture.stores.pendingAuthorizations();
  }

  @Override
  protected void credentialExists(String credentialName) {
    fixture.credentialExists(credentialName);
  }

  @Override
  protected List<String> storedValues() {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + fixture.file);
        ResultSet result =
            connection.createStatement().executeQuery("SELECT * FROM pending_authorizations")) {
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

  @Override
  protected void closeStore(PendingAuthorizationStore closing) {
    fixture.close();
  }
}
