package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DeviceAuthorizationStore} must do: one authorization per token, every field
 * round-trips, a due authorization is claimed by one of any number of racing pollers until its
 * claim is settled or lapses, and a replaced one can be neither rescheduled nor removed. An
 * adapter's test extends this class and returns an empty store from {@link #createStore()}.
 */
public abstract class DeviceAuthorizationStoreContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");
  private static final Duration LEASE = Duration.ofMinutes(2);

  protected DeviceAuthorizationStore store;

  /** A new, empty store. Called before each test. */
  protected abstract DeviceAuthorizationStore createStore();

  protected void closeStore(DeviceAuthorizationStore closing) {}

  @BeforeEach
  void createTheStore() {
    store = createStore();
  }

  @AfterEach
  void closeTheStore() {
    closeStore(store);
  }

  protected static DeviceAuthorization authorization(String id, TokenKey key) {
    return new DeviceAuthorization(
        id,
        key,
        Secret.of("device-code-" + id),
        "WDJB-" + id.toUpperCase(),
        URI.create("https://idp.test/device"),
        Optional.of(URI.create("https://idp.test/device?user_code=WDJB")),
        List.of("openid", "offline_access"),
        T0,
        T0.plusSeconds(600),
        Duration.ofSeconds(5),
        T0.plusSeconds(5),
        true);
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private void save(DeviceAuthorization authorization) {
    join(store.save(authorization, List.of()));
  }

  @Test
  void findWhenSavedThenReturnsEveryFieldUnchanged() {
    DeviceAuthorization named = authorization("a", TokenKey.named("crm"));
    DeviceAuthorization perUser = authorization("b", TokenKey.perUser("crm", "alice"));
    save(named);
    save(perUser);

    assertThat(join(store.find(TokenKey.named("crm")))).contains(named);
    assertThat(join(store.find(TokenKey.perUser("crm", "alice")))).contains(perUser);
    assertThat(join(store.find(TokenKey.perUser("crm", "bob")))).isEmpty();
  }

  @Test
  void saveWhenOneIsPendingForTheTokenThenReplacesIt() {
    save(authorization("old", TokenKey.named("crm")));
    DeviceAuthorization replacing = authorization("new", TokenKey.named("crm"));

    save(replacing);

    assertThat(join(store.find(TokenKey.named("crm")))).contains(replacing);
    assertThat(join(store.remove("old"))).isFalse();
    assertThat(join(store.reschedule(authorization("old", TokenKey.named("crm"))))).isFalse();
  }

  @Test
  void claimDueWhenNotDueYetThenClaimsNothing() {
    save(authorization("a", TokenKey.named("crm")));

    assertThat(join(store.claimDue(T0.plusSeconds(4), LEASE, 10))).isEmpty();
    assertThat(join(store.claimDue(T0.plusSeconds(5), LEASE, 10))).hasSize(1);
  }

  @Test
  void claimDueWhenPollersRaceThenEachAuthorizationGoesToOne() {
    for (int i = 0; i < 5; i++) {
      save(authorization("a" + i, TokenKey.perUser("crm", "user-" + i)));
    }
    Instant now = T0.plusSeconds(6);

    List<CompletableFuture<List<DeviceAuthorization>>> racing = new ArrayList<>();
    for (int poller = 0; poller < 4; poller++) {
      racing.add(store.claimDue(now, LEASE, 10).toCompletableFuture());
    }

    List<String> claimed = new ArrayList<>();
    racing.forEach(claim -> claim.join().forEach(a -> claimed.add(a.id())));
    assertThat(claimed).containsExactlyInAnyOrder("a0", "a1", "a2", "a3", "a4");
  }

  @Test
  void claimDueWhenTheClaimLapsedThenClaimsAgain() {
    save(authorization("a", TokenKey.named("crm")));
    Instant now = T0.plusSeconds(6);
    assertThat(join(store.claimDue(now, LEASE, 10))).hasSize(1);

    assertThat(join(store.claimDue(now.plusSeconds(60), LEASE, 10))).isEmpty();
    assertThat(join(store.claimDue(now.plus(LEASE), LEASE, 10))).hasSize(1);
  }

  @Test
  void rescheduleWhenClaimedThenReleasesItWithTheNewIntervalAndNextPoll() {
    DeviceAuthorization saved = authorization("a", TokenKey.named("crm"));
    save(saved);
    Instant now = T0.plusSeconds(6);
    join(store.claimDue(now, LEASE, 10));

    assertThat(join(store.reschedule(saved.slowedDown(now)))).isTrue();

    DeviceAuthorization found = join(store.find(TokenKey.named("crm"))).orElseThrow();
    assertThat(found.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(found.nextPollAt()).isEqualTo(now.plusSeconds(10));
    assertThat(join(store.claimDue(now.plusSeconds(9), LEASE, 10))).isEmpty();
    assertThat(join(store.claimDue(now.plusSeconds(10), LEASE, 10))).hasSize(1);
  }

  @Test
  void removeWhenRemovedThenFoundNoMore() {
    save(authorization("a", TokenKey.named("crm")));

    assertThat(join(store.remove("a"))).isTrue();

    assertThat(join(store.find(TokenKey.named("crm")))).isEmpty();
    assertThat(join(store.remove("a"))).isFalse();
  }
}
