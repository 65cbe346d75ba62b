package dev.callgate.core.refresh;

/**
 * Whether a failed refresh ends automatic work on a token ({@code TERMINAL}: the grant or the
 * client was refused, a person must act) or may pass ({@code TRANSIENT}: retry with back-off while
 * the current access token is still served). An outage is always transient, so that it is never
 * mistaken for a revoked grant.
 */
public enum Severity {
  TERMINAL,
  TRANSIENT
}
