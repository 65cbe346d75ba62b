package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Callgate's own API keys, stored as hashes: the key itself is shown once, when created, and never
 * kept. A key is found by its public id (the part of the presented key before its secret).
 */
public interface ApiKeyStore {
  default CompletionStage<Void> save(StoredApiKey key) {
    return save(key, List.of());
  }

  /** Saves the key and appends {@code events} to the {@link EventLog}, in one transaction. */
  CompletionStage<Void> save(StoredApiKey key, List<Event> events);

  CompletionStage<Optional<StoredApiKey>> find(String id);

  CompletionStage<List<StoredApiKey>> list();

  /**
   * Saves a key that configuration supplies, unless a key of its id was deleted before: a revoked
   * configured key stays revoked across restarts. True when the key is stored.
   */
  CompletionStage<Boolean> saveUnlessRevoked(StoredApiKey key);

  /** True when it existed. Its id is remembered as revoked. */
  default CompletionStage<Boolean> delete(String id) {
    return delete(id, List.of());
  }

  /** Deletes the key; {@code events} are appended if it existed. */
  CompletionStage<Boolean> delete(String id, List<Event> events);
}
