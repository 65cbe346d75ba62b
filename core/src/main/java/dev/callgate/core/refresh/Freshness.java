package dev.callgate.core.refresh;

/**
 * How urgently an access token needs refreshing at a given moment, as {@link
 * RefreshPolicy#freshness} decides: {@code FRESH} needs nothing; {@code REFRESH_DUE} is still valid
 * and is served while a refresh runs in the background (stale-while-refresh); {@code MUST_REFRESH}
 * is about to expire or has expired, so callers wait for the refresh instead of sending a token the
 * target would reject.
 */
public enum Freshness {
  FRESH,
  REFRESH_DUE,
  MUST_REFRESH
}
