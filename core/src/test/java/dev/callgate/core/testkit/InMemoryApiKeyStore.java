package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.StoredApiKey;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ApiKeyStore} in memory. */
public final class InMemoryApiKeyStore implements ApiKeyStore {
  private final ConcurrentHashMap<String, StoredApiKey> keys = new ConcurrentHashMap<>();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();

  private final InMemoryEventLog eventLog;

  public InMemoryApiKeyStore() {
    this(new InMemoryEventLog());
  }

  /** A store whose writes append their events to {@code eventLog}. */
  public InMemoryApiKeyStore(InMemoryEventLog eventLog) {
    this.eventLog = eventLog;
  }

  @Override
  public synchronized CompletionStage<Void> save(StoredApiKey key, List<Event> events) {
    keys.put(key.id(), key);
    eventLog.record(events);
    return CompletableFuture.completedStage(null);
  }

  @Override
  public CompletionStage<Optional<StoredApiKey>> find(String id) {
    return CompletableFuture.completedStage(Optional.ofNullable(keys.get(id)));
  }

  @Override
  public CompletionStage<List<StoredApiKey>> list() {
    return CompletableFuture.completedStage(
        keys.values().stream().sorted(Comparator.comparing(StoredApiKey::createdAt)).toList());
  }

  @Override
  public synchronized CompletionStage<Boolean> saveUnlessRevoked(StoredApiKey key) {
    if (revoked.contains(key.id())) {
      return CompletableFuture.completedStage(false);
    }
    keys.put(key.id(), key);
    return CompletableFuture.completedStage(true);
  }

  @Override
  public synchronized CompletionStage<Boolean> delete(String id, List<Event> events) {
    revoked.add(id);
    boolean existed = keys.remove(id) != null;
    if (existed) {
      eventLog.record(events);
    }
    return CompletableFuture.completedStage(existed);
  }
}
