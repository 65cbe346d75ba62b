package dev.callgate.core.token;

import java.time.Duration;
import java.time.Instant;

/**
 * Refresh attempts counted in a fixed window (one hour by default), so that a credential whose
 * refresh keeps failing can never cause a refresh storm at its identity provider.
 */
public record RefreshAttempts(Instant windowStart, int count) {

  public static final RefreshAttempts NONE = new RefreshAttempts(Instant.EPOCH, 0);

  /** The attempts after one more at {@code now}, opening a new window when the old one is over. */
  public RefreshAttempts plusOne(Instant now, Duration window) {
    if (now.isBefore(windowStart.plus(window))) {
      return new RefreshAttempts(windowStart, count + 1);
    }
    return new RefreshAttempts(now, 1);
  }

  /** How many attempts the window holding {@code now} has seen. */
  public int countAt(Instant now, Duration window) {
    return now.isBefore(windowStart.plus(window)) ? count : 0;
  }
}
