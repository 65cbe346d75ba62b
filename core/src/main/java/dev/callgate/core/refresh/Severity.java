package dev.callgate.core.refresh;

/**
 * What a failed refresh means for the token: it may pass ({@code TRANSIENT}: retry with back-off
 * while the current access token is still served), the identity provider refused Callgate's client
 * or a grant without a person ({@code CLIENT_REJECTED}: a fault of the configuration, the grant is
 * kept until it is fixed), or the grant is gone ({@code TERMINAL}: a person must authorize again).
 * An outage is always transient, so that it is never mistaken for a revoked grant.
 */
public enum Severity {
  TERMINAL,
  CLIENT_REJECTED,
  TRANSIENT
}
