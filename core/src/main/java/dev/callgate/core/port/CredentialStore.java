package dev.callgate.core.port;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
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

  CompletionStage<Void> saveProvider(AuthProvider provider);

  /** Deletes the provider unless a credential uses it. */
  CompletionStage<ProviderDeletionOutcome> deleteProvider(String name);

  CompletionStage<Optional<NamedCredential>> findCredential(String name);

  CompletionStage<List<NamedCredential>> listCredentials();

  /** Saves the credential unless the provider it names does not exist. */
  CompletionStage<CredentialSaveOutcome> saveCredential(NamedCredential credential);

  /** True when it existed. The credential's tokens go with it. */
  CompletionStage<Boolean> deleteCredential(String name);
}
