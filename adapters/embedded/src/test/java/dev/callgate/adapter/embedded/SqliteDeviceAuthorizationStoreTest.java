package dev.callgate.adapter.embedded;

import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.testkit.DeviceAuthorizationStoreContract;

class SqliteDeviceAuthorizationStoreTest extends DeviceAuthorizationStoreContract {
  private SqliteFixture fixture;

  @Override
  protected DeviceAuthorizationStore createStore() {
    fixture = new SqliteFixture();
    return fixture.stores.deviceAuthorizations();
  }

  @Override
  protected void closeStore(DeviceAuthorizationStore closing) {
    fixture.close();
  }
}
