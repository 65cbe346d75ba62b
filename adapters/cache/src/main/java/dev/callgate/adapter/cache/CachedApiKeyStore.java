package dev.callgate.adapter.cache;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.StoredApiKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** API keys by id from memory, so authenticating a call reads no database while keys stand. */
final class CachedApiKeyStore implements ApiKeyStore {
  private final ApiKeyStore store;
  private final ReadThroughCache<String, Optional<StoredApiKey>> cache;

  CachedApiKeyStore(ApiKeyStore store, ReadThroughCache<String, Optional<StoredApiKey>> cache) {
    this.store = store;
    this.cache = cache;
  }

  ReadThroughCache<String, Optional<StoredApiKey>> cache() {
    return cache;
  }

  @Override
  public CompletionStage<Void> save(StoredApiKey key, List<Event> events) {
    return store.save(key, events).whenComplete((done, failure) -> cache.invalidate(key.id()));
  }

  @Override
  public CompletionStage<Boolean> saveUnlessRevoked(StoredApiKey key) {
    return store.saveUnlessRevoked(key).whenComplete((done, failure) -> cache.invalidate(key.id()));
  }

  @Override
  public CompletionStage<Optional<StoredApiKey>> find(String id) {
    return cache.get(id);
  }

  @Override
  public CompletionStage<List<StoredApiKey>> list() {
    return store.list();
  }

  @Override
  public CompletionStage<Boolean> delete(String id, List<Event> events) {
    return store.delete(id, events).whenComplete((done, failure) -> cache.invalidate(id));
  }
}
