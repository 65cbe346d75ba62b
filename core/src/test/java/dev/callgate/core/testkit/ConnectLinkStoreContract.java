package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.ConnectLink;
import dev.callgate.core.port.ConnectLinkClaim;
import dev.callgate.core.port.ConnectLinkStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConnectLinkStore} must do: a link round-trips, found by its token's hash only
 * (the token itself is never kept), is claimed at most once — exactly one of fifty racing claims
 * wins, and only the winner's events are logged, with the claim — and is purged once spent. An
 * adapter's test extends this class.
 */
public abstract class ConnectLinkStoreContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  /** The store under test and the event log its writes append to. */
  public record Stores(ConnectLinkStore links, EventLog events) {}

  private ConnectLinkStore store;
  private Stores stores;

  /** New, empty stores. Called before each test. */
  protected abstract Stores create();

  protected abstract void close(Stores stores);

  /**
   * Every value the store holds, as text, for the check that no token is kept as it was given;
   * empty for stores that keep objects in memory.
   */
  protected List<String> storedValues() {
    return List.of();
  }

  @BeforeEach
  void createTheStore() {
    stores = create();
    store = stores.links();
  }

  @AfterEach
  void closeTheStore() {
    close(stores);
  }

  @Test
  void findWhenSavedThenReturnsEveryFieldUnchanged() {
    ConnectLink withReturn =
        link("token-1", Optional.of(URI.create("https://app.example.com/done?x=1#top")));
    ConnectLink without = link("token-2", Optional.empty());
    join(store.save(withReturn, List.of()));
    join(store.save(without, List.of()));

    assertThat(join(store.find(FlowHash.of("token-1")))).contains(withReturn);
    assertThat(join(store.find(FlowHash.of("token-2")))).contains(without);
    assertThat(join(store.find(FlowHash.of("token-3")))).isEmpty();
  }

  @Test
  void findWhenLookedUpByTheTokenItselfInsteadOfItsHashThenEmpty() {
    join(store.save(link("token-1", Optional.empty()), List.of()));

    assertThat(join(store.find(new FlowHash("token-1")))).isEmpty();
  }

  @Test
  void saveWhenStoredThenTheTokenIsNotKeptAsGiven() {
    join(store.save(link("token-secret-1", Optional.empty()), List.of()));

    assertThat(storedValues()).noneMatch(value -> value.contains("token-secret-1"));
  }

  @Test
  void saveWhenEventsAreGivenThenTheyAreLoggedWithTheLink() {
    join(
        store.save(
            link("token-1", Optional.empty()),
            List.of(event(EventType.AUDIT_CONNECT_LINK_CREATED))));

    assertThat(types()).containsExactly(EventType.AUDIT_CONNECT_LINK_CREATED);
  }

  @Test
  void claimWhenUnusedThenMarksItUsedOnceAndLogsTheEventsOnce() {
    ConnectLink link = link("token-1", Optional.empty());
    join(store.save(link, List.of()));
    Instant usedAt = T0.plusSeconds(30);

    Optional<ConnectLinkClaim> first =
        join(
            store.claim(
                FlowHash.of("token-1"), usedAt, List.of(event(EventType.CONNECT_LINK_USED))));
    Optional<ConnectLinkClaim> second =
        join(
            store.claim(
                FlowHash.of("token-1"),
                usedAt.plusSeconds(5),
                List.of(event(EventType.CONNECT_LINK_USED))));

    assertThat(first).contains(new ConnectLinkClaim(link.usedAt(usedAt), false));
    assertThat(second).contains(new ConnectLinkClaim(link.usedAt(usedAt), true));
    assertThat(join(store.find(FlowHash.of("token-1")))).contains(link.usedAt(usedAt));
    assertThat(types()).containsExactly(EventType.CONNECT_LINK_USED);
  }

  @Test
  void claimWhenUnknownThenEmptyAndNothingLogged() {
    assertThat(
            join(
                store.claim(
                    FlowHash.of("never-saved"), T0, List.of(event(EventType.CONNECT_LINK_USED)))))
        .isEmpty();
    assertThat(types()).isEmpty();
  }

  @Test
  void claimWhenFiftyClaimsRaceForOneLinkThenExactlyOneWins() {
    join(store.save(link("token-1", Optional.empty()), List.of()));

    List<Optional<ConnectLinkClaim>> claims =
        Concurrently.race(
            50,
            i ->
                join(
                    store.claim(
                        FlowHash.of("token-1"),
                        T0.plusMillis(i),
                        List.of(event(EventType.CONNECT_LINK_USED)))));

    assertThat(claims).allMatch(Optional::isPresent);
    assertThat(claims.stream().map(Optional::get).filter(claim -> !claim.alreadyUsed())).hasSize(1);
    Instant winner =
        claims.stream()
            .map(Optional::get)
            .filter(claim -> !claim.alreadyUsed())
            .findFirst()
            .orElseThrow()
            .link()
            .usedAt()
            .orElseThrow();
    assertThat(claims).allMatch(claim -> claim.get().link().usedAt().equals(Optional.of(winner)));
    assertThat(types()).containsExactly(EventType.CONNECT_LINK_USED);
  }

  @Test
  void purgeWhenLinksExpiredOrWereUsedBeforeTheCutoffThenOnlyThoseGo() {
    ConnectLink expired = link("expired", Optional.empty());
    ConnectLink usedEarly = link("used-early", Optional.empty());
    ConnectLink fresh =
        new ConnectLink(
            FlowHash.of("fresh"),
            TokenKey.perUser("crm", "bob"),
            Optional.empty(),
            creator(),
            T0.plusSeconds(3600),
            T0.plusSeconds(4500),
            Optional.empty());
    join(store.save(expired, List.of()));
    join(store.save(usedEarly, List.of()));
    join(store.save(fresh, List.of()));
    join(store.claim(FlowHash.of("used-early"), T0.plusSeconds(10), List.of()));

    long purged = join(store.purge(T0.plusSeconds(3600)));

    assertThat(purged).isEqualTo(2);
    assertThat(join(store.find(FlowHash.of("expired")))).isEmpty();
    assertThat(join(store.find(FlowHash.of("used-early")))).isEmpty();
    assertThat(join(store.find(FlowHash.of("fresh")))).contains(fresh);
  }

  private List<EventType> types() {
    return join(stores.events().read(EventQuery.after(0, 500))).events().stream()
        .map(RecordedEvent::event)
        .map(Event::type)
        .toList();
  }

  private static Actor creator() {
    return new Actor("ops-admin", "key-17", "request-9");
  }

  protected static ConnectLink link(String token, Optional<URI> returnUrl) {
    return new ConnectLink(
        FlowHash.of(token),
        TokenKey.perUser("crm", "alice"),
        returnUrl,
        creator(),
        T0,
        T0.plusSeconds(900),
        Optional.empty());
  }

  private static Event event(EventType type) {
    return new Event(
        type,
        T0,
        Optional.of("crm"),
        Optional.of("alice"),
        "instance-a",
        Optional.empty(),
        type.isAudit() ? Optional.of(creator()) : Optional.empty(),
        Map.of());
  }
}
