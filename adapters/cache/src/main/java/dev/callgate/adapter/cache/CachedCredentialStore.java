package dev.callgate.adapter.cache;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.event.Event;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.ProviderDeletionOutcome;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Credential and provider lookups from memory; writes go to the store and drop what they wrote (a
 * deleted credential's tokens with it).
 */
final class CachedCredentialStore implements CredentialStore {
  private final CredentialStore store;
  private final ReadThroughCache<String, Optional<NamedCredential>> credentialCache;
  private final ReadThroughCache<String, Optional<AuthProvider>> providerCache;
  private final CachedTokenStore tokens;

  CachedCredentialStore(
      CredentialStore store,
      ReadThroughCache<String, Optional<NamedCredential>> credentialCache,
      ReadThroughCache<String, Optional<AuthProvider>> providerCache,
      CachedTokenStore tokens) {
    this.store = store;
    this.credentialCache = credentialCache;
    this.providerCache = providerCache;
    this.tokens = tokens;
  }

  ReadThroughCache<String, Optional<NamedCredential>> credentialCache() {
    return credentialCache;
  }

  ReadThroughCache<String, Optional<AuthProvider>> providerCache() {
    return providerCache;
  }

  @Override
  public CompletionStage<Optional<AuthProvider>> findProvider(String name) {
    return providerCache.get(name);
  }

  @Override
  public CompletionStage<List<AuthProvider>> listProviders() {
    return store.listProviders();
  }

  @Override
  public CompletionStage<Void> saveProvider(AuthProvider provider, List<Event> events) {
    return store
        .saveProvider(provider, events)
        .whenComplete((done, failure) -> providerCache.invalidate(provider.name()));
  }

  @Override
  public CompletionStage<ProviderDeletionOutcome> deleteProvider(String name, List<Event> events) {
    return store
        .deleteProvider(name, events)
        .whenComplete((done, failure) -> providerCache.invalidate(name));
  }

  @Override
  public CompletionStage<Optional<NamedCredential>> findCredential(String name) {
    return credentialCache.get(name);
  }

  @Override
  public CompletionStage<List<NamedCredential>> listCredentials() {
    return store.listCredentials();
  }

  @Override
  public CompletionStage<CredentialSaveOutcome> saveCredential(
      NamedCredential credential, List<Event> events) {
    return store
        .saveCredential(credential, events)
        .whenComplete((done, failure) -> credentialCache.invalidate(credential.name()));
  }

  @Override
  public CompletionStage<Boolean> deleteCredential(String name, List<Event> events) {
    return store
        .deleteCredential(name, events)
        .whenComplete(
            (done, failure) -> {
              credentialCache.invalidate(name);
              tokens.cache().invalidateIf(key -> key.credentialName().equals(name));
            });
  }
}
