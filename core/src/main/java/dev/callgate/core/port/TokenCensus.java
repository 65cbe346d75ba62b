package dev.callgate.core.port;

import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A summary of every token record, small whatever their number: how many stand in each state — a
 * token whose grant is alive by its stored state but whose refresh token's known expiry has passed
 * counted as {@code NEEDS_AUTHORIZATION}, and also among {@code predictedExpired} — how many are
 * overdue for a scheduled refresh, and the few records whose refresh token expires first.
 */
public record TokenCensus(
    Map<TokenState, Long> byState,
    long predictedExpired,
    long overdue,
    List<TokenRecord> soonestRefreshTokenExpiry) {
  public TokenCensus {
    byState = Map.copyOf(Objects.requireNonNull(byState, "byState"));
    soonestRefreshTokenExpiry = List.copyOf(soonestRefreshTokenExpiry);
    if (overdue < 0 || predictedExpired < 0) {
      throw new IllegalArgumentException("counts cannot be negative");
    }
  }
}
