package dev.callgate.core.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}); a bare address
 * is the block of that address alone. Parsing never consults DNS: only IP literals are accepted.
 */
public record AddressRange(InetAddress network, int prefixLength) {

  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  public AddressRange {
    Objects.requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + bits);
    }
  }

  /** {@code text} as a range, or empty when it is not CIDR notation or an IP literal. */
  public static Optional<AddressRange> parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    Optional<InetAddress> literal = literal(address);
    if (literal.isEmpty()) {
      return Optional.empty();
    }
    int bits = literal.get().getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String length = trimmed.substring(slash + 1);
      if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
        return Optional.empty();
      }
      prefix = Integer.parseInt(length);
    }
    return Optional.of(new AddressRange(literal.get(), prefix));
  }

  /**
   * An IP literal (dotted-quad IPv4, IPv6 with or without brackets) as an address; empty for
   * anything else, a host name included, so that no lookup ever happens.
   */
  public static Optional<InetAddress> literal(String text) {
    String host = text.trim();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean v6 = host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
    if (!v6 && !DOTTED_QUAD.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      // a literal: InetAddress parses it without a lookup
      return Optional.of(InetAddress.getByName(host.toLowerCase(Locale.ROOT)));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * A URL host written as a number the way {@code inet_aton} reads it, which resolvers and other
   * HTTP clients accept: one to four parts, each decimal, octal (leading {@code 0}) or hex ({@code
   * 0x}), the last filling the remaining bytes ({@code 127.1}, {@code 0x7f.1}, {@code 2130706433},
   * {@code 0177.0.0.1}); IPv6 literals too. Reading these here, rather than leaving them to a
   * resolver, makes the address judged the one every client would reach. Empty for a host name.
   */
  public static Optional<InetAddress> numericHost(String text) {
    String host = text.trim();
    if (host.startsWith("[") || host.contains(":")) {
      return literal(host);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length < 1 || parts.length > 4) {
      return Optional.empty();
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      OptionalPart part = OptionalPart.of(parts[i].toLowerCase(Locale.ROOT));
      if (part.value() < 0) {
        return Optional.empty();
      }
      values[i] = part.value();
    }
    long address = 0;
    for (int i = 0; i < parts.length - 1; i++) {
      if (values[i] > 255) {
        return Optional.empty();
      }
      address |= values[i] << (8 * (3 - i));
    }
    long last = values[parts.length - 1];
    if (last >= 1L << (8 * (4 - (parts.length - 1)))) {
      return Optional.empty();
    }
    address |= last;
    byte[] bytes = {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are an IPv4 address", e);
    }
  }

  /**
   * One part of a numeric host; {@code value} is -1 when it is not a number. Read by hand, not by a
   * regular expression: every outbound request's host passes here.
   */
  private record OptionalPart(long value) {
    private static final OptionalPart NOT_A_NUMBER = new OptionalPart(-1);

    static OptionalPart of(String part) {
      if (part.length() > 2 && part.charAt(0) == '0' && part.charAt(1) == 'x') {
        // 0x[0-9a-f]{1,8}
        return digits(part, 2, 8, 16);
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        // 0[0-7]{1,11}
        return digits(part, 1, 11, 8);
      }
      if (part.equals("0")) {
        return new OptionalPart(0);
      }
      // [1-9][0-9]{0,9}
      return digits(part, 0, 10, 10);
    }

    /** The digits from {@code from} on, at most {@code max} of them, in {@code radix}. */
    private static OptionalPart digits(String part, int from, int max, int radix) {
      int count = part.length() - from;
      if (count < 1 || count > max) {
        return NOT_A_NUMBER;
      }
      long value = 0;
      for (int i = from; i < part.length(); i++) {
        int digit = Character.digit(part.charAt(i), radix);
        // Character.digit also reads non-ASCII digits and upper-case letters: not here
        if (digit < 0 || part.charAt(i) > 'f' || (part.charAt(i) >= 'A' && part.charAt(i) <= 'Z')) {
          return NOT_A_NUMBER;
        }
        value = value * radix + digit;
      }
      return new OptionalPart(value);
    }
  }

  /** Whether {@code address} lies in this block; an IPv4 block never holds an IPv6 address. */
  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    byte[] net = network.getAddress();
    if (candidate.length != net.length) {
      return false;
    }
    int whole = prefixLength / 8;
    if (!Arrays.equals(candidate, 0, whole, net, 0, whole)) {
      return false;
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[whole] & mask) == (net[whole] & mask);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
