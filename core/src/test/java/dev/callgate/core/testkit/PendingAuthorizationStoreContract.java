package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PendingAuthorizationStore} must do: a flow round-trips, found by its state's
 * hash only (the state itself is never kept), a browser binds it once and {@code take} hands it out
 * once, even to browsers and callbacks that race. An adapter's test extends this class and returns
 * an empty store from {@link #createStore()}.
 */
public abstract class PendingAuthorizationStoreContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  protected PendingAuthorizationStore store;

  /** A new, empty store. Called before each test. */
  protected abstract PendingAuthorizationStore createStore();

  /** Called before a flow of {@code credentialName} is saved, for stores with a foreign key. */
  protected void credentialExists(String credentialName) {}

  protected void closeStore(PendingAuthorizationStore closing) {}

  /**
   * Every value the store holds, as text, for the check that no state and no verifier is kept as it
   * was given; empty for stores that keep objects in memory.
   */
  protected List<String> storedValues() {
    return List.of();
  }

  @BeforeEach
  void createTheStore() {
    store = createStore();
  }

  @AfterEach
  void closeTheStore() {
    closeStore(store);
  }

  @Test
  void takeWhenSavedThenReturnsEveryFieldUnchanged() {
    PendingAuthorization named = pending("state-1", TokenKey.named("crm"));
    PendingAuthorization perUser = pending("state-2", TokenKey.perUser("crm", "alice"));
    save(named);
    save(perUser);

    Optional<PendingAuthorization> taken = join(store.take(FlowHash.of("state-2")));

    assertThat(taken).contains(perUser);
    assertThat(taken.get().codeVerifier().reveal()).isEqualTo("verifier-state-2-" + "x".repeat(40));
    assertThat(join(store.take(FlowHash.of("state-1")))).contains(named);
  }

  @Test
  void takeWhenTakenBeforeThenEmpty() {
    save(pending("state-1", TokenKey.named("crm")));
    join(store.take(FlowHash.of("state-1")));

    assertThat(join(store.take(FlowHash.of("state-1")))).isEmpty();
  }

  @Test
  void takeWhenUnknownThenEmpty() {
    assertThat(join(store.take(FlowHash.of("never-saved")))).isEmpty();
  }

  @Test
  void takeWhenFiftyCallbacksRaceForOneStateThenExactlyOneGetsIt() {
    PendingAuthorization flow = pending("state-1", TokenKey.named("crm"));
    save(flow);

    List<Optional<PendingAuthorization>> taken =
        Concurrently.race(50, i -> join(store.take(FlowHash.of("state-1"))));

    assertThat(taken.stream().flatMap(Optional::stream)).containsExactly(flow);
  }

  @Test
  void saveWhenScopesAreEmptyThenTakeReturnsThemEmpty() {
    PendingAuthorization flow =
        new PendingAuthorization(
            FlowHash.of("state-3"),
            TokenKey.named("crm"),
            Secret.of("v".repeat(43)),
            URI.create("http://127.0.0.1:8080/v1/oauth/callback"),
            List.of(),
            T0,
            T0.plusSeconds(600),
            Optional.of(FlowHash.of("binding-3")),
            true);
    save(flow);

    assertThat(join(store.take(FlowHash.of("state-3")))).contains(flow);
  }

  @Test
  void saveWhenAReturnUrlIsGivenThenBindAndTakeReturnIt() {
    PendingAuthorization flow =
        new PendingAuthorization(
            FlowHash.of("state-4"),
            TokenKey.perUser("crm", "alice"),
            Secret.of("v".repeat(43)),
            URI.create("http://127.0.0.1:8080/v1/oauth/callback"),
            List.of("openid"),
            T0,
            T0.plusSeconds(600),
            Optional.empty(),
            false,
            Optional.of(URI.create("/console/#/credentials/crm")));
    save(flow);

    Optional<PendingAuthorization> bound =
        join(store.bind(FlowHash.of("state-4"), FlowHash.of("browser-a")));

    assertThat(bound.orElseThrow().returnUrl()).contains(URI.create("/console/#/credentials/crm"));
    assertThat(join(store.take(FlowHash.of("state-4"))))
        .contains(flow.boundTo(FlowHash.of("browser-a")));
  }

  @Test
  void takeWhenLookedUpByTheStateItselfInsteadOfItsHashThenEmpty() {
    save(pending("state-1", TokenKey.named("crm")));

    assertThat(join(store.take(new FlowHash("state-1")))).isEmpty();
    assertThat(join(store.take(FlowHash.of("state-1")))).isPresent();
  }

  @Test
  void saveWhenStoredThenNeitherTheStateNorTheVerifierIsKeptAsGiven() {
    save(pending("state-secret-1", TokenKey.perUser("crm", "alice")));

    assertThat(storedValues())
        .noneMatch(value -> value.contains("state-secret-1"))
        .noneMatch(value -> value.contains("verifier-state-secret-1"));
  }

  @Test
  void bindWhenUnboundThenBindsOnceAndTakeReturnsTheBinding() {
    save(pending("state-1", TokenKey.named("crm")));

    Optional<PendingAuthorization> bound =
        join(store.bind(FlowHash.of("state-1"), FlowHash.of("browser-a")));
    Optional<PendingAuthorization> again =
        join(store.bind(FlowHash.of("state-1"), FlowHash.of("browser-b")));

    assertThat(bound.orElseThrow().browserBinding()).contains(FlowHash.of("browser-a"));
    assertThat(again).isEmpty();
    assertThat(join(store.take(FlowHash.of("state-1"))).orElseThrow().browserBinding())
        .contains(FlowHash.of("browser-a"));
  }

  @Test
  void bindWhenUnknownOrTakenThenEmpty() {
    save(pending("state-1", TokenKey.named("crm")));
    join(store.take(FlowHash.of("state-1")));

    assertThat(join(store.bind(FlowHash.of("state-1"), FlowHash.of("browser-a")))).isEmpty();
    assertThat(join(store.bind(FlowHash.of("never-saved"), FlowHash.of("browser-a")))).isEmpty();
  }

  @Test
  void bindWhenFiftyBrowsersRaceForOneFlowThenExactlyOneIsBound() {
    save(pending("state-1", TokenKey.named("crm")));

    List<Optional<PendingAuthorization>> bound =
        Concurrently.race(
            50, i -> join(store.bind(FlowHash.of("state-1"), FlowHash.of("browser-" + i))));

    assertThat(bound.stream().flatMap(Optional::stream)).hasSize(1);
    FlowHash winner =
        bound.stream()
            .flatMap(Optional::stream)
            .findFirst()
            .orElseThrow()
            .browserBinding()
            .orElseThrow();
    assertThat(join(store.take(FlowHash.of("state-1"))).orElseThrow().browserBinding())
        .contains(winner);
  }

  protected void save(PendingAuthorization flow) {
    credentialExists(flow.tokenKey().credentialName());
    join(store.save(flow));
  }

  protected static PendingAuthorization pending(String state, TokenKey key) {
    return new PendingAuthorization(
        FlowHash.of(state),
        key,
        Secret.of("verifier-" + state + "-" + "x".repeat(40)),
        URI.create("https://callgate.example.com/v1/oauth/callback"),
        List.of("openid", "offline_access"),
        T0,
        T0.plusSeconds(600),
        Optional.empty(),
        false);
  }
}
