package dev.callgate.adapter.pg;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.CredentialStoreContract;
import java.util.Optional;

class PgCredentialStoreTest extends CredentialStoreContract {
  private PgFixture fixture;

  @Override
  protected CredentialStore createStore() {
    fixture = new PgFixture();
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
