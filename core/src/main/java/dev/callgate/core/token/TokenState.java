package dev.callgate.core.token;

/**
 * Where a token stands. {@code NEEDS_AUTHORIZATION} and {@code REVOKED} end automatic work: only a
 * person (a new authorization) moves them on. See {@link TokenStateMachine}.
 */
public enum TokenState {
  /** No token yet: the authorization flow has not completed. */
  UNAUTHORIZED,
  /** A valid access token that is not yet due for refresh. */
  ACTIVE,
  /** The access token is due for refresh (proactive window reached, or the target rejected it). */
  EXPIRING,
  /** A refresh is under way. */
  REFRESHING,
  /** The last refresh failed for a passing reason; retrying with back-off. */
  REFRESH_FAILED,
  /** The grant is gone (refresh token expired or revoked, client refused): a person must act. */
  NEEDS_AUTHORIZATION,
  /** Callgate revoked the tokens on request. */
  REVOKED;

  /** Whether Callgate may call the identity provider for this token on its own. */
  public boolean allowsRefresh() {
    return switch (this) {
      case ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED -> true;
      case UNAUTHORIZED, NEEDS_AUTHORIZATION, REVOKED -> false;
    };
  }
}
