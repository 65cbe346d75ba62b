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
  private static final byte[] NONE = new byte[0];

  private final byte[][] secrets;
  private final int hold;

  /** Which bytes start some secret: one pass over a chunk finds every candidate position. */
  private final boolean[] starts = new boolean[256];

  private byte[] held = NONE;
  private boolean echoed;

  SecretEchoScanner(List<byte[]> secrets) {
    this.secrets = secrets.stream().map(byte[]::clone).toArray(byte[][]::new);
    int longest = 0;
    for (byte[] secret : this.secrets) {
      if (secret.length == 0) {
        throw new IllegalArgumentException("an empty secret would match everything");
      }
      longest = Math.max(longest, secret.length);
      starts[secret[0] & 0xff] = true;
    }
    this.hold = Math.max(0, longest - 1);
  }

  /** What one chunk came to: bytes that may be relayed now, or an echo. */
  public sealed interface Verdict {
    /**
     * Relay {@code carried} (bytes held back from earlier chunks), then the first {@code fromChunk}
     * bytes of the chunk just scanned; the rest of it is held back. Split so a relay need not copy
     * the chunk.
     */
    record Release(byte[] carried, int fromChunk) implements Verdict {
      public Release {
        Objects.requireNonNull(carried, "carried");
      }

      @Override
      public String toString() {
        return "Release[" + carried.length + "+" + fromChunk + "]";
      }
    }

    /** A secret is complete in what was seen: nothing more may be relayed. */
    record Echoed() implements Verdict {}
  }

  public Verdict scan(byte[] chunk) {
    Objects.requireNonNull(chunk, "chunk");
    if (echoed) {
      return new Verdict.Echoed();
    }
    if (secrets.length == 0) {
      return new Verdict.Release(NONE, chunk.length);
    }
    // a secret that starts in the held bytes ends within the chunk's first hold bytes
    if (held.length > 0) {
      int take = Math.min(hold, chunk.length);
      byte[] seam = Arrays.copyOf(held, held.length + take);
      System.arraycopy(chunk, 0, seam, held.length, take);
      if (holdsSecret(seam)) {
        return echo();
      }
    }
    if (holdsSecret(chunk)) {
      return echo();
    }
    int total = held.length + chunk.length;
    int release = total - Math.min(hold, total);
    byte[] carried;
    int fromChunk;
    if (release <= held.length) {
      carried = Arrays.copyOf(held, release);
      fromChunk = 0;
      byte[] next = Arrays.copyOfRange(held, release, held.length + chunk.length);
      System.arraycopy(chunk, 0, next, held.length - release, chunk.length);
      held = next;
    } else {
      carried = held;
      fromChunk = release - held.length;
      held = Arrays.copyOfRange(chunk, fromChunk, chunk.length);
    }
    return new Verdict.Release(carried, fromChunk);
  }

  private Verdict echo() {
    echoed = true;
    held = NONE;
    return new Verdict.Echoed();
  }

  private boolean holdsSecret(byte[] text) {
    for (int i = 0; i < text.length; i++) {
      if (!starts[text[i] & 0xff]) {
        continue;
      }
      for (byte[] secret : secrets) {
        if (matchesAt(text, i, secret)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean matchesAt(byte[] text, int at, byte[] secret) {
    if (at + secret.length > text.length) {
      return false;
    }
    for (int j = 0; j < secret.length; j++) {
      if (text[at + j] != secret[j]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The held bytes, once the body has ended: too short to complete a secret that {@link #scan} has
   * not seen, so they pass.
   */
  public byte[] finish() {
    byte[] rest = echoed ? NONE : held;
    held = NONE;
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
