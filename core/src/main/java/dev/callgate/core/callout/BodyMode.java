package dev.callgate.core.callout;

import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * How a callout's request body is to be read: streamed through untouched, or read into memory —
 * because merge fields are resolved in it — up to a limit, past which reading stops and the callout
 * is refused with {@code REQUEST_TOO_LARGE}.
 */
public sealed interface BodyMode {

  <T> T fold(Supplier<T> streamed, LongFunction<T> buffered);

  BodyMode STREAMED = new Streamed();

  record Streamed() implements BodyMode {
    @Override
    public <T> T fold(Supplier<T> streamed, LongFunction<T> buffered) {
      return streamed.get();
    }
  }

  /** Read whole, never more than {@code limit} bytes. */
  record Buffered(long limit) implements BodyMode {
    public Buffered {
      if (limit < 0) {
        throw new IllegalArgumentException("limit must not be negative, was " + limit);
      }
    }

    @Override
    public <T> T fold(Supplier<T> streamed, LongFunction<T> buffered) {
      return buffered.apply(limit);
    }
  }
}
