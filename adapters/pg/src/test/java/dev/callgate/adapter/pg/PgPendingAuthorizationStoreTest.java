package dev.callgate.adapter.pg;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;
import java.util.List;

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
  protected List<String> storedValues() {
    return PgFixture.storedValues("pending_authorizations");
  }

  @Override
  protected void closeStore(PendingAuthorizationStore closing) {
    fixture.close();
  }
}
