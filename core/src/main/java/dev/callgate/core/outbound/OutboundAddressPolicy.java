package dev.callgate.core.outbound;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_CONFIGURATION;
import static dev.callgate.core.diagnosis.DiagnosisCode.OUTBOUND_ADDRESS_REFUSED;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which addresses Callgate may open a connection to, for callouts and for every request to an
 * identity provider. Link-local addresses and the cloud metadata services are never reached, by
 * address or by name, since they hand out the host's own credentials. Loopback, private, shared
 * (carrier-grade NAT) and unspecified addresses are reached only when the allow-list names their
 * range or the host, because a credential URL pointing there reaches services that trust their
 * network. Every address is judged in its IPv4 form when it embeds one (IPv4-mapped, -compatible,
 * NAT64 and 6to4), so that {@code [::ffff:127.0.0.1]} is loopback. The policy judges an address
 * already resolved; resolving once and connecting to exactly that address is the adapter's part.
 */
public record OutboundAddressPolicy(List<AddressRange> allowedRanges, Set<String> allowedHosts) {

  /** The environment variable that holds the allow-list. */
  public static final String SETTING = "CALLGATE_OUTBOUND_ALLOW";

  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

  /** Names of metadata services; cloud resolvers answer them with a link-local address. */
  private static final Set<String> METADATA_NAMES =
      Set.of(
          "metadata.google.internal",
          "metadata.goog",
          "metadata",
          "instance-data",
          "instance-data.ec2.internal");

  private record Rule(AddressRange range, String description) {}

  private static final List<Rule> NEVER =
      List.of(
          rule("169.254.0.0/16", "a link-local address, where cloud metadata services answer"),
          rule("fe80::/10", "a link-local address"),
          rule("fd00:ec2::254/128", "the AWS metadata service"),
          rule("100.100.100.200/32", "the Alibaba Cloud metadata service"),
          rule("224.0.0.0/4", "a multicast address"),
          rule("ff00::/8", "a multicast address"),
          rule("255.255.255.255/32", "the broadcast address"));

  private static final List<Rule> UNLESS_ALLOWED =
      List.of(
          rule("127.0.0.0/8", "a loopback address"),
          rule("::1/128", "a loopback address"),
          rule("0.0.0.0/8", "an unspecified address, which reaches this host"),
          rule("::/128", "an unspecified address, which reaches this host"),
          rule("10.0.0.0/8", "a private address"),
          rule("172.16.0.0/12", "a private address"),
          rule("192.168.0.0/16", "a private address"),
          rule("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
          rule("fc00::/7", "a private (unique local) address"));

  public OutboundAddressPolicy {
    allowedRanges = List.copyOf(allowedRanges);
    Set<String> hosts = new LinkedHashSet<>();
    for (String host : allowedHosts) {
      hosts.add(normalizeHost(host));
    }
    allowedHosts = Set.copyOf(hosts);
  }

  /** The policy with nothing allowed beyond public addresses. */
  public static OutboundAddressPolicy publicOnly() {
    return new OutboundAddressPolicy(List.of(), Set.of());
  }

  /**
   * The policy the setting describes: comma-separated CIDR ranges, IP addresses and host names,
   * such as {@code 127.0.0.0/8,::1/128,idp.internal}; blank allows public addresses only.
   */
  public static Validated<OutboundAddressPolicy> parse(String setting) {
    if (setting == null || setting.isBlank()) {
      return Validated.valid(publicOnly());
    }
    List<AddressRange> ranges = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    List<Diagnosis> problems = new ArrayList<>();
    for (String entry : setting.split(",")) {
      String item = entry.trim();
      if (item.isEmpty()) {
        continue;
      }
      Optional<AddressRange> range = AddressRange.parse(item);
      if (range.isPresent()) {
        ranges.add(range.get());
      } else if (HOST_NAME.matcher(item).matches() && !item.matches("(.*\\.)?\\d+\\.?")) {
        // a last label of digits is a numeric address form (127.1), not a name
        hosts.add(item);
      } else {
        problems.add(
            Diagnosis.of(
                INVALID_CONFIGURATION,
                "variable",
                SETTING,
                "problem",
                "'"
                    + item
                    + "' is neither a CIDR range (10.0.0.0/8, ::1/128), an IP address nor a host"
                    + " name"));
      }
    }
    return problems.isEmpty()
        ? Validated.valid(new OutboundAddressPolicy(ranges, hosts))
        : Validated.invalid(problems);
  }

  /** What the policy says about one connection. */
  public sealed interface Verdict {
    record Allowed() implements Verdict {}

    /** {@code rule} says why, for people: "a loopback address", "the AWS metadata service". */
    record Refused(String host, String address, String rule) implements Verdict {
      public Refused {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(rule, "rule");
      }

      public Diagnosis diagnosis() {
        return Diagnosis.of(
            OUTBOUND_ADDRESS_REFUSED, "host", host, "address", address, "rule", rule);
      }
    }
  }

  /**
   * The verdict on a host name before it is resolved: the metadata services' names are refused
   * whatever they resolve to, since a cloud resolver may answer them with any address.
   */
  public Verdict judgeName(String host) {
    String name = normalizeHost(host);
    if (METADATA_NAMES.contains(name)) {
      return new Verdict.Refused(
          host, "(not resolved)", "the name of a cloud metadata service, never reached");
    }
    return new Verdict.Allowed();
  }

  /** The verdict on connecting to {@code address}, which {@code host} resolved to. */
  public Verdict judge(String host, InetAddress address) {
    Verdict byName = judgeName(host);
    if (byName instanceof Verdict.Refused) {
      return byName;
    }
    InetAddress judged = embeddedIpv4(address).orElse(address);
    String shown =
        judged.equals(address)
            ? address.getHostAddress()
            : address.getHostAddress() + " (" + judged.getHostAddress() + ")";
    for (Rule rule : NEVER) {
      if (rule.range().contains(judged)) {
        return new Verdict.Refused(host, shown, rule.description() + ", never reached");
      }
    }
    boolean allowed =
        allowedHosts.contains(normalizeHost(host))
            || allowedRanges.stream().anyMatch(range -> range.contains(judged))
            || allowedRanges.stream().anyMatch(range -> range.contains(address));
    if (allowed) {
      return new Verdict.Allowed();
    }
    for (Rule rule : UNLESS_ALLOWED) {
      if (rule.range().contains(judged)) {
        return new Verdict.Refused(host, shown, rule.description() + ", not named in " + SETTING);
      }
    }
    return new Verdict.Allowed();
  }

  /**
   * The IPv4 address an IPv6 address carries, if any: IPv4-mapped ({@code ::ffff:a.b.c.d}),
   * IPv4-compatible ({@code ::a.b.c.d}), NAT64 ({@code 64:ff9b::a.b.c.d}) and 6to4 ({@code
   * 2002:aabb:ccdd::}). Each is a way to reach that IPv4 address through an IPv6 literal.
   */
  static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] b = address.getAddress();
    byte[] v4;
    if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      v4 = Arrays.copyOfRange(b, 12, 16);
    } else if (zero(b, 0, 12) && !(zero(b, 12, 15) && (b[15] == 0 || b[15] == 1))) {
      // IPv4-compatible; :: and ::1 stay IPv6
      v4 = Arrays.copyOfRange(b, 12, 16);
    } else if ((b[0] & 0xff) == 0x00
        && (b[1] & 0xff) == 0x64
        && (b[2] & 0xff) == 0xff
        && (b[3] & 0xff) == 0x9b
        && zero(b, 4, 12)) {
      v4 = Arrays.copyOfRange(b, 12, 16);
    } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      v4 = Arrays.copyOfRange(b, 2, 6);
    } else {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(v4));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are an IPv4 address", e);
    }
  }

  private static boolean zero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String normalizeHost(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static Rule rule(String cidr, String description) {
    return new Rule(AddressRange.parse(cidr).orElseThrow(), description);
  }
}
