package dev.callgate.core.webhook;

import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One event on its way to one webhook: which event (its id is the {@code webhook-id} header, the
 * same on every attempt), its type, credential and time, where the delivery stands, how many
 * attempts were made, the last one's time and outcome (a status, or why no answer came), and when
 * the next attempt is due while it is pending.
 */
public record WebhookDelivery(
    String subscriptionId,
    long eventId,
    EventType type,
    Optional<String> credential,
    Instant eventTime,
    DeliveryStatus status,
    int attempts,
    Optional<Instant> lastAttemptAt,
    Optional<Integer> lastStatus,
    Optional<String> lastError,
    Optional<Instant> nextAttemptAt) {

  public WebhookDelivery {
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastAttemptAt, "lastAttemptAt");
    Objects.requireNonNull(lastStatus, "lastStatus");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    if (status == DeliveryStatus.PENDING && nextAttemptAt.isEmpty()) {
      throw new IllegalArgumentException("a pending delivery has a next attempt");
    }
    if (status != DeliveryStatus.PENDING && nextAttemptAt.isPresent()) {
      throw new IllegalArgumentException("a settled delivery has no next attempt");
    }
  }

  /** {@code event} queued for {@code subscriptionId}, to be sent at {@code now}. */
  public static WebhookDelivery queued(String subscriptionId, RecordedEvent event, Instant now) {
    return new WebhookDelivery(
        subscriptionId,
        event.id(),
        event.event().type(),
        event.event().credential(),
        event.event().time(),
        DeliveryStatus.PENDING,
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(now));
  }

  public boolean pending() {
    return status == DeliveryStatus.PENDING;
  }

  /** Whether a pending delivery may be attempted at {@code now}. */
  public boolean dueAt(Instant now) {
    return pending() && !nextAttemptAt.orElseThrow().isAfter(now);
  }

  /** After an attempt at {@code at} came to {@code outcome}: delivered, failed or pending again. */
  WebhookDelivery attempted(
      Instant at, SendOutcome outcome, DeliveryStatus next, Optional<Instant> nextAttempt) {
    return new WebhookDelivery(
        subscriptionId,
        eventId,
        type,
        credential,
        eventTime,
        next,
        attempts + 1,
        Optional.of(at),
        outcome.fold(Optional::of, reason -> Optional.empty()),
        outcome.fold(status -> Optional.empty(), Optional::of),
        nextAttempt);
  }

  /** Given up without an attempt at {@code at}, for {@code reason} (its event is gone). */
  public WebhookDelivery abandoned(Instant at, String reason) {
    return new WebhookDelivery(
        subscriptionId,
        eventId,
        type,
        credential,
        eventTime,
        DeliveryStatus.FAILED,
        attempts,
        lastAttemptAt,
        lastStatus,
        Optional.of(reason),
        Optional.empty());
  }
}
