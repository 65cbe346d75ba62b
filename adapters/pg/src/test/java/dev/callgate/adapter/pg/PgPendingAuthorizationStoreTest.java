package dev.callgate.adapter.pg;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;

class PgPendingAuthorizationStoreTest extends PendingAuthorizationStoreContract {
  private PgFixture fixture;

  @Override
  protected PendingAuthorizationStore createStore() {
    fixture = new PgFixture();
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
