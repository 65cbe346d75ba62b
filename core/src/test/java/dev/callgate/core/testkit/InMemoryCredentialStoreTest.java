package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.TokenStore;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryCredentialStoreTest extends CredentialStoreContract {

  private final Map<CredentialStore, InMemoryTokenStore> tokens = new IdentityHashMap<>();

  @Override
  protected CredentialStore createStore() {
    InMemoryTokenStore tokenStore = new InMemoryTokenStore();
    InMemoryCredentialStore credentials = new InMemoryCredentialStore(tokenStore);
    tokens.put(credentials, tokenStore);
    return credentials;
  }

  @Override
  protected Optional<TokenStore> tokenStoreOf(CredentialStore credentials) {
    return Optional.ofNullable(tokens.get(credentials));
  }

  @Test
  void failWithWhenSetThenCallsFailUntilRecover() {
    InMemoryCredentialStore memory = (InMemoryCredentialStore) store;
    StoreUnavailableException down = new StoreUnavailableException("disk full", null);

    memory.failWith(down);

    assertThatThrownBy(() -> store.listCredentials().toCompletableFuture().join()).hasCause(down);
    memory.recover();
    store.listCredentials().toCompletableFuture().join();
  }
}
