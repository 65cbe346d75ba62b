package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ConsoleSessionStore;
import dev.callgate.core.port.StoredConsoleSession;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ConsoleSessionStore} in memory, by secret hash; writes append their events to a log. */
public final class InMemoryConsoleSessionStore implements ConsoleSessionStore {
  private final ConcurrentHashMap<String, StoredConsoleSession> sessions =
      new ConcurrentHashMap<>();
  private final InMemoryEventLog eventLog;

  public InMemoryConsoleSessionStore() {
    this(new InMemoryEventLog());
  }

  /** A store whose writes append their events to {@code eventLog}. */
  public InMemoryConsoleSessionStore(InMemoryEventLog eventLog) {
    this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
  }

  @Override
  public synchronized CompletionStage<Void> save(StoredConsoleSession session, List<Event> events) {
    sessions.put(session.secretHash(), session);
    eventLog.record(events);
    return CompletableFuture.completedStage(null);
  }

  @Override
  public CompletionStage<Optional<StoredConsoleSession>> find(String secretHash) {
    return CompletableFuture.completedStage(Optional.ofNullable(sessions.get(secretHash)));
  }

  @Override
  public synchronized CompletionStage<Boolean> delete(String secretHash, List<Event> events) {
    boolean existed = sessions.remove(secretHash) != null;
    if (existed) {
      eventLog.record(events);
    }
    return CompletableFuture.completedStage(existed);
  }

  @Override
  public synchronized CompletionStage<Long> deleteExpired(Instant now) {
    List<String> expired =
        sessions.values().stream()
            .filter(session -> session.expiredAt(now))
            .map(StoredConsoleSession::secretHash)
            .toList();
    expired.forEach(sessions::remove);
    return CompletableFuture.completedStage((long) expired.size());
  }

  /** The sessions held, for assertions. */
  public List<StoredConsoleSession> sessions() {
    return List.copyOf(sessions.values());
  }
}
