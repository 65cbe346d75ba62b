package dev.callgate.core.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a webhook's deliveries go: since when its attempts fail (empty while the receiver takes them)
 * and the last failed attempt's outcome, which stays visible after the receiver recovers.
 */
public record WebhookHealth(Optional<Instant> failingSince, Optional<String> lastError) {
  public WebhookHealth {
    Objects.requireNonNull(failingSince, "failingSince");
    Objects.requireNonNull(lastError, "lastError");
  }

  public static WebhookHealth healthy() {
    return new WebhookHealth(Optional.empty(), Optional.empty());
  }

  /** One attempt at {@code at} and how it went. */
  public record Attempt(Instant at, SendOutcome outcome) {
    public Attempt {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * The health after {@code attempts}, taken in time order: a delivered one ends a failing spell, a
   * failed one starts one (or continues it, keeping its start).
   */
  public WebhookHealth after(List<Attempt> attempts) {
    WebhookHealth health = this;
    for (Attempt attempt : attempts.stream().sorted((a, b) -> a.at().compareTo(b.at())).toList()) {
      health =
          attempt.outcome().delivered()
              ? new WebhookHealth(Optional.empty(), health.lastError)
              : new WebhookHealth(
                  Optional.of(health.failingSince.orElse(attempt.at())),
                  Optional.of(attempt.outcome().describe()));
    }
    return health;
  }
}
