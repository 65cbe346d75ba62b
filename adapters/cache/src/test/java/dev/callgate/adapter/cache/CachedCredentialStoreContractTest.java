package dev.callgate.adapter.cache;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.CredentialStoreContract;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryTokenStore;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/** The cached credential store keeps every promise of a credential store, tokens included. */
class CachedCredentialStoreContractTest extends CredentialStoreContract {
  private final Map<CredentialStore, TokenStore> tokens = new IdentityHashMap<>();

  @Override
  protected CredentialStore createStore() {
    InMemoryTokenStore memory = new InMemoryTokenStore();
    CachedStores cached =
        CachedStores.over(
            new InMemoryCredentialStore(memory),
            memory,
            new InMemoryApiKeyStore(),
            new ScriptedChangeFeed(),
            CacheOptions.defaults());
    tokens.put(cached.credentials(), cached.tokens());
    return cached.credentials();
  }

  @Override
  protected Optional<TokenStore> tokenStoreOf(CredentialStore credentials) {
    return Optional.ofNullable(tokens.get(credentials));
  }
}
