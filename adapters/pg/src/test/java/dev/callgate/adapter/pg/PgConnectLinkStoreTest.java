package dev.callgate.adapter.pg;

import dev.callgate.core.testkit.ConnectLinkStoreContract;
import java.util.List;

class PgConnectLinkStoreTest extends ConnectLinkStoreContract {
  private PgFixture fixture;

  @Override
  protected Stores create() {
    fixture = new PgFixture();
    return new Stores(fixture.stores.connectLinks(), fixture.stores.events());
  }

  @Override
  protected List<String> storedValues() {
    return PgFixture.storedValues("connect_links");
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
