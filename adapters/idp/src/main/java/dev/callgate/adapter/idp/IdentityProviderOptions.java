package dev.callgate.adapter.idp;

import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How the identity-provider adapter talks to authorization servers: how long it waits for a
 * connection and for an answer, how long a discovery document is trusted before it is fetched
 * again, where it reads the time (for JWT assertions and the discovery cache), which addresses it
 * may connect to ({@code outbound}), which endpoint URLs it uses ({@code endpoints}: https, or http
 * to loopback unless allowed), and how many bytes of an answer it reads at most ({@code
 * maxResponseBytes}: a provider's answers are small, and a larger one is refused rather than read
 * into memory).
 */
public record IdentityProviderOptions(
    Duration connectTimeout,
    Duration requestTimeout,
    Duration discoveryLifetime,
    InstantSource clock,
    OutboundAddressPolicy outbound,
    ProviderEndpointRule endpoints,
    int maxResponseBytes) {

  /** 1 MiB: a discovery document, a token answer or a JWKS is a few kilobytes. */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  public IdentityProviderOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(discoveryLifetime, "discoveryLifetime");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(endpoints, "endpoints");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (discoveryLifetime.isNegative()) {
      throw new IllegalArgumentException("discoveryLifetime must not be negative");
    }
    if (maxResponseBytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes must be positive");
    }
  }

  /**
   * Connect within 5 s, an answer within 10 s, discovery trusted for 1 h, the system clock, public
   * addresses only, https (or http to loopback) endpoints, answers up to 1 MiB.
   */
  public static IdentityProviderOptions defaults() {
    return new IdentityProviderOptions(
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofHours(1),
        InstantSource.system(),
        OutboundAddressPolicy.publicOnly(),
        ProviderEndpointRule.httpsOrLoopback(),
        DEFAULT_MAX_RESPONSE_BYTES);
  }

  public IdentityProviderOptions withConnectTimeout(Duration timeout) {
    return new IdentityProviderOptions(
        timeout, requestTimeout, discoveryLifetime, clock, outbound, endpoints, maxResponseBytes);
  }

  public IdentityProviderOptions withRequestTimeout(Duration timeout) {
    return new IdentityProviderOptions(
        connectTimeout, timeout, discoveryLifetime, clock, outbound, endpoints, maxResponseBytes);
  }

  public IdentityProviderOptions withDiscoveryLifetime(Duration lifetime) {
    return new IdentityProviderOptions(
        connectTimeout, requestTimeout, lifetime, clock, outbound, endpoints, maxResponseBytes);
  }

  public IdentityProviderOptions withClock(InstantSource instantSource) {
    return new IdentityProviderOptions(
        connectTimeout,
        requestTimeout,
        discoveryLifetime,
        instantSource,
        outbound,
        endpoints,
        maxResponseBytes);
  }

  public IdentityProviderOptions withOutbound(OutboundAddressPolicy policy) {
    return new IdentityProviderOptions(
        connectTimeout,
        requestTimeout,
        discoveryLifetime,
        clock,
        policy,
        endpoints,
        maxResponseBytes);
  }

  public IdentityProviderOptions withEndpoints(ProviderEndpointRule rule) {
    return new IdentityProviderOptions(
        connectTimeout, requestTimeout, discoveryLifetime, clock, outbound, rule, maxResponseBytes);
  }

  public IdentityProviderOptions withMaxResponseBytes(int bytes) {
    return new IdentityProviderOptions(
        connectTimeout, requestTimeout, discoveryLifetime, clock, outbound, endpoints, bytes);
  }
}
