package dev.callgate.core.testkit;

import dev.callgate.core.port.DeviceAuthorizationStore;

class InMemoryDeviceAuthorizationStoreTest extends DeviceAuthorizationStoreContract {
  @Override
  protected DeviceAuthorizationStore createStore() {
    return new InMemoryDeviceAuthorizationStore(new InMemoryEventLog());
  }
}
