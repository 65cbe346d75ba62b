package dev.callgate.core.token;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Refresh attempts counted in a fixed window (one hour by default), per {@link RefreshBudget}, so
 * that a credential whose refresh keeps failing can never cause a refresh storm at its identity
 * provider, and so that one kind of refresh cannot spend the attempts of another. The budgets share
 * one window; a budget without attempts is absent from {@code counts}.
 */
public record RefreshAttempts(Instant windowStart, Map<RefreshBudget, Integer> counts) {

  public static final RefreshAttempts NONE = new RefreshAttempts(Instant.EPOCH, Map.of());

  public RefreshAttempts {
    Objects.requireNonNull(windowStart, "windowStart");
    Map<RefreshBudget, Integer> kept = new EnumMap<>(RefreshBudget.class);
    counts.forEach(
        (budget, count) -> {
          if (count < 0) {
            throw new IllegalArgumentException("an attempt count cannot be negative");
          }
          if (count > 0) {
            kept.put(budget, count);
          }
        });
    counts = Map.copyOf(kept);
  }

  /** {@code scheduled} attempts of the schedule's budget in the window from {@code windowStart}. */
  public RefreshAttempts(Instant windowStart, int scheduled) {
    this(windowStart, Map.of(RefreshBudget.SCHEDULE, scheduled));
  }

  /** The attempts of {@code budget} recorded in the current window, whether or not it is over. */
  public int count(RefreshBudget budget) {
    return counts.getOrDefault(budget, 0);
  }

  /**
   * The attempts after one more of {@code budget} at {@code now}, opening a new window when the old
   * one is over.
   */
  public RefreshAttempts plusOne(RefreshBudget budget, Instant now, Duration window) {
    if (now.isBefore(windowStart.plus(window))) {
      Map<RefreshBudget, Integer> next = new EnumMap<>(RefreshBudget.class);
      next.putAll(counts);
      next.merge(budget, 1, Integer::sum);
      return new RefreshAttempts(windowStart, next);
    }
    return new RefreshAttempts(now, Map.of(budget, 1));
  }

  /** How many attempts of {@code budget} the window holding {@code now} has seen. */
  public int countAt(RefreshBudget budget, Instant now, Duration window) {
    return now.isBefore(windowStart.plus(window)) ? count(budget) : 0;
  }

  /** The attempts with {@code budget}'s count started afresh, the others' kept. */
  public RefreshAttempts restarted(RefreshBudget budget) {
    Map<RefreshBudget, Integer> next = new EnumMap<>(RefreshBudget.class);
    next.putAll(counts);
    next.remove(budget);
    return next.isEmpty() ? NONE : new RefreshAttempts(windowStart, next);
  }
}
