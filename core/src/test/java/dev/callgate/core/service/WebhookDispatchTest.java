package dev.callgate.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.WebhookSender;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.InMemoryWebhookStore;
import dev.callgate.core.testkit.ManualClock;
import dev.callgate.core.webhook.DeliveryPolicy;
import dev.callgate.core.webhook.DeliveryStatus;
import dev.callgate.core.webhook.SendOutcome;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookUrlRule;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WebhookDispatchTest {
  private final ManualClock clock = new ManualClock();
  private final InMemoryEventLog log = new InMemoryEventLog();
  private final InMemoryWebhookStore store = new InMemoryWebhookStore(log);
  private final Receiver receiver = new Receiver();
  private final List<WebhookDelivery> settled = Collections.synchronizedList(new ArrayList<>());
  private final Webhooks webhooks =
      new Webhooks(
          store,
          new EventSource("instance-a", clock),
          new SecureRandom(),
          new WebhookUrlRule(
              ProviderEndpointRule.httpsOrLoopback(), OutboundAddressPolicy.publicOnly()));
  private static final Actor OPS = new Actor("ops", "k1", "r1");

  /** A receiver that is down (503, or no answer) or up (204), and remembers what it took. */
  static final class Receiver implements WebhookSender {
    volatile boolean up = true;
    volatile boolean answers = true;
    final List<RecordedEvent> attempts = Collections.synchronizedList(new ArrayList<>());
    final List<RecordedEvent> accepted = Collections.synchronizedList(new ArrayList<>());
    final List<String> secrets = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletionStage<SendOutcome> send(
        URI url, Secret secret, RecordedEvent event, Instant attemptAt) {
      attempts.add(event);
      secrets.add(secret.reveal());
      if (up) {
        accepted.add(event);
        return CompletableFuture.completedStage(new SendOutcome.Answered(204));
      }
      return CompletableFuture.completedStage(
          answers
              ? new SendOutcome.Answered(503)
              : new SendOutcome.NotAnswered("connection refused"));
    }
  }

  private WebhookDispatch dispatcher(String owner, DeliveryPolicy policy) {
    return dispatcher(owner, policy, 100);
  }

  private WebhookDispatch dispatcher(String owner, DeliveryPolicy policy, int batch) {
    return new WebhookDispatch(
        store,
        log,
        receiver,
        clock,
        new SplittableRandom(11),
        new WebhookDispatch.Settings(owner, Duration.ofSeconds(30), policy, batch, 1000),
        settled::add);
  }

  private String subscribe(Optional<List<String>> types) {
    return webhooks
        .subscribe(
            new Webhooks.Subscribe(Optional.of("https://hooks.example.com/callgate"), types, OPS))
        .toCompletableFuture()
        .join()
        .fold(
            (summary, secret) -> summary.id(),
            problems -> {
              throw new AssertionError(problems);
            });
  }

  private void happen(String credential, EventType type) {
    log.record(
        List.of(
            new Event(
                type,
                clock.now(),
                Optional.ofNullable(credential),
                Optional.empty(),
                "instance-a",
                Optional.empty(),
                Optional.empty(),
                Map.of())));
  }

  private static WebhookDispatch.Round run(WebhookDispatch dispatch) {
    return dispatch.dispatch().toCompletableFuture().join();
  }

  @Test
  void dispatchWhenReceiverIsDownTenMinutesThenItReceivesEveryEventOnceInOrderPerCredential() {
    String id = subscribe(Optional.empty());
    WebhookDispatch dispatch = dispatcher("instance-a", DeliveryPolicy.defaults());
    run(dispatch); // the webhook's own creation, delivered while the receiver is up
    receiver.accepted.clear();
    receiver.up = false;
    String[] credentials = {"crm", "billing", null, "crm", "billing", "crm"};
    for (int second = 0; second < 600; second++) {
      if (second % 20 == 0) {
        receiver.answers = second % 40 == 0; // some attempts answered 503, some not at all
        happen(credentials[(second / 20) % credentials.length], EventType.TOKEN_REFRESHED);
      }
      clock.advance(Duration.ofSeconds(1));
      run(dispatch);
    }
    assertThat(receiver.accepted).isEmpty();
    assertThat(receiver.attempts)
        .hasSizeGreaterThan(10); // heads retried with back-off, the rest wait
    receiver.up = true;
    for (int second = 0; second < 600; second++) {
      clock.advance(Duration.ofSeconds(1));
      run(dispatch);
    }

    List<Long> expected =
        store.deliveries(id).stream()
            .map(WebhookDelivery::eventId)
            .filter(eventId -> eventId > 1) // the creation, taken before the receiver went down
            .sorted()
            .toList();
    assertThat(expected).hasSize(30);
    assertThat(receiver.accepted.stream().map(RecordedEvent::id).sorted().toList())
        .as("every event, each accepted exactly once")
        .isEqualTo(expected);
    Map<Optional<String>, List<Long>> perCredential =
        receiver.accepted.stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.event().credential(),
                    Collectors.mapping(RecordedEvent::id, Collectors.toList())));
    perCredential.forEach(
        (credential, ids) -> assertThat(ids).as("order of %s", credential).isSorted());
    assertThat(store.deliveries(id)).allMatch(d -> d.status() == DeliveryStatus.DELIVERED);
    assertThat(store.subscriptions().toCompletableFuture().join().get(0).health().failingSince())
        .isEmpty();
    assertThat(receiver.secrets).allMatch(s -> s.startsWith("whsec_"));
  }

  @Test
  void dispatchWhenADeliveryPassesItsHorizonThenItFailsAndTheNextOfItsCredentialProceeds() {
    String id = subscribe(Optional.of(List.of("grant.lost")));
    WebhookDispatch dispatch =
        dispatcher("instance-a", DeliveryPolicy.defaults().withHorizon(Duration.ofMinutes(2)));
    receiver.up = false;
    happen("crm", EventType.GRANT_LOST);
    happen("crm", EventType.TOKEN_REFRESHED); // not subscribed to
    clock.advance(Duration.ofSeconds(90));
    happen("crm", EventType.GRANT_LOST);
    for (int second = 0; second < 60; second++) {
      clock.advance(Duration.ofSeconds(1));
      run(dispatch);
    }
    List<WebhookDelivery> deliveries = store.deliveries(id);
    assertThat(deliveries).extracting(WebhookDelivery::type).containsOnly(EventType.GRANT_LOST);
    assertThat(deliveries.get(0).status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(deliveries.get(1).status()).isEqualTo(DeliveryStatus.PENDING);
    assertThat(deliveries.get(1).attempts()).isPositive();
    assertThat(settled).anyMatch(d -> d.status() == DeliveryStatus.FAILED);

    receiver.up = true;
    clock.advance(Duration.ofSeconds(30));
    run(dispatch);
    assertThat(store.deliveries(id).get(1).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(receiver.accepted).extracting(RecordedEvent::id).containsExactly(4L);
  }

  @Test
  void dispatchWhenOneCredentialHasABacklogLargerThanABatchThenAnotherCredentialStillGoes() {
    subscribe(Optional.of(List.of("grant.lost")));
    WebhookDispatch dispatch = dispatcher("instance-a", DeliveryPolicy.defaults(), 2);
    receiver.up = false;
    for (int i = 0; i < 5; i++) {
      happen("crm", EventType.GRANT_LOST);
    }
    for (int round = 0; round < 5; round++) {
      run(dispatch); // queues two events a round
    }
    happen("billing", EventType.GRANT_LOST);
    receiver.up = true;
    clock.advance(Duration.ofSeconds(1));
    run(dispatch);
    run(dispatch);
    assertThat(receiver.accepted)
        .extracting(e -> e.event().credential().orElseThrow())
        .contains("billing");
  }

  @Test
  void dispatchWhenAnotherInstanceHoldsTheLeaseThenItSendsNothingUntilTheLeaseRunsOut() {
    subscribe(Optional.empty());
    WebhookDispatch first = dispatcher("instance-a", DeliveryPolicy.defaults());
    WebhookDispatch second = dispatcher("instance-b", DeliveryPolicy.defaults());
    assertThat(run(first).leased()).isTrue();
    happen("crm", EventType.GRANT_LOST);
    clock.advance(Duration.ofSeconds(10));
    assertThat(run(second)).isEqualTo(new WebhookDispatch.Round(false, 0));
    assertThat(receiver.accepted).hasSize(1); // the creation, sent by the first
    clock.advance(Duration.ofSeconds(31));
    assertThat(run(second).attempts()).isEqualTo(1);
    assertThat(receiver.accepted).hasSize(2);
    assertThat(run(first).leased()).isFalse();
  }

  @Test
  void dispatchWhenTheEventWasPurgedBeforeDeliveryThenTheDeliveryFails() {
    String id = subscribe(Optional.of(List.of("grant.lost")));
    WebhookDispatch dispatch = dispatcher("instance-a", DeliveryPolicy.defaults());
    receiver.up = false;
    happen("crm", EventType.GRANT_LOST);
    run(dispatch);
    log.purgeBefore(clock.now().plusSeconds(1));
    clock.advance(Duration.ofMinutes(1));
    run(dispatch);
    WebhookDelivery delivery = store.deliveries(id).get(0);
    assertThat(delivery.status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(delivery.lastError().orElseThrow()).contains("purged");
  }

  @Test
  void subscribeWhenEventsNameAnUnknownTypeOrTheUrlIsRefusedThenRejectedWithEveryProblem() {
    List<String> codes =
        webhooks
            .subscribe(
                new Webhooks.Subscribe(
                    Optional.of("http://10.0.0.7/in?token=s3cret"),
                    Optional.of(List.of("grant.lost", "grant.found")),
                    OPS))
            .toCompletableFuture()
            .join()
            .fold(
                (summary, secret) -> List.<String>of(),
                problems -> problems.stream().map(p -> p.code() + ":" + p.message()).toList());
    assertThat(codes).hasSize(2);
    assertThat(codes.get(0)).startsWith("INVALID_URL").doesNotContain("s3cret");
    assertThat(codes.get(1)).startsWith("INVALID_VALUE").contains("grant.found");
    assertThat(store.subscriptions().toCompletableFuture().join()).isEmpty();
  }

  @Test
  void subscribeThenSecretIsAStandardWebhooksSecretAndCreationAndDeletionAreAudited() {
    Webhooks.SubscribeOutcome outcome =
        webhooks
            .subscribe(
                new Webhooks.Subscribe(
                    Optional.of("https://hooks.example.com/in"), Optional.empty(), OPS))
            .toCompletableFuture()
            .join();
    String secret = outcome.fold((s, key) -> key.reveal(), p -> "");
    String id = outcome.fold((s, key) -> s.id(), p -> "");
    assertThat(secret).startsWith("whsec_");
    assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    assertThat(webhooks.delete(id, OPS).toCompletableFuture().join()).isEmpty();
    assertThat(webhooks.delete(id, OPS).toCompletableFuture().join())
        .get()
        .extracting(d -> d.code().name())
        .isEqualTo("WEBHOOK_NOT_FOUND");
    assertThat(log.all())
        .extracting(Event::type)
        .containsExactly(EventType.AUDIT_WEBHOOK_CREATED, EventType.AUDIT_WEBHOOK_DELETED);
    assertThat(log.all().get(0).actor()).map(a -> a.subject()).contains("ops");
    assertThat(log.all().get(0).details()).containsEntry("origin", "https://hooks.example.com");
  }
}
