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

  /**
   * Horspool's skip over a window as long as the shortest secret: how far the window may move on
   * when its last byte is {@code b}, so that most bytes of a body are never looked at.
   */
  private final int window;

  private final int[] skip = new int[256];

  /** Which bytes end some secret's first {@link #window} bytes: only there can a secret start. */
  private final boolean[] ends = new boolean[256];

  private byte[] held = NONE;
  private boolean echoed;

  SecretEchoScanner(List<byte[]> secrets) {
    this.secrets = secrets.stream().map(byte[]::clone).toArray(byte[][]::new);
    int longest = 0;
    int shortest = Integer.MAX_VALUE;
    for (byte[] secret : this.secrets) {
      if (secret.length == 0) {
        throw new IllegalArgumentException("an empty secret would match everything");
      }
      longest = Math.max(longest, secret.length);
      shortest = Math.min(shortest, secret.length);
    }
    this.hold = Math.max(0, longest - 1);
    this.window = this.secrets.length == 0 ? 1 : shortest;
    Arrays.fill(skip, window);
    for (byte[] secret : this.secrets) {
      for (int j = 0; j < window - 1; j++) {
        skip[secret[j] & 0xff] = Math.min(skip[secret[j] & 0xff], window - 1 - j);
      }
      ends[secret[window - 1] & 0xff] = true;
    }
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
    return scan(chunk, 0, chunk.length);
  }

  /**
   * Scans the chunk {@code bytes[offset, offset + length)} where it lies — a network buffer's
   * backing array, say — without copying it; only the few bytes held back are copied.
   */
  public Verdict scan(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (echoed) {
      return new Verdict.Echoed();
    }
    if (secrets.length == 0) {
      return new Verdict.Release(NONE, length);
    }
    // a secret that starts in the held bytes ends within the chunk's first hold bytes
    if (held.length > 0) {
      int take = Math.min(hold, length);
      byte[] seam = Arrays.copyOf(held, held.length + take);
      System.arraycopy(bytes, offset, seam, held.length, take);
      if (holdsSecret(seam, 0, seam.length)) {
        return echo();
      }
    }
    if (holdsSecret(bytes, offset, offset + length)) {
      return echo();
    }
    int total = held.length + length;
    int release = total - Math.min(hold, total);
    byte[] carried;
    int fromChunk;
    if (release <= held.length) {
      carried = Arrays.copyOf(held, release);
      fromChunk = 0;
      byte[] next = Arrays.copyOfRange(held, release, held.length + length);
      System.arraycopy(bytes, offset, next, held.length - release, length);
      held = next;
    } else {
      carried = held;
      fromChunk = release - held.length;
      held = Arrays.copyOfRange(bytes, offset + fromChunk, offset + length);
    }
    return new Verdict.Release(carried, fromChunk);
  }

  private Verdict echo() {
    echoed = true;
    held = NONE;
    return new Verdict.Echoed();
  }

  /** Whether a whole secret lies in {@code text[from, to)}. */
  private boolean holdsSecret(byte[] text, int from, int to) {
    int last = to - window;
    int at = from;
    while (at <= last) {
      int end = text[at + window - 1] & 0xff;
      if (ends[end]) {
        for (byte[] secret : secrets) {
          if (matchesAt(text, at, to, secret)) {
            return true;
          }
        }
      }
      at += skip[end];
    }
    return false;
  }

  private static boolean matchesAt(byte[] text, int at, int to, byte[] secret) {
    if (at + secret.length > to) {
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
