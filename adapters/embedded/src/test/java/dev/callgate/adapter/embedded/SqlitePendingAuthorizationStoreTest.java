package dev.callgate.adapter.embedded;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;
import java.util.List;

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
  protected List<String> storedValues() {
    return fixture.storedValues("pending_authorizations");
  }

  @Override
  protected void closeStore(PendingAuthorizationStore closing) {
    fixture.close();
  }
}
