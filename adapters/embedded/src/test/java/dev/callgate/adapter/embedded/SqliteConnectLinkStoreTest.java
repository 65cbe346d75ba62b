package dev.callgate.adapter.embedded;

import dev.callgate.core.testkit.ConnectLinkStoreContract;
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
    return fixture.storedValues("connect_links");
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
