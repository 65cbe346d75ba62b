package dev.callgate.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private final DeliveryPolicy policy = DeliveryPolicy.defaults();

  @Test
  void backoffWhenAttemptsFailThenDoublesFromFiveSecondsToFiveMinutesWithJitterBelowEach() {
    RandomGenerator random = new SplittableRandom(7);
    long[] ceilings = {5, 10, 20, 40, 80, 160, 300, 300, 300};
    for (int failed = 1; failed <= ceilings.length; failed++) {
      for (int draw = 0; draw < 200; draw++) {
        Duration wait = policy.backoff(failed, random);
        Duration ceiling = Duration.ofSeconds(ceilings[failed - 1]);
        assertThat(wait).isBetween(ceiling.dividedBy(2), ceiling);
      }
    }
    assertThat(policy.backoff(10_000, random)).isLessThanOrEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void backoffWhenDrawnManyTimesThenSpreadsAcrossItsRange() {
    RandomGenerator random = new SplittableRandom(3);
    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> policy.backoff(3, random))
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void settleWhenReceiverAnswers2xxThenDeliveredWithNoNextAttempt() {
    WebhookDelivery settled =
        policy.settle(
            queued(1, "a", T0), new SendOutcome.Answered(204), T0, new SplittableRandom());
    assertThat(settled.status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(settled.attempts()).isEqualTo(1);
    assertThat(settled.lastStatus()).contains(204);
    assertThat(settled.nextAttemptAt()).isEmpty();
  }

  @Test
  void settleWhenReceiverFailsWithinTheHorizonThenPendingAgainAfterTheBackoff() {
    WebhookDelivery settled =
        policy.settle(
            queued(1, "a", T0), new SendOutcome.Answered(503), T0, new SplittableRandom());
    assertThat(settled.status()).isEqualTo(DeliveryStatus.PENDING);
    assertThat(settled.lastStatus()).contains(503);
    assertThat(settled.nextAttemptAt().orElseThrow())
        .isBetween(T0.plusMillis(2500), T0.plusSeconds(5));
  }

  @Test
  void settleWhenTheNextAttemptWouldPassTheHorizonThenFailed() {
    DeliveryPolicy shortHorizon = policy.withHorizon(Duration.ofMinutes(1));
    WebhookDelivery settled =
        shortHorizon.settle(
            queued(1, "a", T0),
            new SendOutcome.NotAnswered("connection refused"),
            T0.plusSeconds(59),
            new SplittableRandom());
    assertThat(settled.status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(settled.lastError()).contains("connection refused");
    assertThat(settled.nextAttemptAt()).isEmpty();
  }

  @Test
  void settleWhen410GoneThenRetriedLikeAnyFailure() {
    WebhookDelivery settled =
        policy.settle(
            queued(1, "a", T0), new SendOutcome.Answered(410), T0, new SplittableRandom());
    assertThat(settled.status()).isEqualTo(DeliveryStatus.PENDING);
  }

  @Test
  void sendableWhenEarlierEventOfTheSameCredentialIsPendingThenOnlyTheOldestOfEachGoes() {
    List<WebhookDelivery> pending =
        List.of(
            queued(5, "a", T0),
            queued(2, "a", T0),
            queued(3, "b", T0),
            queued(4, null, T0),
            queued(6, null, T0),
            queued(7, "b", T0));
    assertThat(DeliveryPolicy.sendable(pending, T0))
        .extracting(WebhookDelivery::eventId)
        .containsExactly(2L, 3L, 4L);
  }

  @Test
  void sendableWhenTheOldestOfACredentialWaitsForItsBackoffThenNothingOfThatCredentialGoes() {
    WebhookDelivery waiting =
        policy.settle(
            queued(1, "a", T0), new SendOutcome.Answered(500), T0, new SplittableRandom());
    List<WebhookDelivery> pending = List.of(waiting, queued(2, "a", T0), queued(3, "b", T0));
    assertThat(DeliveryPolicy.sendable(pending, T0.plusSeconds(1)))
        .extracting(WebhookDelivery::eventId)
        .containsExactly(3L);
    assertThat(DeliveryPolicy.sendable(pending, T0.plusSeconds(5)))
        .extracting(WebhookDelivery::eventId)
        .containsExactly(1L, 3L);
  }

  @Test
  void sendableWhenTheOldestFailedForGoodThenTheNextOfThatCredentialGoes() {
    WebhookDelivery failed =
        policy
            .withHorizon(Duration.ofSeconds(1))
            .settle(queued(1, "a", T0), new SendOutcome.Answered(500), T0, new SplittableRandom());
    assertThat(failed.status()).isEqualTo(DeliveryStatus.FAILED);
    assertThat(DeliveryPolicy.sendable(List.of(failed, queued(2, "a", T0)), T0))
        .extracting(WebhookDelivery::eventId)
        .containsExactly(2L);
  }

  @Test
  void healthWhenAttemptsFailThenFailingSinceTheFirstAndClearedByADelivery() {
    WebhookHealth failing =
        WebhookHealth.healthy()
            .after(
                List.of(
                    new WebhookHealth.Attempt(T0.plusSeconds(5), new SendOutcome.Answered(503)),
                    new WebhookHealth.Attempt(T0, new SendOutcome.NotAnswered("timed out"))));
    assertThat(failing.failingSince()).contains(T0);
    assertThat(failing.lastError()).contains("HTTP 503");
    WebhookHealth recovered =
        failing.after(
            List.of(new WebhookHealth.Attempt(T0.plusSeconds(9), new SendOutcome.Answered(200))));
    assertThat(recovered.failingSince()).isEmpty();
    assertThat(recovered.lastError()).contains("HTTP 503");
  }

  static WebhookDelivery queued(long id, String credential, Instant time) {
    Event event =
        new Event(
            EventType.TOKEN_REFRESHED,
            time,
            Optional.ofNullable(credential),
            Optional.empty(),
            "test",
            Optional.<Diagnosis>empty(),
            Optional.empty(),
            Map.of());
    return WebhookDelivery.queued("w1", new RecordedEvent(id, event), time);
  }
}
