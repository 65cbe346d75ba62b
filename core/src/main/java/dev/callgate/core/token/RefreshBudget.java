package dev.callgate.core.token;

/**
 * Whose refresh attempts are counted together: each budget has its own hourly bound, so that
 * refreshes one party can cause (a target answering 401, a person pressing "refresh") never use up
 * the attempts another needs — the schedule that keeps the grant alive above all.
 */
public enum RefreshBudget {
  /** Refreshes Callgate plans itself: proactive, keep-alive and on demand when a token is due. */
  SCHEDULE,
  /** Refreshes after a target rejected the token with a 401. */
  AFTER_REJECTION,
  /** Refreshes an admin asked for. */
  ADMIN,
  /** Refreshes a per-user token's owner asked for. */
  OWNER
}
