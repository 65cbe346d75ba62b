package dev.callgate.adapter.embedded;

import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.TokenStoreContract;

class SqliteTokenStoreTest extends TokenStoreContract {
  private SqliteFixture fixture;

  @Override
  protected TokenStore createStore() {
    fixture = new SqliteFixture();
    return fixture.stores.tokens();
  }

  @Override
  protected void credentialExists(String credentialName) {
    fixture.credentialExists(credentialName);
  }

  @Override
  protected void closeStore(TokenStore closing) {
    fixture.close();
  }
}
