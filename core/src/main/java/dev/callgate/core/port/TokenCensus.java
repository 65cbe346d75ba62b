package dev.callgate.core.port;

import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A summary of every token record, small whatever their number: how many stand in each state, how
 * many are overdue for a scheduled refresh, and the few records whose refresh token expires first.
 */
public record TokenCensus(
    Map<TokenState, Long> byState, long overdue, List<TokenRecord> soonestRefreshTokenExpiry) {
  public TokenCensus {
    byState = Map.copyOf(Objects.requireNonNull(byState, "byState"));
    soonestRefreshTokenExpiry = List.copyOf(soonestRefreshTokenExpiry);
    if (overdue < 0) {
      throw new IllegalArgumentException("overdue cannot be negative");
    }
  }
}
