package dev.callgate.core.port;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Callgate's own API keys, stored as hashes: the key itself is shown once, when created, and never
 * kept. A key is found by its public id (the part of the presented key before its secret).
 */
public interface ApiKeyStore {
  CompletionStage<Void> save(StoredApiKey key);

  CompletionStage<Optional<StoredApiKey>> find(String id);

  CompletionStage<List<StoredApiKey>> list();

  /** True when it existed. */
  CompletionStage<Boolean> delete(String id);
}
