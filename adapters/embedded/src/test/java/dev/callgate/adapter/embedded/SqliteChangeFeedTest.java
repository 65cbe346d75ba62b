package dev.callgate.adapter.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedded store tells this process's listeners of every write, as it makes it. */
class SqliteChangeFeedTest {
  private final SqliteFixture fixture = new SqliteFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void changesWhenRecordsAreWrittenThenEachIsAnnouncedByTheTimeItsWriteCompletes()
      throws Exception {
    List<StoreChange> heard = new CopyOnWriteArrayList<>();
    try (AutoCloseable subscription = fixture.stores.changes().subscribe(heard::add)) {
      assertThat(fixture.stores.changes().listening()).isTrue();

      fixture.credentialExists("crm");
      fixture
          .stores
          .tokens()
          .compareAndSet(TokenRecord.unauthorized(TokenKey.named("crm")))
          .toCompletableFuture()
          .join();
      fixture
          .stores
          .apiKeys()
          .save(new StoredApiKey("k1", "billing", Set.of("caller"), new byte[32], Instant.EPOCH))
          .toCompletableFuture()
          .join();
      fixture.stores.apiKeys().delete("k1").toCompletableFuture().join();
      fixture.stores.credentials().deleteCredential("crm").toCompletableFuture().join();

      assertThat(heard)
          .containsExactly(
              new StoreChange.CredentialChanged("crm"),
              new StoreChange.TokenChanged(TokenKey.named("crm")),
              new StoreChange.ApiKeyChanged("k1"),
              new StoreChange.ApiKeyChanged("k1"),
              new StoreChange.TokenChanged(TokenKey.named("crm")),
              new StoreChange.CredentialChanged("crm"));
    }
  }

  @Test
  void eventsWhenAWriteCarryingThemHappensThenEventsAppendedIsAnnouncedAndWhenItDoesNotThenNot()
      throws Exception {
    fixture.credentialExists("crm");
    TokenRecord first = TokenRecord.unauthorized(TokenKey.named("crm"));
    List<StoreChange> heard = new CopyOnWriteArrayList<>();
    try (AutoCloseable subscription = fixture.stores.changes().subscribe(heard::add)) {
      fixture.stores.tokens().compareAndSet(first, List.of(event())).toCompletableFuture().join();
      // the same version again loses: nothing written, nothing told
      fixture.stores.tokens().compareAndSet(first, List.of(event())).toCompletableFuture().join();
      fixture
          .stores
          .credentials()
          .deleteCredential("nowhere", List.of(event()))
          .toCompletableFuture()
          .join();
      fixture.stores.events().append(List.of(event())).toCompletableFuture().join();

      assertThat(heard)
          .containsExactly(
              new StoreChange.EventsAppended(),
              new StoreChange.TokenChanged(TokenKey.named("crm")),
              new StoreChange.CredentialChanged("nowhere"),
              new StoreChange.EventsAppended());
    }
  }

  private static Event event() {
    return new Event(
        EventType.TOKEN_REFRESHED,
        Instant.EPOCH,
        Optional.of("crm"),
        Optional.empty(),
        "instance-a",
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }
}
