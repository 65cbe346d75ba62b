package dev.callgate.adapter.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the callout transport: how long to wait for a connection to the target ({@code
 * connectTimeout}, including a wait for a free pooled connection), how long the target may stay
 * silent while Callgate waits for its answer or reads its body ({@code responseTimeout}, an idle
 * timeout: a large body that keeps flowing is never cut off), and how many connections to one
 * target may be open at once ({@code maxPoolSize}).
 */
public record CalloutTransportOptions(
    Duration connectTimeout, Duration responseTimeout, int maxPoolSize) {

  public CalloutTransportOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(responseTimeout, "responseTimeout");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
    }
  }

  /** 10 s to connect, 30 s of silence at most, 32 connections per target. */
  public static CalloutTransportOptions defaults() {
    return new CalloutTransportOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 32);
  }

  public CalloutTransportOptions withConnectTimeout(Duration next) {
    return new CalloutTransportOptions(next, responseTimeout, maxPoolSize);
  }

  public CalloutTransportOptions withResponseTimeout(Duration next) {
    return new CalloutTransportOptions(connectTimeout, next, maxPoolSize);
  }

  public CalloutTransportOptions withMaxPoolSize(int next) {
    return new CalloutTransportOptions(connectTimeout, responseTimeout, next);
  }

  private static void requirePositive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero() || duration.toMillis() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, was " + duration);
    }
  }
}
