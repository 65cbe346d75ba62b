package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A {@link TokenStore} that passes every call on: a test overrides the calls it wants to observe or
 * to interleave with another writer's.
 */
public class DelegatingTokenStore implements TokenStore {
  private final TokenStore delegate;

  public DelegatingTokenStore(TokenStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> find(TokenKey key) {
    return delegate.find(key);
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> compareAndSet(
      TokenRecord next, List<Event> events) {
    return delegate.compareAndSet(next, events);
  }

  @Override
  public CompletionStage<Boolean> tryLease(TokenKey key, String owner, Instant until, Instant now) {
    return delegate.tryLease(key, owner, until, now);
  }

  @Override
  public CompletionStage<Void> releaseLease(TokenKey key, String owner) {
    return delegate.releaseLease(key, owner);
  }

  @Override
  public CompletionStage<List<TokenRecord>> claimDue(
      Instant now, int limit, String owner, Instant leaseUntil) {
    return delegate.claimDue(now, limit, owner, leaseUntil);
  }

  @Override
  public CompletionStage<List<TokenRecord>> findByCredential(String credentialName) {
    return delegate.findByCredential(credentialName);
  }

  @Override
  public CompletionStage<Void> delete(TokenKey key) {
    return delegate.delete(key);
  }

  @Override
  public CompletionStage<TokenCensus> census(Instant now, Instant overdueBefore, int soonest) {
    return delegate.census(now, overdueBefore, soonest);
  }
}
