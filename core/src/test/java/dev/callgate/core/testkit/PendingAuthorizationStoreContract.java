package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
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
 * What every {@link PendingAuthorizationStore} must do: a flow round-trips, and {@code take} hands
 * it out once, even to callbacks that race. An adapter's test extends this class and returns an
 * empty store from {@link #createStore()}.
 */
public abstract class PendingAuthorizationStoreContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  protected PendingAuthorizationStore store;

  /** A new, empty store. Called before each test. */
  protected abstract PendingAuthorizationStore createStore();

  /** Called before a flow of {@code credentialName} is saved, for stores with a foreign key. */
  protected void credentialExists(String credentialName) {}

  protected void closeStore(PendingAuthorizationStore closing) {}

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

    Optional<PendingAuthorization> taken = join(store.take("state-2"));

    assertThat(taken).contains(perUser);
    assertThat(taken.get().codeVerifier().reveal()).isEqualTo("verifier-state-2-" + "x".repeat(40));
    assertThat(join(store.take("state-1"))).contains(named);
  }

  @Test
  void takeWhenTakenBeforeThenEmpty() {
    save(pending("state-1", TokenKey.named("crm")));
    join(store.take("state-1"));

    assertThat(join(store.take("state-1"))).isEmpty();
  }

  @Test
  void takeWhenUnknownThenEmpty() {
    assertThat(join(store.take("never-saved"))).isEmpty();
  }

  @Test
  void takeWhenFiftyCallbacksRaceForOneStateThenExactlyOneGetsIt() {
    PendingAuthorization flow = pending("state-1", TokenKey.named("crm"));
    save(flow);

    List<Optional<PendingAuthorization>> taken =
        Concurrently.race(50, i -> join(store.take("state-1")));

    assertThat(taken.stream().flatMap(Optional::stream)).containsExactly(flow);
  }

  @Test
  void saveWhenScopesAreEmptyThenTakeReturnsThemEmpty() {
    PendingAuthorization flow =
        new PendingAuthorization(
            "state-3",
            TokenKey.named("crm"),
            Secret.of("v".repeat(43)),
            URI.create("http://127.0.0.1:8080/v1/oauth/callback"),
            List.of(),
            T0,
            T0.plusSeconds(600));
    save(flow);

    assertThat(join(store.take("state-3"))).contains(flow);
  }

  protected void save(PendingAuthorization flow) {
    credentialExists(flow.tokenKey().credentialName());
    join(store.save(flow));
  }

  protected static PendingAuthorization pending(String state, TokenKey key) {
    return new PendingAuthorization(
        state,
        key,
        Secret.of("verifier-" + state + "-" + "x".repeat(40)),
        URI.create("https://callgate.example.com/v1/oauth/callback"),
        List.of("openid", "offline_access"),
        T0,
        T0.plusSeconds(600));
  }
}
