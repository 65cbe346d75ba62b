package dev.callgate.core.refresh;

/** Why a refresh was asked for; reported in metrics and kept apart in the rules that gate it. */
public enum RefreshTrigger {
  /** The access token is in its proactive window (scheduled, or a callout saw it). */
  PROACTIVE,
  /** The refresh token would idle out: refreshed to keep the grant alive. */
  KEEP_ALIVE,
  /** A callout needs a token and the current one is about to expire or missing. */
  ON_DEMAND,
  /** The target answered an expired-token 401. */
  ON_401,
  /** A person asked for it. */
  MANUAL;

  /**
   * Whether a successful refresh of this kind starts the hourly count of attempts afresh. One after
   * a 401 does not: a target that refuses every new token would otherwise bring one refresh per
   * callout, and the bound is what stops that; the others succeeded because a token was due.
   */
  public boolean successRestartsAttemptCount() {
    return switch (this) {
      case ON_401 -> false;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, MANUAL -> true;
    };
  }

  /** A person's request skips the back-off wait (but not the hourly attempt bound). */
  public boolean skipsBackoff() {
    return switch (this) {
      case MANUAL -> true;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, ON_401 -> false;
    };
  }

  /** The name in metrics and events: {@code keep_alive}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
