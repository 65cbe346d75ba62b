package dev.callgate.adapter.http;

import dev.callgate.core.callout.Body;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A body that flows through Callgate without being held in memory: a Vert.x {@link ReadStream} of
 * buffers and, when known, its length in bytes. The HTTP API wraps its incoming request in one
 * (paused, so no byte is lost before the transport pipes it), and the transport hands the target's
 * response body back in one (paused until it is read). Pipe it with {@link #pipeTo(WriteStream)} to
 * get back-pressure for free. It can be read once. A reader that stops before the end (its own peer
 * went away) calls {@link #abandon()}, so that whatever produces the stream is cancelled: for the
 * target's answer, its connection is closed rather than left half-read or returned to the pool.
 */
public final class VertxStreamedContent implements Body.StreamedContent {

  private final ReadStream<Buffer> readStream;
  private final OptionalLong length;
  private final Runnable abandon;

  private VertxStreamedContent(
      ReadStream<Buffer> readStream, OptionalLong length, Runnable abandon) {
    this.readStream = Objects.requireNonNull(readStream, "readStream");
    this.length = Objects.requireNonNull(length, "length");
    this.abandon = Objects.requireNonNull(abandon, "abandon");
    if (length.isPresent() && length.getAsLong() < 0) {
      throw new IllegalArgumentException("length must not be negative, was " + length);
    }
  }

  /** A body of known length: it is sent with that {@code Content-Length}. */
  public static VertxStreamedContent of(ReadStream<Buffer> readStream, long length) {
    return new VertxStreamedContent(readStream, OptionalLong.of(length), () -> {});
  }

  /** A body of unknown length: it is sent chunked. */
  public static VertxStreamedContent of(ReadStream<Buffer> readStream) {
    return new VertxStreamedContent(readStream, OptionalLong.empty(), () -> {});
  }

  public static VertxStreamedContent of(ReadStream<Buffer> readStream, OptionalLong length) {
    return new VertxStreamedContent(readStream, length, () -> {});
  }

  /** The same stream, with what {@link #abandon()} does to cancel its producer. */
  public VertxStreamedContent onAbandon(Runnable next) {
    return new VertxStreamedContent(readStream, length, next);
  }

  /**
   * Tells the producer that nobody will read the rest: it stops, and a connection behind it is
   * closed. Safe to call more than once.
   */
  public void abandon() {
    abandon.run();
  }

  /** Wraps the stream as a {@link Body}, for an {@code OutboundRequest}. */
  public Body asBody() {
    return new Body.Streamed(this);
  }

  public ReadStream<Buffer> readStream() {
    return readStream;
  }

  @Override
  public OptionalLong length() {
    return length;
  }

  /**
   * Pipes the body to {@code destination} with flow control, then ends it — only when the body
   * ended: a body that fails leaves {@code destination} unended, so a truncated body is never
   * passed off as a complete one; the caller resets it.
   */
  public Future<Void> pipeTo(WriteStream<Buffer> destination) {
    return readStream.pipe().endOnFailure(false).to(destination);
  }

  /** Drops the body; a target's answer is cut off with its connection, never drained for reuse. */
  @Override
  public void discard() {
    readStream.handler(null);
    if (readStream instanceof HttpClientResponse response) {
      // the reset is Callgate's own doing, not a failure to report
      response.exceptionHandler(ignored -> {});
    }
    abandon();
    if (!(readStream instanceof HttpClientResponse)) {
      readStream.resume();
    }
  }

  @Override
  public String toString() {
    return "VertxStreamedContent[length="
        + (length.isPresent() ? String.valueOf(length.getAsLong()) : "unknown")
        + "]";
  }
}
