package dev.callgate.core.token;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The refreshes that failed in a row for a reason that may pass, since the last that succeeded: how
 * many, and when the first and the last of them failed. It dates an outage, so that a grant lost
 * during one is explained as such, and lets a callout try again once the last failure is old enough
 * rather than wait for the back-off.
 */
public record FailureStreak(int count, Optional<Instant> firstAt, Optional<Instant> lastAt) {

  public static final FailureStreak NONE = new FailureStreak(0, Optional.empty(), Optional.empty());

  public FailureStreak {
    Objects.requireNonNull(firstAt, "firstAt");
    Objects.requireNonNull(lastAt, "lastAt");
    if (count < 0) {
      throw new IllegalArgumentException("count cannot be negative");
    }
    if ((count == 0) != firstAt.isEmpty() || firstAt.isPresent() != lastAt.isPresent()) {
      throw new IllegalArgumentException("a streak has times exactly when it has failures");
    }
  }

  /** The streak after one more failure at {@code at}. */
  public FailureStreak plus(Instant at) {
    return new FailureStreak(count + 1, Optional.of(firstAt.orElse(at)), Optional.of(at));
  }

  public boolean isEmpty() {
    return count == 0;
  }
}
