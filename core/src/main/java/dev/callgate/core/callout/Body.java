package dev.callgate.core.callout;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A request or response body: none, bytes held in memory (replayable, readable by merge-field
 * templating and the 401 classifier), or a stream owned by the transport adapter, which core passes
 * through untouched and can send only once.
 */
public sealed interface Body {

  /** Whether the body can be sent a second time (for the retry after a refresh). */
  boolean isReplayable();

  OptionalLong length();

  Body EMPTY = new Empty();

  static Body of(byte[] bytes) {
    return new Bytes(bytes);
  }

  static Body of(String text) {
    return new Bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  record Empty() implements Body {
    @Override
    public boolean isReplayable() {
      return true;
    }

    @Override
    public OptionalLong length() {
      return OptionalLong.of(0);
    }
  }

  record Bytes(byte[] bytes) implements Body {
    public Bytes {
      Objects.requireNonNull(bytes, "bytes");
    }

    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean isReplayable() {
      return true;
    }

    @Override
    public OptionalLong length() {
      return OptionalLong.of(bytes.length);
    }

    @Override
    public String toString() {
      return "Bytes[" + bytes.length + "]";
    }
  }

  /** A body streamed by the transport adapter; core never reads it. */
  record Streamed(StreamedContent content) implements Body {
    public Streamed {
      Objects.requireNonNull(content, "content");
    }

    @Override
    public boolean isReplayable() {
      return false;
    }

    @Override
    public OptionalLong length() {
      return content.length();
    }
  }

  /** Implemented by the adapter that owns the stream (for example a Vert.x {@code ReadStream}). */
  interface StreamedContent {
    OptionalLong length();

    /**
     * The body will not be read: release it, and do not reuse the connection it came on (its sender
     * is not trusted to frame what follows). A stream that holds no connection has nothing to
     * release.
     */
    default void discard() {}
  }
}
