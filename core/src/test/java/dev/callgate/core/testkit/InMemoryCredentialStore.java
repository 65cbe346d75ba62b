package dev.callgate.core.testkit;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.event.Event;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.ProviderDeletionOutcome;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * A {@link CredentialStore} in memory: providers and credentials by name, saving replaces, lists
 * sorted by name, a provider in use neither deleted nor missing under a credential (one lock guards
 * both sides). Built with the {@link InMemoryTokenStore} it shares state with, deleting a
 * credential deletes its tokens too, as the port requires. {@link #failWith(RuntimeException)}
 * makes every call fail its stage until {@link #recover()}.
 */
public final class InMemoryCredentialStore implements CredentialStore {

  private final ConcurrentMap<String, AuthProvider> providers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, NamedCredential> credentials = new ConcurrentHashMap<>();
  private final Optional<InMemoryTokenStore> tokens;
  private final InMemoryEventLog eventLog;
  private volatile RuntimeException failure;

  /** A store whose credentials have no tokens elsewhere to delete. */
  public InMemoryCredentialStore() {
    this.tokens = Optional.empty();
    this.eventLog = new InMemoryEventLog();
  }

  /**
   * A store that deletes a credential's tokens from {@code tokens} with the credential, and appends
   * its events to the same log as {@code tokens}.
   */
  public InMemoryCredentialStore(InMemoryTokenStore tokens) {
    this.tokens = Optional.of(tokens);
    this.eventLog = tokens.eventLog();
  }

  @Override
  public CompletionStage<Optional<AuthProvider>> findProvider(String name) {
    return call(() -> Optional.ofNullable(providers.get(name)));
  }

  @Override
  public CompletionStage<List<AuthProvider>> listProviders() {
    return call(
        () ->
            providers.values().stream().sorted(Comparator.comparing(AuthProvider::name)).toList());
  }

  @Override
  public CompletionStage<Void> saveProvider(AuthProvider provider, List<Event> events) {
    Objects.requireNonNull(provider, "provider");
    return call(
        () -> {
          synchronized (providers) {
            providers.put(provider.name(), provider);
            eventLog.record(events);
          }
          return null;
        });
  }

  @Override
  public CompletionStage<ProviderDeletionOutcome> deleteProvider(String name, List<Event> events) {
    return call(
        () -> {
          // one lock for both sides of the provider-in-use rule, as a database's foreign key is
          synchronized (providers) {
            if (credentials.values().stream().anyMatch(c -> uses(c, name))) {
              return ProviderDeletionOutcome.IN_USE;
            }
            if (providers.remove(name) == null) {
              return ProviderDeletionOutcome.NOT_FOUND;
            }
            eventLog.record(events);
            return ProviderDeletionOutcome.DELETED;
          }
        });
  }

  private static boolean uses(NamedCredential credential, String providerName) {
    return credential.authentication().providerName().filter(providerName::equals).isPresent();
  }

  @Override
  public CompletionStage<Optional<NamedCredential>> findCredential(String name) {
    return call(() -> Optional.ofNullable(credentials.get(name)));
  }

  @Override
  public CompletionStage<List<NamedCredential>> listCredentials() {
    return call(
        () ->
            credentials.values().stream()
                .sorted(Comparator.comparing(NamedCredential::name))
                .toList());
  }

  @Override
  public CompletionStage<CredentialSaveOutcome> saveCredential(
      NamedCredential credential, List<Event> events) {
    Objects.requireNonNull(credential, "credential");
    return call(
        () -> {
          synchronized (providers) {
            if (credential
                .authentication()
                .providerName()
                .filter(p -> !providers.containsKey(p))
                .isPresent()) {
              return CredentialSaveOutcome.PROVIDER_MISSING;
            }
            credentials.put(credential.name(), credential);
            eventLog.record(events);
            return CredentialSaveOutcome.SAVED;
          }
        });
  }

  @Override
  public CompletionStage<Boolean> deleteCredential(String name, List<Event> events) {
    return call(
        () -> {
          synchronized (providers) {
            boolean existed = credentials.remove(name) != null;
            tokens.ifPresent(store -> store.deleteCredential(name));
            if (existed) {
              eventLog.record(events);
            }
            return existed;
          }
        });
  }

  public void failWith(RuntimeException failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public void recover() {
    this.failure = null;
  }

  private <T> CompletionStage<T> call(Supplier<T> operation) {
    RuntimeException failing = failure;
    if (failing != null) {
      return CompletableFuture.failedFuture(failing);
    }
    return CompletableFuture.completedFuture(operation.get());
  }
}
