package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.WebhookStore;
import dev.callgate.core.webhook.DeliveryPolicy;
import dev.callgate.core.webhook.DeliveryStatus;
import dev.callgate.core.webhook.SendOutcome;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WebhookStore} must do: keep subscriptions with their secrets, start a new one's
 * cursor at the newest event, queue deliveries once per event and cursor, give pending ones back
 * oldest first, and let one owner hold the dispatch lease at a time. An adapter's test extends this
 * class and returns an empty store and the event log it shares from {@link #create()}. Times are
 * whole milliseconds, as the stores keep them.
 */
public abstract class WebhookStoreContract {
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  /** A webhook store and the log its writes append their events to. */
  public record Stores(WebhookStore webhooks, EventLog events) {}

  protected abstract Stores create();

  protected abstract void close(Stores stores);

  private Stores stores;
  private WebhookStore store;
  private EventLog log;

  @BeforeEach
  void open() {
    stores = create();
    store = stores.webhooks();
    log = stores.events();
  }

  @AfterEach
  void shut() {
    close(stores);
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Event event(EventType type, String credential) {
    return new Event(
        type,
        T0,
        Optional.ofNullable(credential),
        Optional.empty(),
        "instance-a",
        Optional.empty(),
        Optional.empty(),
        Map.of("webhook", "w"));
  }

  private static WebhookSubscription subscription(String id) {
    return new WebhookSubscription(
        id,
        URI.create("https://hooks.example.com/" + id + "?team=7"),
        java.util.Set.of(EventType.GRANT_LOST, EventType.TOKEN_REFRESHED),
        Secret.of("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"),
        T0,
        0,
        WebhookHealth.healthy());
  }

  private List<RecordedEvent> all() {
    return join(log.read(EventQuery.after(0, 500))).events();
  }

  @Test
  void createWhenEventsExistThenTheCursorStartsAtTheNewestAndTheCreationIsLogged() {
    join(
        log.append(List.of(event(EventType.GRANT_LOST, "crm"), event(EventType.GRANT_LOST, null))));
    long newest = all().get(1).id();
    join(store.create(subscription("w1"), List.of(event(EventType.AUDIT_WEBHOOK_CREATED, null))));

    WebhookSubscription stored = join(store.find("w1")).orElseThrow();
    assertThat(stored.cursor()).isEqualTo(newest);
    assertThat(stored.secret().reveal()).isEqualTo("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
    assertThat(stored.url()).isEqualTo(URI.create("https://hooks.example.com/w1?team=7"));
    assertThat(stored.types())
        .containsExactlyInAnyOrder(EventType.GRANT_LOST, EventType.TOKEN_REFRESHED);
    assertThat(stored.createdAt()).isEqualTo(T0);
    assertThat(stored.health()).isEqualTo(WebhookHealth.healthy());
    assertThat(all())
        .last()
        .extracting(e -> e.event().type())
        .isEqualTo(EventType.AUDIT_WEBHOOK_CREATED);
    assertThat(join(store.subscriptions()))
        .extracting(WebhookSubscription::id)
        .containsExactly("w1");
  }

  @Test
  void enqueueWhenTheCursorMovedMeanwhileThenNothingIsQueued() {
    join(store.create(subscription("w1"), List.of()));
    join(log.append(List.of(event(EventType.GRANT_LOST, "crm"))));
    RecordedEvent recorded = all().get(0);
    WebhookDelivery queued = WebhookDelivery.queued("w1", recorded, T0);

    assertThat(join(store.enqueue("w1", 0, recorded.id(), List.of(queued)))).isTrue();
    assertThat(join(store.enqueue("w1", 0, recorded.id(), List.of(queued)))).isFalse();
    assertThat(join(store.find("w1")).orElseThrow().cursor()).isEqualTo(recorded.id());
    assertThat(join(store.pendingHeads("w1", 10))).containsExactly(queued);
    assertThat(join(store.pendingCounts())).containsEntry("w1", 1L);
  }

  @Test
  void pendingHeadsThenTheOldestPendingOfEachCredentialAndRecordedOutcomesRoundTrip() {
    join(store.create(subscription("w1"), List.of()));
    join(
        log.append(
            List.of(
                event(EventType.GRANT_LOST, "crm"),
                event(EventType.GRANT_LOST, null),
                event(EventType.TOKEN_REFRESHED, "crm"),
                event(EventType.TOKEN_REFRESHED, "billing"),
                event(EventType.GRANT_LOST, null))));
    List<WebhookDelivery> queued =
        all().stream().map(e -> WebhookDelivery.queued("w1", e, T0)).toList();
    join(
        store.enqueue(
            "w1",
            0,
            queued.get(4).eventId(),
            List.of(queued.get(4), queued.get(2), queued.get(3), queued.get(1), queued.get(0))));

    assertThat(join(store.pendingHeads("w1", 10)))
        .containsExactly(queued.get(0), queued.get(1), queued.get(3));
    assertThat(join(store.pendingHeads("w1", 2))).containsExactly(queued.get(0), queued.get(1));
    DeliveryPolicy policy = DeliveryPolicy.defaults();
    WebhookDelivery retried =
        policy.settle(
            queued.get(0),
            new SendOutcome.NotAnswered("connection refused"),
            T0.plusSeconds(1),
            new SplittableRandom(1));
    WebhookDelivery delivered =
        policy.settle(
            queued.get(1),
            new SendOutcome.Answered(204),
            T0.plusSeconds(1),
            new SplittableRandom(1));
    join(store.record(retried));
    join(store.record(delivered));

    assertThat(join(store.pendingHeads("w1", 10)))
        .containsExactly(retried, queued.get(3), queued.get(4));
    assertThat(join(store.recent("w1", 10)))
        .containsExactly(queued.get(4), queued.get(3), queued.get(2), delivered, retried);
    assertThat(join(store.pendingCounts())).containsEntry("w1", 4L);

    WebhookHealth failing = new WebhookHealth(Optional.of(T0), Optional.of("HTTP 503"));
    join(store.recordHealth("w1", failing));
    assertThat(join(store.find("w1")).orElseThrow().health()).isEqualTo(failing);
  }

  @Test
  void forgetSettledThenKeepsTheNewestSettledAndEveryPendingOne() {
    join(store.create(subscription("w1"), List.of()));
    for (int i = 0; i < 5; i++) {
      join(log.append(List.of(event(EventType.GRANT_LOST, "crm"))));
    }
    List<WebhookDelivery> queued =
        all().stream().map(e -> WebhookDelivery.queued("w1", e, T0)).toList();
    join(store.enqueue("w1", 0, queued.get(4).eventId(), queued));
    for (int i : new int[] {1, 2, 3, 4}) {
      join(
          store.record(
              DeliveryPolicy.defaults()
                  .settle(
                      queued.get(i), new SendOutcome.Answered(200), T0, new SplittableRandom())));
    }
    join(store.forgetSettled("w1", 2));
    assertThat(join(store.recent("w1", 10)))
        .extracting(WebhookDelivery::eventId)
        .containsExactly(queued.get(4).eventId(), queued.get(3).eventId(), queued.get(0).eventId());
    assertThat(join(store.recent("w1", 10)).get(2).status()).isEqualTo(DeliveryStatus.PENDING);
  }

  @Test
  void deleteThenTheSubscriptionAndItsDeliveriesAreGoneAndTheDeletionIsLogged() {
    join(store.create(subscription("w1"), List.of()));
    join(log.append(List.of(event(EventType.GRANT_LOST, "crm"))));
    RecordedEvent recorded = all().get(0);
    join(
        store.enqueue("w1", 0, recorded.id(), List.of(WebhookDelivery.queued("w1", recorded, T0))));

    assertThat(join(store.delete("w1", List.of(event(EventType.AUDIT_WEBHOOK_DELETED, null)))))
        .isTrue();
    assertThat(join(store.delete("w1", List.of(event(EventType.AUDIT_WEBHOOK_DELETED, null)))))
        .isFalse();
    assertThat(join(store.find("w1"))).isEmpty();
    assertThat(join(store.pendingCounts())).doesNotContainKey("w1");
    assertThat(all())
        .extracting(e -> e.event().type())
        .containsExactly(EventType.GRANT_LOST, EventType.AUDIT_WEBHOOK_DELETED);
  }

  @Test
  void tryLeaseThenOneOwnerAtATimeUntilItsLeaseRunsOut() {
    Duration lease = Duration.ofSeconds(30);
    assertThat(join(store.tryLease("a", T0.plus(lease), T0))).isTrue();
    assertThat(join(store.tryLease("b", T0.plusSeconds(40), T0.plusSeconds(10)))).isFalse();
    assertThat(join(store.tryLease("a", T0.plusSeconds(40), T0.plusSeconds(10)))).isTrue();
    assertThat(join(store.tryLease("b", T0.plusSeconds(80), T0.plusSeconds(39)))).isFalse();
    assertThat(join(store.tryLease("b", T0.plusSeconds(80), T0.plusSeconds(40)))).isTrue();
  }
}
