package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.ConsoleSessionStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.StoredConsoleSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConsoleSessionStore} must do: a session round-trips, found by its secret's
 * hash, is deleted once (with its events, and without them when it was not there), and the expired
 * ones go together while the others stay. An adapter's test extends this class and returns an empty
 * store and the event log it shares from {@link #create()}. Times are whole milliseconds, as the
 * stores keep them.
 */
public abstract class ConsoleSessionStoreContract {
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  /** A session store and the log its writes append their events to. */
  public record Stores(ConsoleSessionStore sessions, EventLog events) {}

  protected abstract Stores create();

  protected abstract void close(Stores stores);

  private Stores stores;
  private ConsoleSessionStore store;

  @BeforeEach
  void open() {
    stores = create();
    store = stores.sessions();
  }

  @AfterEach
  void shut() {
    close(stores);
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static StoredConsoleSession session(String hash, Duration lifetime) {
    return new StoredConsoleSession(hash, "k1", "alice", T0, T0.plus(lifetime));
  }

  private static Event event(EventType type) {
    return new Event(
        type,
        T0,
        Optional.empty(),
        Optional.empty(),
        "instance-a",
        Optional.empty(),
        Optional.empty(),
        Map.of("keyId", "k1"));
  }

  private List<EventType> logged() {
    return join(stores.events().read(EventQuery.after(0, 100))).events().stream()
        .map(RecordedEvent::event)
        .map(Event::type)
        .toList();
  }

  @Test
  void findWhenSavedThenReturnsEveryFieldUnchanged() {
    StoredConsoleSession saved =
        new StoredConsoleSession(
            "hash-1", "configured-0a1b2c3d", "ops.admin@example", T0, T0.plusSeconds(28_800));
    join(store.save(saved, List.of()));
    join(store.save(session("hash-2", Duration.ofHours(1)), List.of()));

    assertThat(join(store.find("hash-1"))).contains(saved);
  }

  @Test
  void findWhenUnknownThenEmpty() {
    join(store.save(session("hash-1", Duration.ofHours(1)), List.of()));

    assertThat(join(store.find("hash-2"))).isEmpty();
  }

  @Test
  void saveThenItsEventsAreLoggedWithIt() {
    join(
        store.save(
            session("hash-1", Duration.ofHours(1)),
            List.of(event(EventType.AUDIT_CONSOLE_SIGNED_IN))));

    assertThat(logged()).containsExactly(EventType.AUDIT_CONSOLE_SIGNED_IN);
  }

  @Test
  void deleteWhenSavedThenGoneOnceAndLoggedOnce() {
    join(store.save(session("hash-1", Duration.ofHours(1)), List.of()));
    join(store.save(session("hash-2", Duration.ofHours(1)), List.of()));

    assertThat(join(store.delete("hash-1", List.of(event(EventType.AUDIT_CONSOLE_SIGNED_OUT)))))
        .isTrue();
    assertThat(join(store.delete("hash-1", List.of(event(EventType.AUDIT_CONSOLE_SIGNED_OUT)))))
        .isFalse();

    assertThat(join(store.find("hash-1"))).isEmpty();
    assertThat(join(store.find("hash-2"))).isPresent();
    assertThat(logged()).containsExactly(EventType.AUDIT_CONSOLE_SIGNED_OUT);
  }

  @Test
  void deleteExpiredThenRemovesThoseEndedByNowAndKeepsTheRest() {
    join(store.save(session("ended-before", Duration.ofMinutes(5)), List.of()));
    join(store.save(session("ends-now", Duration.ofMinutes(10)), List.of()));
    join(store.save(session("lasts", Duration.ofMinutes(10).plusMillis(1)), List.of()));

    assertThat(join(store.deleteExpired(T0.plus(Duration.ofMinutes(10))))).isEqualTo(2L);

    assertThat(join(store.find("ended-before"))).isEmpty();
    assertThat(join(store.find("ends-now"))).isEmpty();
    assertThat(join(store.find("lasts"))).isPresent();
    assertThat(join(store.deleteExpired(T0.plus(Duration.ofMinutes(10))))).isZero();
  }
}
