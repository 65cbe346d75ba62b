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

  /**
   * Saves a key that configuration supplies, unless a key of its id was deleted before: a revoked
   * configured key stays revoked across restarts. True when the key is stored.
   */
  CompletionStage<Boolean> saveUnlessRevoked(StoredApiKey key);

  /** True when it existed. Its id is remembered as revoked. */
  CompletionStage<Boolean> delete(String id);
}
