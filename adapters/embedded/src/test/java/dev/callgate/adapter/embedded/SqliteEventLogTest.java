package dev.callgate.adapter.embedded;

import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.testkit.EventLogContract;

class SqliteEventLogTest extends EventLogContract {
  private SqliteFixture fixture;

  @Override
  protected Stores createStores() {
    fixture = new SqliteFixture();
    SqlStores sql = fixture.stores;
    return new Stores(
        sql.events(), sql.tokens(), sql.credentials(), sql.apiKeys(), sql.pendingAuthorizations());
  }

  @Override
  protected void closeStores(Stores closing) {
    fixture.close();
  }
}
