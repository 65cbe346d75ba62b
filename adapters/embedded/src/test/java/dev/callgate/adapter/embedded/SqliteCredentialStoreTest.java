package dev.callgate.adapter.embedded;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.CredentialStoreContract;
import java.util.Optional;

class SqliteCredentialStoreTest extends CredentialStoreContract {
  private SqliteFixture fixture;

  @Override
  protected CredentialStore createStore() {
    fixture = new SqliteFixture();
    return fixture.stores.credentials();
  }

  @Override
  protected Optional<TokenStore> tokenStoreOf(CredentialStore credentials) {
    return Optional.of(fixture.stores.tokens());
  }

  @Override
  protected void closeStore(CredentialStore closing) {
    fixture.close();
  }
}
