package dev.callgate.core.token;

/** What can happen to a token; the inputs of {@link TokenStateMachine}. */
public enum TokenEvent {
  /** The authorization flow (or a client-credentials / JWT-bearer grant) produced tokens. */
  AUTHORIZED,
  /** The refresh policy says the access token is due for refresh. */
  ACCESS_TOKEN_EXPIRING,
  /** A target answered with an expired-token 401. */
  ACCESS_TOKEN_REJECTED,
  /** A refresh began (this instance holds the refresh lease). */
  REFRESH_STARTED,
  /** The identity provider issued new tokens. */
  REFRESH_SUCCEEDED,
  /** The refresh failed for a passing reason (network, 5xx, 429, timeout, bad response). */
  REFRESH_FAILED_TRANSIENTLY,
  /** The identity provider refused the grant for good ({@code invalid_grant}, a scope). */
  REFRESH_REJECTED,
  /**
   * The identity provider refused Callgate's client ({@code invalid_client}, {@code
   * unauthorized_client}), or, for a grant without a person, its configuration.
   */
  CLIENT_REJECTED,
  /** The provider's (or the credential's) configuration changed: a refused client may pass now. */
  PROVIDER_CHANGED,
  /** The refresh token's known expiry passed without a refresh, or none was ever issued. */
  REFRESH_TOKEN_EXPIRED,
  /** A person revoked the grant. */
  REVOKED
}
