package dev.callgate.core.testkit;

import dev.callgate.core.port.PendingAuthorizationStore;

class InMemoryPendingAuthorizationStoreTest extends PendingAuthorizationStoreContract {

  @Override
  protected PendingAuthorizationStore createStore() {
    return new InMemoryPendingAuthorizationStore();
  }
}
