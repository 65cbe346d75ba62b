package dev.callgate.adapter.pg;

import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.TokenStoreContract;

class PgTokenStoreTest extends TokenStoreContract {
  private PgFixture fixture;

  @Override
  protected TokenStore createStore() {
    fixture = new PgFixture();
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
