package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.testkit.EventLogContract;

class PgEventLogTest extends EventLogContract {
  private PgFixture fixture;

  @Override
  protected Stores createStores() {
    fixture = new PgFixture();
    SqlStores sql = fixture.stores;
    return new Stores(
        sql.events(), sql.tokens(), sql.credentials(), sql.apiKeys(), sql.pendingAuthorizations());
  }

  @Override
  protected void closeStores(Stores closing) {
    fixture.close();
  }
}
