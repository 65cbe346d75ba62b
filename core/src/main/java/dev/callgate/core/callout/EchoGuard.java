package dev.callgate.core.callout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The secrets Callgate put into one callout's request — the generated authorization header's value,
 * the access token, Basic's {@code user:password} and its Base64, the API key, and any secret
 * merged into the request — against which the target's answer is checked before it is relayed: a
 * target that echoes request headers (a debugging endpoint, a reflecting error page) must not hand
 * the caller the credential it is kept from. Secrets shorter than {@link #MIN_SECRET_BYTES} are not
 * watched: they would cut ordinary answers that happen to hold those few bytes, and a secret that
 * short is no secret. Values are compared byte for byte (UTF-8).
 */
public final class EchoGuard {
  public static final int MIN_SECRET_BYTES = 8;

  public static final EchoGuard NONE = new EchoGuard(List.of());

  private final List<byte[]> secrets;

  private EchoGuard(List<byte[]> secrets) {
    this.secrets = secrets;
  }

  public static EchoGuard of(Collection<String> secrets) {
    List<byte[]> watched = new ArrayList<>();
    for (String secret : secrets) {
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      if (bytes.length >= MIN_SECRET_BYTES && !holdsEqual(watched, bytes)) {
        watched.add(bytes);
      }
    }
    return watched.isEmpty() ? NONE : new EchoGuard(withoutContainers(watched));
  }

  /**
   * A secret that contains another watched one ({@code Basic <base64>} contains the Base64) needs
   * no watching of its own: wherever it appears, the shorter one does too.
   */
  private static List<byte[]> withoutContainers(List<byte[]> secrets) {
    if (secrets.size() == 1) {
      return List.copyOf(secrets);
    }
    List<byte[]> kept = new ArrayList<>(secrets.size());
    for (byte[] secret : secrets) {
      boolean containsAnother = false;
      for (byte[] other : secrets) {
        if (other != secret
            && other.length < secret.length
            && SecretEchoScanner.indexOf(secret, other) >= 0) {
          containsAnother = true;
          break;
        }
      }
      if (!containsAnother) {
        kept.add(secret);
      }
    }
    return List.copyOf(kept);
  }

  private static boolean holdsEqual(List<byte[]> secrets, byte[] secret) {
    for (byte[] watched : secrets) {
      if (Arrays.equals(watched, secret)) {
        return true;
      }
    }
    return false;
  }

  /** Both guards' secrets: a retry after a refresh carried another token than the first try. */
  public EchoGuard and(EchoGuard other) {
    if (other.secrets.isEmpty()) {
      return this;
    }
    if (secrets.isEmpty()) {
      return other;
    }
    List<byte[]> all = new ArrayList<>(secrets);
    for (byte[] secret : other.secrets) {
      if (!holdsEqual(all, secret)) {
        all.add(secret);
      }
    }
    return new EchoGuard(withoutContainers(all));
  }

  public boolean isEmpty() {
    return secrets.isEmpty();
  }

  /**
   * The name of the first header whose name or value holds a secret. Header text is compared as the
   * octets it arrived as (ISO-8859-1), which is how the HTTP layer hands it over.
   */
  public Optional<String> echoedIn(Headers headers) {
    for (Headers.Header header : headers.fields()) {
      if (holdsOctets(header.name())
          || holdsOctets(header.value())
          // an ASCII value's UTF-8 bytes are its octets, searched already
          || (!isAscii(header.value()) && holds(header.value().getBytes(StandardCharsets.UTF_8)))) {
        return Optional.of(header.name());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code text}'s ISO-8859-1 bytes hold a secret, read from its characters as {@code
   * getBytes(ISO_8859_1)} would encode them (a character beyond U+00FF as {@code '?'}), without
   * encoding a copy of every header.
   */
  private boolean holdsOctets(String text) {
    for (byte[] secret : secrets) {
      int last = text.length() - secret.length;
      for (int i = 0; i <= last; i++) {
        int j = 0;
        while (j < secret.length && octet(text.charAt(i + j)) == secret[j]) {
          j++;
        }
        if (j == secret.length) {
          return true;
        }
      }
    }
    return false;
  }

  private static byte octet(char c) {
    return c <= 0xFF ? (byte) c : (byte) '?';
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Whether a body held in memory holds a secret. */
  public boolean echoedIn(Body body) {
    return body instanceof Body.Bytes bytes && holds(bytes.bytes());
  }

  /** A scanner for one streamed body. */
  public SecretEchoScanner scanner() {
    return new SecretEchoScanner(secrets);
  }

  private boolean holds(byte[] text) {
    for (byte[] secret : secrets) {
      if (SecretEchoScanner.indexOf(text, secret) >= 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    // never the secrets themselves
    return "EchoGuard[" + secrets.size() + " secrets]";
  }
}
