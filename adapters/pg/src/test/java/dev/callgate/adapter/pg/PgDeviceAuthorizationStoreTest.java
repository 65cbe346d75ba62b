package dev.callgate.adapter.pg;

import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.testkit.DeviceAuthorizationStoreContract;

class PgDeviceAuthorizationStoreTest extends DeviceAuthorizationStoreContract {
  private PgFixture fixture;

  @Override
  protected DeviceAuthorizationStore createStore() {
    fixture = new PgFixture();
    return fixture.stores.deviceAuthorizations();
  }

  @Override
  protected void closeStore(DeviceAuthorizationStore closing) {
    fixture.close();
  }
}
