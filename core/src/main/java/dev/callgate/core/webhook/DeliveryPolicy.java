package dev.callgate.core.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The rules of webhook delivery. A delivery is settled by a 2xx; after any other outcome it is
 * attempted again after a back-off that starts at {@code firstRetry} and doubles up to {@code
 * maxRetry}, each drawn between half and all of that so receivers that failed together are not hit
 * together again — until the next attempt would fall past {@code horizon} after the event, when it
 * is given up as failed (every delivery gets at least one attempt). Deliveries of one webhook go
 * out in order per credential: an event is not sent while an earlier one of the same credential is
 * pending; events of no credential (most audit events) keep their order among themselves.
 */
public record DeliveryPolicy(Duration firstRetry, Duration maxRetry, Duration horizon) {

  public DeliveryPolicy {
    Objects.requireNonNull(firstRetry, "firstRetry");
    Objects.requireNonNull(maxRetry, "maxRetry");
    Objects.requireNonNull(horizon, "horizon");
    if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
      throw new IllegalArgumentException("retries wait a positive time, growing to maxRetry");
    }
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("the retry horizon must be positive");
    }
  }

  /** 5 seconds doubling to 5 minutes, given up 24 hours after the event. */
  public static DeliveryPolicy defaults() {
    return new DeliveryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(24));
  }

  public DeliveryPolicy withHorizon(Duration next) {
    return new DeliveryPolicy(firstRetry, maxRetry, next);
  }

  /** The wait after {@code failedAttempts} (at least 1) attempts failed in a row. */
  public Duration backoff(int failedAttempts, RandomGenerator random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("a back-off follows a failed attempt");
    }
    // doubling past 2^20 overflows nothing: the cap is reached long before
    Duration ceiling = firstRetry.multipliedBy(1L << Math.min(failedAttempts - 1, 20));
    if (ceiling.compareTo(maxRetry) > 0) {
      ceiling = maxRetry;
    }
    long millis = ceiling.toMillis();
    return Duration.ofMillis(millis / 2 + random.nextLong(millis - millis / 2 + 1));
  }

  /** {@code delivery} after an attempt at {@code at} came to {@code outcome}. */
  public WebhookDelivery settle(
      WebhookDelivery delivery, SendOutcome outcome, Instant at, RandomGenerator random) {
    if (!delivery.pending()) {
      throw new IllegalArgumentException("only a pending delivery is attempted");
    }
    if (outcome.delivered()) {
      return delivery.attempted(at, outcome, DeliveryStatus.DELIVERED, Optional.empty());
    }
    Instant next = at.plus(backoff(delivery.attempts() + 1, random));
    return next.isAfter(delivery.eventTime().plus(horizon))
        ? delivery.attempted(at, outcome, DeliveryStatus.FAILED, Optional.empty())
        : delivery.attempted(at, outcome, DeliveryStatus.PENDING, Optional.of(next));
  }

  /**
   * Of one webhook's {@code pending} deliveries, those to attempt at {@code now}: the oldest
   * pending one of each credential (and of no credential), when it is due.
   */
  public static List<WebhookDelivery> sendable(List<WebhookDelivery> pending, Instant now) {
    Set<Optional<String>> seen = new HashSet<>();
    List<WebhookDelivery> sendable = new ArrayList<>();
    for (WebhookDelivery delivery :
        pending.stream()
            .filter(WebhookDelivery::pending)
            .sorted(Comparator.comparingLong(WebhookDelivery::eventId))
            .toList()) {
      if (seen.add(delivery.credential()) && delivery.dueAt(now)) {
        sendable.add(delivery);
      }
    }
    return sendable;
  }
}
