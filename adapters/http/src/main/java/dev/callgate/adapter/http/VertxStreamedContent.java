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
 * get back-pressure for free. It can be read once.
 */
public final class VertxStreamedContent implements Body.StreamedContent {

  private final ReadStream<Buffer> readStream;
  private final OptionalLong length;

  private VertxStreamedContent(ReadStream<Buffer> readStream, OptionalLong length) {
    this.readStream = Objects.requireNonNull(readStream, "readStream");
    this.length = Objects.requireNonNull(length, "length");
    if (length.isPresent() && length.getAsLong() < 0) {
      throw new IllegalArgumentException("length must not be negative, was " + length);
    }
  }

  /** A body of known length: it is sent with that {@code Content-Length}. */
  public static VertxStreamedContent of(ReadStream<Buffer> readStream, long length) {
    return new VertxStreamedContent(readStream, OptionalLong.of(length));
  }

  /** A body of unknown length: it is sent chunked. */
  public static VertxStreamedContent of(ReadStream<Buffer> readStream) {
    return new VertxStreamedContent(readStream, OptionalLong.empty());
  }

  public static VertxStreamedContent of(ReadStream<Buffer> readStream, OptionalLong length) {
    return new VertxStreamedContent(readStream, length);
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

  /** Pipes the body to {@code destination} with flow control, then ends it. */
  public Future<Void> pipeTo(WriteStream<Buffer> destination) {
    return readStream.pipeTo(destination);
  }

  /** Drops the body; a target's answer is cut off with its connection, never drained for reuse. */
  @Override
  public void discard() {
    readStream.handler(null);
    if (readStream instanceof HttpClientResponse response) {
      // the reset is Callgate's own doing, not a failure to report
      response.exceptionHandler(ignored -> {});
      response.request().reset();
    } else {
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
