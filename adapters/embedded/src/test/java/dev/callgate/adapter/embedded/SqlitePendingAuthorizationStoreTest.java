package dev.callgate.adapter.embedded;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;

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
  protected void closeStore(PendingAuthorizationStore closing) {
    fixture.close();
  }
}
