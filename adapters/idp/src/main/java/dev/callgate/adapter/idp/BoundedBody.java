package dev.callgate.adapter.idp;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * A web-client body codec that keeps at most {@code limit} bytes and fails the exchange with {@link
 * ResponseTooLargeException} beyond them, so that an endless or huge answer from a provider costs
 * no more memory than the limit.
 */
final class BoundedBody {

  /** The answer passed the limit; nothing more of it was kept. */
  static final class ResponseTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int limit;

    ResponseTooLargeException(int limit) {
      super("the answer is larger than " + limit + " bytes", null, false, false);
      this.limit = limit;
    }

    int limit() {
      return limit;
    }
  }

  private BoundedBody() {}

  static BodyCodec<Buffer> codec(int limit) {
    return () -> new Stream(limit);
  }

  private static final class Stream implements BodyStream<Buffer> {
    private final int limit;
    private final Buffer kept = Buffer.buffer();
    private final Promise<Buffer> result = Promise.promise();

    Stream(int limit) {
      this.limit = limit;
    }

    @Override
    public Future<Buffer> result() {
      return result.future();
    }

    @Override
    public void handle(Throwable failure) {
      result.tryFail(failure);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (result.future().isComplete()) {
        return Future.failedFuture(new ResponseTooLargeException(limit));
      }
      if (kept.length() + data.length() > limit) {
        result.tryFail(new ResponseTooLargeException(limit));
        return Future.failedFuture(new ResponseTooLargeException(limit));
      }
      kept.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      result.tryComplete(kept);
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
