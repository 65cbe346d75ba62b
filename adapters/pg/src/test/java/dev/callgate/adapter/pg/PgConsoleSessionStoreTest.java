package dev.callgate.adapter.pg;

import dev.callgate.core.testkit.ConsoleSessionStoreContract;

class PgConsoleSessionStoreTest extends ConsoleSessionStoreContract {
  private PgFixture fixture;

  @Override
  protected Stores create() {
    fixture = new PgFixture();
    return new Stores(fixture.stores.consoleSessions(), fixture.stores.events());
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
