package dev.callgate.adapter.idp;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How the identity-provider adapter talks to authorization servers: how long it waits for a
 * connection and for an answer, how long a discovery document is trusted before it is fetched
 * again, and where it reads the time (for JWT assertions and the discovery cache).
 */
public record IdentityProviderOptions(
    Duration connectTimeout,
    Duration requestTimeout,
    Duration discoveryLifetime,
    InstantSource clock) {

  public IdentityProviderOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(discoveryLifetime, "discoveryLifetime");
    Objects.requireNonNull(clock, "clock");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (discoveryLifetime.isNegative()) {
      throw new IllegalArgumentException("discoveryLifetime must not be negative");
    }
  }

  /** Connect within 5 s, an answer within 10 s, discovery trusted for 1 h, the system clock. */
  public static IdentityProviderOptions defaults() {
    return new IdentityProviderOptions(
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofHours(1), InstantSource.system());
  }

  public IdentityProviderOptions withConnectTimeout(Duration timeout) {
    return new IdentityProviderOptions(timeout, requestTimeout, discoveryLifetime, clock);
  }

  public IdentityProviderOptions withRequestTimeout(Duration timeout) {
    return new IdentityProviderOptions(connectTimeout, timeout, discoveryLifetime, clock);
  }

  public IdentityProviderOptions withDiscoveryLifetime(Duration lifetime) {
    return new IdentityProviderOptions(connectTimeout, requestTimeout, lifetime, clock);
  }

  public IdentityProviderOptions withClock(InstantSource instantSource) {
    return new IdentityProviderOptions(
        connectTimeout, requestTimeout, discoveryLifetime, instantSource);
  }
}
