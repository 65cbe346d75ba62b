package dev.callgate.adapter.embedded;

import dev.callgate.core.testkit.ConnectLinkStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

class SqliteConnectLinkStoreTest extends ConnectLinkStoreContract {
  private SqliteFixture fixture;

  @Override
  protected Stores create() {
    fixture = new SqliteFixture();
    return new Stores(fixture.stores.connectLinks(), fixture.stores.events());
  }

  @Override
  protected List<String> storedValues() {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + fixture.file);
        ResultSet result =
            connection.createStatement().executeQuery("SELECT * FROM connect_links")) {
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
  protected void close(Stores stores) {
    fixture.close();
  }
}
