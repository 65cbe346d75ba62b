package dev.callgate.core.port;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where auth providers and named credentials are kept (their secrets encrypted by the adapter).
 * Saving replaces by name. A store that cannot be reached fails the stage with {@link
 * StoreUnavailableException}.
 */
public interface CredentialStore {
  CompletionStage<Optional<AuthProvider>> findProvider(String name);

  CompletionStage<List<AuthProvider>> listProviders();

  CompletionStage<Void> saveProvider(AuthProvider provider);

  /** True when it existed. */
  CompletionStage<Boolean> deleteProvider(String name);

  CompletionStage<Optional<NamedCredential>> findCredential(String name);

  CompletionStage<List<NamedCredential>> listCredentials();

  CompletionStage<Void> saveCredential(NamedCredential credential);

  /** True when it existed. The credential's tokens go with it. */
  CompletionStage<Boolean> deleteCredential(String name);
}
