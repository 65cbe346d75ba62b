// Token states as Callgate's core defines them, in words, and which of them wait for a person.

export const STATES = {
  UNAUTHORIZED: 'No token yet: someone must authorize an authorization-code credential; other grants are fetched at first use.',
  ACTIVE: 'A valid access token.',
  EXPIRING: 'Due for refresh; Callgate refreshes it.',
  REFRESHING: 'A refresh is under way.',
  REFRESH_FAILED: 'The last refresh failed for a passing reason; Callgate retries with back-off.',
  CLIENT_REJECTED: "The provider refused Callgate's client: fix the provider's client id, secret or grant types.",
  NEEDS_AUTHORIZATION: 'The grant is gone (refresh token expired or revoked): authorize again.',
  REVOKED: 'Revoked on request: authorize again to use it.',
};

/** The states in which Callgate stops on its own until a person acts (TokenState.allowsRefresh false). */
const NEEDS_A_PERSON = new Set(['UNAUTHORIZED', 'CLIENT_REJECTED', 'NEEDS_AUTHORIZATION', 'REVOKED']);

/**
 * Whether a token of a credential with `protocol` waits for a person: an UNAUTHORIZED token of the
 * client-credentials or JWT-bearer grants is fetched by Callgate itself at its first use.
 */
export function needsAPerson(state, protocol) {
  if (state === 'UNAUTHORIZED') return protocol === 'oauth2_authorization_code';
  return NEEDS_A_PERSON.has(state);
}

export const TOKEN_PROTOCOLS = new Set(['oauth2_authorization_code', 'oauth2_client_credentials', 'oauth2_jwt_bearer', 'oauth2_token_exchange']);
