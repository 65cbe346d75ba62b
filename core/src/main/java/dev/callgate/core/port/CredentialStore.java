package dev.callgate.core.port;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.event.Event;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where auth providers and named credentials are kept (their secrets encrypted by the adapter).
 * Saving replaces by name. A credential that names a provider holds on to it: the store itself
 * refuses to delete a provider that a credential uses and to save a credential whose provider does
 * not exist, atomically, so that no interleaving of the two leaves a credential pointing at a
 * deleted provider. A store that cannot be reached fails the stage with {@link
 * StoreUnavailableException}.
 */
public interface CredentialStore {
  CompletionStage<Optional<AuthProvider>> findProvider(String name);

  CompletionStage<List<AuthProvider>> listProviders();

  default CompletionStage<Void> saveProvider(AuthProvider provider) {
    return saveProvider(provider, List.of());
  }

  /** Saves the provider and appends {@code events} to the {@link EventLog}, in one transaction. */
  CompletionStage<Void> saveProvider(AuthProvider provider, List<Event> events);

  /** Deletes the provider unless a credential uses it. */
  default CompletionStage<ProviderDeletionOutcome> deleteProvider(String name) {
    return deleteProvider(name, List.of());
  }

  /** Deletes the provider unless a credential uses it; {@code events} are appended if it went. */
  CompletionStage<ProviderDeletionOutcome> deleteProvider(String name, List<Event> events);

  CompletionStage<Optional<NamedCredential>> findCredential(String name);

  CompletionStage<List<NamedCredential>> listCredentials();

  /** Saves the credential unless the provider it names does not exist. */
  default CompletionStage<CredentialSaveOutcome> saveCredential(NamedCredential credential) {
    return saveCredential(credential, List.of());
  }

  /** Saves the credential unless its provider does not exist; {@code events} go with the save. */
  CompletionStage<CredentialSaveOutcome> saveCredential(
      NamedCredential credential, List<Event> events);

  /** True when it existed. The credential's tokens go with it. */
  default CompletionStage<Boolean> deleteCredential(String name) {
    return deleteCredential(name, List.of());
  }

  /** Deletes the credential and its tokens; {@code events} are appended if it existed. */
  CompletionStage<Boolean> deleteCredential(String name, List<Event> events);
}
