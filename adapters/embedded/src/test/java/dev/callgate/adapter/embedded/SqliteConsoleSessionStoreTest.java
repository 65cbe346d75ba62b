package dev.callgate.adapter.embedded;

import dev.callgate.core.testkit.ConsoleSessionStoreContract;

class SqliteConsoleSessionStoreTest extends ConsoleSessionStoreContract {
  private SqliteFixture fixture;

  @Override
  protected Stores create() {
    fixture = new SqliteFixture();
    return new Stores(fixture.stores.consoleSessions(), fixture.stores.events());
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
