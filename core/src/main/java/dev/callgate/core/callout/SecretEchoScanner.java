package dev.callgate.core.callout;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Watches a body as it streams for any of the secrets Callgate injected into the request, chunk by
 * chunk, so that no complete secret ever passes: it holds back the last {@code longest − 1} bytes
 * of what it has seen (a secret could start there and end in the next chunk), releases the rest,
 * and gives the verdict {@link Verdict.Echoed} the moment a secret is complete — whether it lies
 * inside one chunk or across any number of chunk boundaries. {@link #finish()} releases what is
 * held when the body ends. One scanner serves one body, from one thread at a time; it only reads
 * bytes and answers, so the stream owner decides what an echo does to the stream.
 */
public final class SecretEchoScanner {
  private final byte[][] secrets;
  private final int hold;
  private byte[] held = new byte[0];
  private boolean echoed;

  SecretEchoScanner(List<byte[]> secrets) {
    this.secrets = secrets.stream().map(byte[]::clone).toArray(byte[][]::new);
    int longest = 0;
    for (byte[] secret : this.secrets) {
      if (secret.length == 0) {
        throw new IllegalArgumentException("an empty secret would match everything");
      }
      longest = Math.max(longest, secret.length);
    }
    this.hold = Math.max(0, longest - 1);
  }

  /** What one chunk came to: bytes that may be relayed now, or an echo. */
  public sealed interface Verdict {
    /** Bytes now known to hold no secret, in order; possibly none. */
    record Release(byte[] bytes) implements Verdict {
      public Release {
        Objects.requireNonNull(bytes, "bytes");
      }

      @Override
      public String toString() {
        return "Release[" + bytes.length + "]";
      }
    }

    /** A secret is complete in what was seen: nothing more may be relayed. */
    record Echoed() implements Verdict {}
  }

  private static final Verdict.Release NOTHING = new Verdict.Release(new byte[0]);

  public Verdict scan(byte[] chunk) {
    Objects.requireNonNull(chunk, "chunk");
    if (echoed) {
      return new Verdict.Echoed();
    }
    if (secrets.length == 0) {
      return new Verdict.Release(chunk);
    }
    byte[] window;
    if (held.length == 0) {
      window = chunk;
    } else {
      window = Arrays.copyOf(held, held.length + chunk.length);
      System.arraycopy(chunk, 0, window, held.length, chunk.length);
    }
    for (byte[] secret : secrets) {
      if (indexOf(window, secret) >= 0) {
        echoed = true;
        held = new byte[0];
        return new Verdict.Echoed();
      }
    }
    int keep = Math.min(hold, window.length);
    int release = window.length - keep;
    held = Arrays.copyOfRange(window, release, window.length);
    return release == 0 ? NOTHING : new Verdict.Release(Arrays.copyOf(window, release));
  }

  /**
   * The held bytes, once the body has ended: too short to complete a secret that {@link #scan} has
   * not seen, so they pass.
   */
  public byte[] finish() {
    byte[] rest = echoed ? new byte[0] : held;
    held = new byte[0];
    return rest;
  }

  /** Whether a secret was seen. */
  public boolean echoed() {
    return echoed;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    int last = haystack.length - needle.length;
    byte first = needle[0];
    for (int i = 0; i <= last; i++) {
      if (haystack[i] != first) {
        continue;
      }
      int j = 1;
      while (j < needle.length && haystack[i + j] == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        return i;
      }
    }
    return -1;
  }
}
