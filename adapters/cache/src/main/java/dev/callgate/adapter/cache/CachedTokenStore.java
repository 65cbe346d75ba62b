package dev.callgate.adapter.cache;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Token lookups from memory; every write goes to the store and drops the token it wrote. */
final class CachedTokenStore implements TokenStore {
  private final TokenStore store;
  private final ReadThroughCache<TokenKey, Optional<TokenRecord>> cache;

  CachedTokenStore(TokenStore store, ReadThroughCache<TokenKey, Optional<TokenRecord>> cache) {
    this.store = store;
    this.cache = cache;
  }

  ReadThroughCache<TokenKey, Optional<TokenRecord>> cache() {
    return cache;
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> find(TokenKey key) {
    return cache.get(key);
  }

  /**
   * Drops the key whether the write succeeded (the next read sees it) or lost to another writer
   * (what is cached is older than what is stored).
   */
  @Override
  public CompletionStage<Optional<TokenRecord>> compareAndSet(
      TokenRecord next, List<Event> events) {
    return store
        .compareAndSet(next, events)
        .whenComplete((stored, failure) -> cache.invalidate(next.key()));
  }

  @Override
  public CompletionStage<Boolean> tryLease(TokenKey key, String owner, Instant until, Instant now) {
    return store.tryLease(key, owner, until, now);
  }

  @Override
  public CompletionStage<Void> releaseLease(TokenKey key, String owner) {
    return store.releaseLease(key, owner);
  }

  @Override
  public CompletionStage<List<TokenRecord>> claimDue(
      Instant now, int limit, String owner, Instant leaseUntil) {
    return store.claimDue(now, limit, owner, leaseUntil);
  }

  @Override
  public CompletionStage<List<TokenRecord>> findByCredential(String credentialName) {
    return store.findByCredential(credentialName);
  }

  @Override
  public CompletionStage<Void> delete(TokenKey key) {
    return store.delete(key).whenComplete((done, failure) -> cache.invalidate(key));
  }

  @Override
  public CompletionStage<TokenCensus> census(Instant now, Instant overdueBefore, int soonest) {
    return store.census(now, overdueBefore, soonest);
  }
}
