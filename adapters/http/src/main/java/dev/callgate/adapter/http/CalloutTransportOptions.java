package dev.callgate.adapter.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the callout transport: how long to wait for a connection to the target ({@code
 * connectTimeout}, including a wait for a free pooled connection), how long the target may stay
 * silent while Callgate waits for its answer or reads its body ({@code responseTimeout}, an idle
 * timeout: a large body that keeps flowing is never cut off), how many connections one credential
 * may have open to one target at once ({@code maxPoolSize}), and how many of its callouts may wait
 * for one of them ({@code maxWaitQueueSize}; one more is refused at once, as {@code
 * ConnectionLimitReached}).
 */
public record CalloutTransportOptions(
    Duration connectTimeout, Duration responseTimeout, int maxPoolSize, int maxWaitQueueSize) {

  public CalloutTransportOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(responseTimeout, "responseTimeout");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + maxPoolSize);
    }
    if (maxWaitQueueSize < 0) {
      throw new IllegalArgumentException(
          "maxWaitQueueSize must not be negative, was " + maxWaitQueueSize);
    }
  }

  /**
   * 10 s to connect, 30 s of silence at most, 32 connections per credential and target, 1024
   * waiting.
   */
  public static CalloutTransportOptions defaults() {
    return new CalloutTransportOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 32, 1024);
  }

  public CalloutTransportOptions withConnectTimeout(Duration next) {
    return new CalloutTransportOptions(next, responseTimeout, maxPoolSize, maxWaitQueueSize);
  }

  public CalloutTransportOptions withResponseTimeout(Duration next) {
    return new CalloutTransportOptions(connectTimeout, next, maxPoolSize, maxWaitQueueSize);
  }

  public CalloutTransportOptions withMaxPoolSize(int next) {
    return new CalloutTransportOptions(connectTimeout, responseTimeout, next, maxWaitQueueSize);
  }

  public CalloutTransportOptions withMaxWaitQueueSize(int next) {
    return new CalloutTransportOptions(connectTimeout, responseTimeout, maxPoolSize, next);
  }

  private static void requirePositive(Duration duration, String name) {
    if (duration.isNegative() || duration.isZero() || duration.toMillis() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, was " + duration);
    }
  }
}
