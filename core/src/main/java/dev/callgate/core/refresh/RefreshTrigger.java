package dev.callgate.core.refresh;

import dev.callgate.core.token.RefreshBudget;

/** Why a refresh was asked for; reported in metrics and kept apart in the rules that gate it. */
public enum RefreshTrigger {
  /** The access token is in its proactive window (scheduled, or a callout saw it). */
  PROACTIVE,
  /** The refresh token would idle out: refreshed to keep the grant alive. */
  KEEP_ALIVE,
  /** A callout needs a token and the current one is about to expire or missing. */
  ON_DEMAND,
  /** The target answered an expired-token 401, or an answer a {@code refreshOn} rule names. */
  ON_401,
  /** An admin asked for it. */
  MANUAL,
  /** The owner of a per-user token asked for it. */
  OWNER;

  /**
   * Whether a successful refresh of this kind starts its budget's hourly count afresh. One after a
   * 401 does not: a target that refuses every new token would otherwise bring one refresh per
   * callout, and the bound is what stops that; nor does an owner's, which the bound limits per
   * hour. The others succeeded because a token was due, or because an admin asked.
   */
  public boolean successRestartsAttemptCount() {
    return switch (this) {
      case ON_401, OWNER -> false;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, MANUAL -> true;
    };
  }

  /**
   * An admin's request skips the back-off wait (but not the hourly attempt bound). An owner's does
   * not: the back-off protects the provider during an outage, and an owner cannot judge it.
   */
  public boolean skipsBackoff() {
    return switch (this) {
      case MANUAL -> true;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, ON_401, OWNER -> false;
    };
  }

  /**
   * Whether a person asked, which lets a refresh through where only a person may decide (a refused
   * client, a grant without a person to renew).
   */
  public boolean personAsked() {
    return switch (this) {
      case MANUAL, OWNER -> true;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, ON_401 -> false;
    };
  }

  /**
   * Whether a refresh that succeeded moments ago answers this request instead of the provider: an
   * owner's, so that pressing "refresh" forty times costs one call. An admin's is not answered so,
   * since an admin refreshes to see what the provider says now (after ending a session or changing
   * a client there); the admins' own hourly bound limits it.
   */
  public boolean answeredByARecentRefresh() {
    return switch (this) {
      case OWNER -> true;
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND, ON_401, MANUAL -> false;
    };
  }

  /** The budget whose hourly bound this refresh counts against. */
  public RefreshBudget budget() {
    return switch (this) {
      case PROACTIVE, KEEP_ALIVE, ON_DEMAND -> RefreshBudget.SCHEDULE;
      case ON_401 -> RefreshBudget.AFTER_REJECTION;
      case MANUAL -> RefreshBudget.ADMIN;
      case OWNER -> RefreshBudget.OWNER;
    };
  }

  /** The name in metrics and events: {@code keep_alive}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
