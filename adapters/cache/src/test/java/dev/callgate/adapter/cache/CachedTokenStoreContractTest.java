package dev.callgate.adapter.cache;

import dev.callgate.core.port.TokenStore;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.TokenStoreContract;

/** The cached token store keeps every promise of a token store. */
class CachedTokenStoreContractTest extends TokenStoreContract {
  @Override
  protected TokenStore createStore() {
    InMemoryTokenStore tokens = new InMemoryTokenStore();
    return CachedStores.over(
            new InMemoryCredentialStore(tokens),
            tokens,
            new InMemoryApiKeyStore(),
            new ScriptedChangeFeed(),
            CacheOptions.defaults())
        .tokens();
  }
}
