package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static dev.callgate.core.testkit.Concurrently.race;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.port.ProviderDeletionOutcome;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} must do, and what the stores that write to it must do with the events
 * their writes carry: an event is kept exactly when its write happened. An adapter's test extends
 * this class and returns empty stores sharing one log from {@link #createStores()}. Times are whole
 * milliseconds, as the stores keep them.
 */
public abstract class EventLogContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  /** The stores of one place, whose writes append their events to {@code events}. */
  public record Stores(
      EventLog events,
      TokenStore tokens,
      CredentialStore credentials,
      ApiKeyStore apiKeys,
      PendingAuthorizationStore pendingAuthorizations) {}

  protected Stores stores;
  protected EventLog log;

  /** New, empty stores sharing one event log. Called before each test. */
  protected abstract Stores createStores();

  protected void closeStores(Stores closing) {}

  @BeforeEach
  void createTheStores() {
    stores = createStores();
    log = stores.events();
  }

  @AfterEach
  void closeTheStores() {
    closeStores(stores);
  }

  // ---- append and read ----

  @Test
  void readWhenEventsWereAppendedThenReturnsThemOldestFirstWithEveryField() {
    Event full =
        new Event(
            EventType.GRANT_LOST,
            T0,
            Optional.of("crm"),
            Optional.of("alice"),
            "instance-a",
            Optional.of(Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "crm")),
            Optional.of(new Actor("ops", "key-1", "req-1")),
            Map.of("trigger", "on-401", "attempts", "3"));
    Event bare = event(EventType.AUDIT_KEY_CREATED, Optional.empty(), T0.plusMillis(1));

    join(log.append(List.of(full, bare)));

    List<RecordedEvent> read = join(log.read(EventQuery.after(0, 10))).events();
    assertThat(read).extracting(RecordedEvent::event).containsExactly(full, bare);
    assertThat(read.get(1).id()).isGreaterThan(read.get(0).id());
  }

  @Test
  void appendWhenNoEventsThenKeepsNothing() {
    join(log.append(List.of()));

    assertThat(join(log.read(EventQuery.after(0, 10))).events()).isEmpty();
  }

  @Test
  void readWhenFilteredByCredentialUserAndTypeThenReturnsOnlyMatches() {
    Event crmAlice = event(EventType.TOKEN_REFRESHED, Optional.of("crm"), T0, Optional.of("bob"));
    Event crmLost = event(EventType.GRANT_LOST, Optional.of("crm"), T0);
    Event erpLost = event(EventType.GRANT_LOST, Optional.of("erp"), T0);
    Event erpRevoked = event(EventType.GRANT_REVOKED, Optional.of("erp"), T0);
    join(log.append(List.of(crmAlice, crmLost, erpLost, erpRevoked)));

    assertThat(events(new EventQuery(0, Optional.of("crm"), Optional.empty(), Set.of(), 10)))
        .containsExactly(crmAlice, crmLost);
    assertThat(events(new EventQuery(0, Optional.empty(), Optional.of("bob"), Set.of(), 10)))
        .containsExactly(crmAlice);
    assertThat(
            events(
                new EventQuery(
                    0,
                    Optional.empty(),
                    Optional.empty(),
                    Set.of(EventType.GRANT_LOST, EventType.GRANT_REVOKED),
                    10)))
        .containsExactly(crmLost, erpLost, erpRevoked);
    assertThat(
            events(
                new EventQuery(
                    0, Optional.of("erp"), Optional.empty(), Set.of(EventType.GRANT_LOST), 10)))
        .containsExactly(erpLost);
  }

  @Test
  void readWhenAPageIsFullThenTheCursorIsItsLastEventAndTheNextPageFollows() {
    List<Event> appended = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      appended.add(event(EventType.TOKEN_REFRESHED, Optional.of("crm-" + i), T0.plusMillis(i)));
    }
    join(log.append(appended));

    EventPage first = join(log.read(EventQuery.after(0, 2)));
    EventPage second = join(log.read(EventQuery.after(first.next(), 2)));
    EventPage third = join(log.read(EventQuery.after(second.next(), 2)));
    EventPage past = join(log.read(EventQuery.after(third.next(), 2)));

    assertThat(first.next()).isEqualTo(first.events().get(1).id());
    assertThat(
            List.of(first, second, third).stream()
                .flatMap(page -> page.events().stream())
                .map(RecordedEvent::event))
        .containsExactlyElementsOf(appended);
    assertThat(third.events()).hasSize(1);
    assertThat(past.events()).isEmpty();
    assertThat(past.next()).isEqualTo(third.next());
  }

  @Test
  void readWhenFilteredAndPagedThenFindsEveryMatchOnceInOrderAndCatchesUpWithLaterEvents() {
    List<Event> crm = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Event mine = event(EventType.TOKEN_REFRESHED, Optional.of("crm"), T0.plusMillis(i));
      crm.add(mine);
      join(
          log.append(
              List.of(
                  event(EventType.TOKEN_REFRESHED, Optional.of("erp"), T0.plusMillis(i)), mine)));
    }
    EventQuery first = new EventQuery(0, Optional.of("crm"), Optional.empty(), Set.of(), 2);

    long cursor = 0;
    List<Event> found = new ArrayList<>();
    for (int pages = 0; pages < 20; pages++) {
      EventPage page =
          join(log.read(new EventQuery(cursor, first.credential(), first.user(), Set.of(), 2)));
      found.addAll(page.events().stream().map(RecordedEvent::event).toList());
      if (page.next() == cursor) {
        break;
      }
      cursor = page.next();
    }
    assertThat(found).containsExactlyElementsOf(crm);

    Event later = event(EventType.GRANT_LOST, Optional.of("crm"), T0.plusSeconds(1));
    join(log.append(List.of(later)));
    assertThat(events(new EventQuery(cursor, first.credential(), first.user(), Set.of(), 2)))
        .containsExactly(later);
  }

  // ---- retention ----

  @Test
  void purgeBeforeWhenEventsAreOlderThanTheCutoffThenDeletesOnlyThoseAndCountsThem() {
    Event old = event(EventType.GRANT_LOST, Optional.of("crm"), T0);
    Event atCutoff = event(EventType.GRANT_LOST, Optional.of("crm"), T0.plusSeconds(60));
    Event young = event(EventType.GRANT_LOST, Optional.of("crm"), T0.plusSeconds(120));
    join(log.append(List.of(old, atCutoff, young)));

    long purged = join(log.purgeBefore(T0.plusSeconds(60)));

    assertThat(purged).isEqualTo(1);
    assertThat(events(EventQuery.after(0, 10))).containsExactly(atCutoff, young);
  }

  @Test
  void purgeBeforeWhenEveryEventWentThenLaterEventsStillGetHigherIds() {
    join(log.append(List.of(event(EventType.GRANT_LOST, Optional.of("crm"), T0))));
    long cursor = join(log.read(EventQuery.after(0, 10))).next();

    join(log.purgeBefore(T0.plusSeconds(1)));
    Event later = event(EventType.GRANT_RECOVERED, Optional.of("crm"), T0.plusSeconds(2));
    join(log.append(List.of(later)));

    assertThat(events(EventQuery.after(cursor, 10))).containsExactly(later);
  }

  // ---- events of the stores' writes ----

  @Test
  void compareAndSetWhenItWinsThenKeepsItsEventsAndWhenItLosesThenNone() {
    saveCredential("crm");
    TokenRecord first = TokenRecord.unauthorized(TokenKey.named("crm"));
    Event won = event(EventType.AUTHORIZATION_COMPLETED, Optional.of("crm"), T0);
    TokenRecord stored = join(stores.tokens().compareAndSet(first, List.of(won))).orElseThrow();

    Event lost = event(EventType.GRANT_LOST, Optional.of("crm"), T0.plusMillis(1));
    Optional<TokenRecord> stale =
        join(
            stores
                .tokens()
                .compareAndSet(
                    TokenRecords.edit(first).state(TokenState.NEEDS_AUTHORIZATION).build(),
                    List.of(lost)));

    assertThat(stored.version()).isEqualTo(1);
    assertThat(stale).isEmpty();
    assertThat(events(EventQuery.after(0, 10))).containsExactly(won);
  }

  @Test
  void compareAndSetWhenManyRaceForOneVersionThenOnlyTheWinnersEventIsKept() {
    saveCredential("crm");
    TokenRecord stored =
        join(stores.tokens().compareAndSet(TokenRecord.unauthorized(TokenKey.named("crm"))))
            .orElseThrow();

    List<Boolean> won =
        race(
            8,
            i ->
                join(stores
                        .tokens()
                        .compareAndSet(
                            TokenRecords.edit(stored).state(TokenState.ACTIVE).build(),
                            List.of(
                                event(
                                    EventType.TOKEN_REFRESHED,
                                    Optional.of("crm"),
                                    T0,
                                    Optional.of("racer-" + i)))))
                    .isPresent());

    int winner = won.indexOf(true);
    assertThat(won).containsOnlyOnce(true);
    assertThat(events(EventQuery.after(0, 20)))
        .containsExactly(
            event(
                EventType.TOKEN_REFRESHED, Optional.of("crm"), T0, Optional.of("racer-" + winner)));
  }

  @Test
  void deleteCredentialWhenItExistsThenKeepsTheEventAndWhenMissingThenNone() {
    saveCredential("crm");
    Event deleted = audit(EventType.AUDIT_CREDENTIAL_DELETED, "crm");
    Event ofMissing = audit(EventType.AUDIT_CREDENTIAL_DELETED, "nowhere");

    assertThat(join(stores.credentials().deleteCredential("crm", List.of(deleted)))).isTrue();
    assertThat(join(stores.credentials().deleteCredential("nowhere", List.of(ofMissing))))
        .isFalse();

    assertThat(events(EventQuery.after(0, 10))).containsExactly(deleted);
  }

  @Test
  void deleteProviderWhenInUseOrMissingThenKeepsNoEventAndWhenDeletedThenItsEvent() {
    join(stores.credentials().saveProvider(provider("idp")));
    join(stores.credentials().saveProvider(provider("spare")));
    join(
        stores
            .credentials()
            .saveCredential(credential("crm", new Authentication.ClientCredentials("idp"))));
    Event inUse = audit(EventType.AUDIT_PROVIDER_DELETED, "idp");
    Event missing = audit(EventType.AUDIT_PROVIDER_DELETED, "nowhere");
    Event deleted = audit(EventType.AUDIT_PROVIDER_DELETED, "spare");

    assertThat(join(stores.credentials().deleteProvider("idp", List.of(inUse))))
        .isEqualTo(ProviderDeletionOutcome.IN_USE);
    assertThat(join(stores.credentials().deleteProvider("nowhere", List.of(missing))))
        .isEqualTo(ProviderDeletionOutcome.NOT_FOUND);
    assertThat(join(stores.credentials().deleteProvider("spare", List.of(deleted))))
        .isEqualTo(ProviderDeletionOutcome.DELETED);

    assertThat(events(EventQuery.after(0, 10))).containsExactly(deleted);
  }

  @Test
  void saveCredentialAndProviderWhenSavedThenKeepTheirEventsAndWhenTheProviderIsMissingThenNone() {
    Event providerSaved = audit(EventType.AUDIT_PROVIDER_SAVED, "idp");
    Event saved = audit(EventType.AUDIT_CREDENTIAL_SAVED, "crm");
    Event orphan = audit(EventType.AUDIT_CREDENTIAL_SAVED, "erp");

    join(stores.credentials().saveProvider(provider("idp"), List.of(providerSaved)));
    CredentialSaveOutcome kept =
        join(
            stores
                .credentials()
                .saveCredential(
                    credential("crm", new Authentication.ClientCredentials("idp")),
                    List.of(saved)));
    CredentialSaveOutcome refused =
        join(
            stores
                .credentials()
                .saveCredential(
                    credential("erp", new Authentication.ClientCredentials("gone")),
                    List.of(orphan)));

    assertThat(kept).isEqualTo(CredentialSaveOutcome.SAVED);
    assertThat(refused).isEqualTo(CredentialSaveOutcome.PROVIDER_MISSING);
    assertThat(events(EventQuery.after(0, 10))).containsExactly(providerSaved, saved);
  }

  @Test
  void apiKeyWritesWhenSavedAndDeletedThenKeepTheirEventsAndWhenDeletingAMissingKeyThenNone() {
    StoredApiKey key = new StoredApiKey("key-1", "ops", Set.of("admin"), new byte[32], T0);
    Event created = audit(EventType.AUDIT_KEY_CREATED, "key-1");
    Event deleted = audit(EventType.AUDIT_KEY_DELETED, "key-1");
    Event ofMissing = audit(EventType.AUDIT_KEY_DELETED, "key-2");

    join(stores.apiKeys().save(key, List.of(created)));
    assertThat(join(stores.apiKeys().delete("key-2", List.of(ofMissing)))).isFalse();
    assertThat(join(stores.apiKeys().delete("key-1", List.of(deleted)))).isTrue();

    assertThat(events(EventQuery.after(0, 10))).containsExactly(created, deleted);
  }

  @Test
  void savePendingAuthorizationWhenSavedThenKeepsItsEvent() {
    saveCredential("crm");
    Event started = event(EventType.AUTHORIZATION_STARTED, Optional.of("crm"), T0);

    join(
        stores
            .pendingAuthorizations()
            .save(
                new PendingAuthorization(
                    FlowHash.of("state-1"),
                    TokenKey.named("crm"),
                    Secret.of("verifier-" + "x".repeat(43)),
                    URI.create("https://callgate.example.com/v1/oauth/callback"),
                    List.of("openid"),
                    T0,
                    T0.plusSeconds(600),
                    Optional.empty(),
                    false),
                List.of(started)));

    assertThat(events(EventQuery.after(0, 10))).containsExactly(started);
  }

  // ---- building blocks ----

  protected List<Event> events(EventQuery query) {
    return join(log.read(query)).events().stream().map(RecordedEvent::event).toList();
  }

  protected void saveCredential(String name) {
    join(stores.credentials().saveCredential(credential(name, new Authentication.None())));
  }

  protected static Event event(EventType type, Optional<String> credential, Instant time) {
    return event(type, credential, time, Optional.empty());
  }

  protected static Event event(
      EventType type, Optional<String> credential, Instant time, Optional<String> user) {
    return new Event(
        type, time, credential, user, "instance-a", Optional.empty(), Optional.empty(), Map.of());
  }

  protected static Event audit(EventType type, String target) {
    return new Event(
        type,
        T0,
        Optional.empty(),
        Optional.empty(),
        "instance-a",
        Optional.empty(),
        Optional.of(new Actor("ops", "key-0", "req-" + target)),
        Map.of("target", target));
  }

  protected static AuthProvider provider(String name) {
    return new AuthProvider(
        name,
        Optional.empty(),
        Optional.of(URI.create("https://idp.example.com/oauth2/authorize")),
        Optional.of(URI.create("https://idp.example.com/oauth2/token")),
        Optional.empty(),
        "client-" + name,
        Optional.empty(),
        ClientAuthMethod.NONE,
        List.of(),
        Optional.empty());
  }

  protected static NamedCredential credential(String name, Authentication authentication) {
    return new NamedCredential(
        name,
        URI.create("https://api.example.com/" + name),
        authentication,
        PrincipalType.NAMED,
        true,
        false,
        false,
        Set.of(),
        true,
        Optional.empty());
  }
}
