package dev.callgate.core.token;

/**
 * Where a token stands. {@code NEEDS_AUTHORIZATION} and {@code REVOKED} end automatic work until a
 * person authorizes again; {@code CLIENT_REJECTED} ends it until the provider's configuration
 * changes (or a person asks for a refresh), with the grant kept. See {@link TokenStateMachine}.
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
  /** The last refresh failed for a reason that may pass; retrying with back-off. */
  REFRESH_FAILED,
  /**
   * The identity provider refused Callgate's client (its authentication, or the grant type for it):
   * a fault of the provider's configuration, not of the grant, which is kept until the
   * configuration is fixed.
   */
  CLIENT_REJECTED,
  /** The grant is gone (refresh token expired or revoked): a person must authorize again. */
  NEEDS_AUTHORIZATION,
  /** Callgate revoked the grant on request. */
  REVOKED;

  /** Whether Callgate may call the identity provider for this token on its own. */
  public boolean allowsRefresh() {
    return switch (this) {
      case ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED -> true;
      case UNAUTHORIZED, CLIENT_REJECTED, NEEDS_AUTHORIZATION, REVOKED -> false;
    };
  }

  /**
   * Whether the token's grant lives on as far as the record says: the states that refresh, and a
   * refused client, whose grant waits for its configuration to be fixed.
   */
  public boolean keepsGrant() {
    return switch (this) {
      case ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED, CLIENT_REJECTED -> true;
      case UNAUTHORIZED, NEEDS_AUTHORIZATION, REVOKED -> false;
    };
  }
}
