package dev.callgate.adapter.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a cached record may be served without reading the store although no change was heard
 * ({@code maxStaleness}: the bound for a change whose news was lost; zero reads every time), and
 * how many records each cache holds at most.
 */
public record CacheOptions(Duration maxStaleness, long maximumSize) {
  public CacheOptions {
    Objects.requireNonNull(maxStaleness, "maxStaleness");
    if (maxStaleness.isNegative()) {
      throw new IllegalArgumentException("maxStaleness cannot be negative");
    }
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize must be positive");
    }
  }

  /** 10 s without news at most, 100,000 records per cache. */
  public static CacheOptions defaults() {
    return new CacheOptions(Duration.ofSeconds(10), 100_000);
  }
}
