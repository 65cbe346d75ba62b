package dev.callgate.adapter.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.callgate.core.outbound.AddressRange;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.Security;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an outbound request may connect: the URL's host resolved once, each address judged by the
 * {@link OutboundAddressPolicy}, and the first one it allows returned as the exact address to
 * connect to. A client that connects to that address (Vert.x {@code RequestOptions.setServer} or
 * the web client's {@code requestAbs(method, server, url)}) keeps the host name for the Host
 * header, TLS SNI and certificate checks, while no second lookup happens between the check and the
 * connection, so a name that answers a public address to the check and a private one to the
 * connection (DNS rebinding) gains nothing. Every HTTP client Callgate creates asks it first.
 *
 * <p>A host's addresses are kept as long as the JDK keeps a name's positive answer ({@code
 * networkaddress.cache.ttl}, 30 s unless set), with the policy's verdict on them: the policy is
 * immutable and its verdict depends on the host and the address alone, so the verdict kept is the
 * one a new judgement would give, a refusal included. A numeric host is kept the same way (read
 * once, not resolved); a failed lookup is not kept.
 */
public final class OutboundGuard {

  /** Where to connect: {@code address} on {@code port}, speaking TLS or not, for {@code host}. */
  public record Destination(String host, InetAddress address, int port, boolean tls) {
    public Destination {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(address, "address");
    }

    /** The socket address to hand Vert.x, so that it connects without resolving again. */
    public SocketAddress server() {
      return SocketAddress.inetSocketAddress(port, address.getHostAddress());
    }
  }

  /** A host's addresses, as the JDK's {@link InetAddress#getAllByName} gives them. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** Hosts whose addresses are kept at most: a credential's URL names one, few call many. */
  static final int MAXIMUM_HOSTS = 10_000;

  private final Vertx vertx;
  private final OutboundAddressPolicy policy;
  private final Resolver resolver;
  private final Cache<String, Judged> kept;

  /** A host's addresses as judged: the first one allowed, else the first refusal. */
  private record Judged(InetAddress allowed, OutboundAddressPolicy.Verdict.Refused refused) {}

  private OutboundGuard(
      Vertx vertx,
      OutboundAddressPolicy policy,
      Resolver resolver,
      Duration keepAddresses,
      Ticker ticker) {
    this.vertx = vertx;
    this.policy = policy;
    this.resolver = resolver;
    this.kept =
        Caffeine.newBuilder()
            .maximumSize(MAXIMUM_HOSTS)
            .expireAfterWrite(keepAddresses)
            .ticker(ticker)
            // upkeep on the calling event loop: a few pointer moves, no listener
            .executor(Runnable::run)
            .build();
  }

  public static OutboundGuard create(Vertx vertx, OutboundAddressPolicy policy) {
    return create(
        vertx, policy, InetAddress::getAllByName, jdkPositiveTtl(), Ticker.systemTicker());
  }

  static OutboundGuard create(
      Vertx vertx,
      OutboundAddressPolicy policy,
      Resolver resolver,
      Duration keepAddresses,
      Ticker ticker) {
    return new OutboundGuard(
        Objects.requireNonNull(vertx, "vertx"),
        Objects.requireNonNull(policy, "policy"),
        resolver,
        keepAddresses,
        ticker);
  }

  /**
   * How long the JDK keeps a positive answer: {@code networkaddress.cache.ttl} seconds (negative:
   * for ever, 0: not at all), else its default of 30 s. Ours is kept as long, so an address is used
   * at most twice that long after the name server gave it (the JDK's copy may have been near its
   * end when it was taken), and a change of the setting applies to both.
   */
  static Duration jdkPositiveTtl() {
    String setting = Security.getProperty("networkaddress.cache.ttl");
    try {
      long seconds = setting == null ? 30 : Long.parseLong(setting.trim());
      return seconds < 0 ? Duration.ofNanos(Long.MAX_VALUE) : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(30);
    }
  }

  public OutboundAddressPolicy policy() {
    return policy;
  }

  /**
   * The host as a client would read it. {@link URI} finds no host in authorities such as {@code
   * 127.1}, {@code 0x7f.1} or {@code 2130706433} (a last label that starts with a digit), which
   * resolvers still turn into addresses: those are read from the raw authority, so they are
   * resolved and judged like any other.
   */
  private static String host(URI url) {
    if (url.getHost() != null) {
      return url.getHost();
    }
    String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = authority.lastIndexOf(':');
    return colon < 0 || authority.endsWith("]") ? authority : authority.substring(0, colon);
  }

  private static int port(URI url, int otherwise) {
    if (url.getHost() != null) {
      return url.getPort() == -1 ? otherwise : url.getPort();
    }
    String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.endsWith("]")) {
      return otherwise;
    }
    String digits = authority.substring(colon + 1);
    return digits.matches("\\d{1,5}") && Integer.parseInt(digits) <= 65535
        ? Integer.parseInt(digits)
        : -1;
  }

  /**
   * The destination of {@code url}; fails with {@link OutboundAddressRefusedException} when the
   * policy refuses every address the host has, or with the resolver's {@code UnknownHostException}.
   */
  public Future<Destination> destination(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = scheme.equals("https");
    String host = host(url);
    int port = port(url, tls ? 443 : 80);
    if (host.isEmpty() || port < 0 || !(tls || scheme.equals("http"))) {
      return Future.failedFuture(
          new IllegalArgumentException("not an http(s) URL with a host: " + scheme + ":"));
    }
    if (policy.judgeName(host) instanceof OutboundAddressPolicy.Verdict.Refused refused) {
      return Future.failedFuture(new OutboundAddressRefusedException(refused));
    }
    Judged judged = kept.getIfPresent(host);
    if (judged != null) {
      return destination(judged, host, port, tls);
    }
    Optional<InetAddress> literal = AddressRange.numericHost(host);
    Future<InetAddress[]> resolved =
        literal.isPresent()
            ? Future.succeededFuture(new InetAddress[] {literal.get()})
            : addressesOf(host);
    return resolved.compose(
        addresses -> {
          Judged verdict = judged(host, addresses);
          kept.put(host, verdict);
          return destination(verdict, host, port, tls);
        });
  }

  private Judged judged(String host, InetAddress[] addresses) {
    OutboundAddressPolicy.Verdict.Refused first = null;
    for (InetAddress address : addresses) {
      OutboundAddressPolicy.Verdict verdict = policy.judge(host, address);
      if (verdict instanceof OutboundAddressPolicy.Verdict.Refused refused) {
        first = first == null ? refused : first;
      } else {
        return new Judged(address, null);
      }
    }
    return new Judged(null, first);
  }

  private static Future<Destination> destination(
      Judged judged, String host, int port, boolean tls) {
    return judged.allowed() != null
        ? Future.succeededFuture(new Destination(host, judged.allowed(), port, tls))
        : Future.failedFuture(new OutboundAddressRefusedException(judged.refused()));
  }

  private Future<InetAddress[]> addressesOf(String host) {
    // The JDK resolver blocks, so it runs on a worker; it reads the hosts file as well. Callouts
    // to a host not kept yet each look it up: one lookup each, once a TTL.
    return vertx.executeBlocking(() -> resolver.resolve(host), false);
  }
}
