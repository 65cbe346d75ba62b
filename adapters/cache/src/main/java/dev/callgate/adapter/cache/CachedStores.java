package dev.callgate.adapter.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;

/**
 * Read-through caches in front of a store, so that a callout reads neither its credential, its
 * token nor the caller's API key from the database while nothing has changed. Every change the
 * store's {@link ChangeFeed} announces drops what it names, in this instance and every other
 * sharing the store; when the feed stops listening, the caches read through until it listens again,
 * and then drop everything. Writes go to the store and drop what they wrote. Lookups are cached (a
 * credential, a provider, a token, an API key by id); lists are read from the store.
 *
 * <p>The use cases that decide on a token — the refresher, the refresh schedule — read the store
 * itself; callouts, authentication and the API read through these.
 */
public final class CachedStores implements AutoCloseable {
  private final CachedCredentialStore credentials;
  private final CachedTokenStore tokens;
  private final CachedApiKeyStore apiKeys;
  private final ReadThroughCache.Counters counters = new ReadThroughCache.Counters();
  private final AutoCloseable subscription;

  /** With the {@code ticker} tests set; {@link #over} reads the system's. */
  CachedStores(
      CredentialStore credentials,
      TokenStore tokens,
      ApiKeyStore apiKeys,
      ChangeFeed feed,
      CacheOptions options,
      Ticker ticker) {
    this.tokens =
        new CachedTokenStore(
            tokens,
            new ReadThroughCache<>(tokens::find, feed::listening, options, ticker, counters));
    this.credentials =
        new CachedCredentialStore(
            credentials,
            new ReadThroughCache<>(
                credentials::findCredential, feed::listening, options, ticker, counters),
            new ReadThroughCache<>(
                credentials::findProvider, feed::listening, options, ticker, counters),
            this.tokens);
    this.apiKeys =
        new CachedApiKeyStore(
            apiKeys,
            new ReadThroughCache<>(apiKeys::find, feed::listening, options, ticker, counters));
    this.subscription = feed.subscribe(this::changed);
  }

  public static CachedStores over(
      CredentialStore credentials,
      TokenStore tokens,
      ApiKeyStore apiKeys,
      ChangeFeed feed,
      CacheOptions options) {
    return new CachedStores(credentials, tokens, apiKeys, feed, options, Ticker.systemTicker());
  }

  private void changed(StoreChange change) {
    change.fold(
        new StoreChange.Cases<Void>() {
          @Override
          public Void token(TokenKey key) {
            tokens.cache().invalidate(key);
            return null;
          }

          @Override
          public Void credential(String name) {
            credentials.credentialCache().invalidate(name);
            return null;
          }

          @Override
          public Void provider(String name) {
            credentials.providerCache().invalidate(name);
            return null;
          }

          @Override
          public Void apiKey(String id) {
            apiKeys.cache().invalidate(id);
            return null;
          }

          /** Events are read from the log, never cached. */
          @Override
          public Void eventsAppended() {
            return null;
          }

          @Override
          public Void resumed() {
            tokens.cache().invalidateAll();
            credentials.credentialCache().invalidateAll();
            credentials.providerCache().invalidateAll();
            apiKeys.cache().invalidateAll();
            return null;
          }
        });
  }

  public CredentialStore credentials() {
    return credentials;
  }

  public TokenStore tokens() {
    return tokens;
  }

  public ApiKeyStore apiKeys() {
    return apiKeys;
  }

  public CacheStatistics statistics() {
    return new CacheStatistics(
        counters.hits().sum(), counters.misses().sum(), counters.servedStale().sum());
  }

  /** Stops listening to the feed. */
  @Override
  public void close() throws Exception {
    subscription.close();
  }
}
