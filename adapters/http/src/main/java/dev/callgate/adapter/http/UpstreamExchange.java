package dev.callgate.adapter.http;

import dev.callgate.core.callout.Body;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request to the target on one pooled connection, and the rule that keeps the connection's
 * framing honest: a connection goes back to the pool only when the request body was sent whole.
 * When the caller's body breaks off (a malformed chunk, a closed or reset connection), the request
 * is never ended — ending it would send the terminating chunk, or leave a {@code Content-Length}
 * short, and the target would take a truncated body for a complete one, or read the next request on
 * that connection as the rest of this body. The connection is closed instead. The same holds when
 * the target answers before the body is complete, and when the reader of the answer gives up.
 */
final class UpstreamExchange {

  private final HttpClientRequest request;
  private final AtomicBoolean bodySent = new AtomicBoolean();
  private final AtomicBoolean bodyFailed = new AtomicBoolean();
  private final AtomicBoolean abandoned = new AtomicBoolean();
  private volatile Pipe<Buffer> pipe;

  UpstreamExchange(HttpClientRequest request) {
    this.request = request;
    ignoreFailures();
  }

  /** Every failure is reported through the answer or the pipe; Vert.x logs one with no handler. */
  private void ignoreFailures() {
    request.exceptionHandler(failure -> {});
  }

  /** Sends the head and the body; the answer's head completes the future. */
  Future<HttpClientResponse> send(Body body) {
    if (body instanceof Body.Streamed streamed) {
      sendStreamed((VertxStreamedContent) streamed.content());
    } else if (body instanceof Body.Bytes bytes) {
      bodySent.set(true);
      request.end(Buffer.buffer(bytes.bytes()));
    } else {
      bodySent.set(true);
      request.end();
    }
    return request
        .response()
        .onSuccess(
            response ->
                response
                    .end()
                    .onComplete(
                        ended -> {
                          if (!bodySent.get()) {
                            // the target answered early: the rest of the body must not follow
                            // on a connection the pool would hand to the next request
                            abandon();
                          }
                        }));
  }

  private void sendStreamed(VertxStreamedContent content) {
    OptionalLong length = content.length();
    if (length.isPresent()) {
      // with a Content-Length the client sends the stream as is instead of chunked
      request.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length.getAsLong()));
    } else {
      request.setChunked(true);
    }
    Pipe<Buffer> bodyPipe = new WatchedBody(content.readStream()).pipe().endOnFailure(false);
    pipe = bodyPipe;
    bodyPipe
        .to(request)
        .onComplete(
            piped -> {
              if (piped.succeeded()) {
                bodySent.set(true);
              } else {
                abandon();
              }
            });
  }

  /** Whether the caller's body broke off before it was sent whole (not the target's doing). */
  boolean requestBodyFailed() {
    return bodyFailed.get();
  }

  /**
   * Gives up on the exchange: nothing more is sent or read, and the connection is closed, never
   * returned to the pool. Safe to call more than once and from any thread.
   */
  void abandon() {
    if (!abandoned.compareAndSet(false, true)) {
      return;
    }
    Pipe<Buffer> bodyPipe = pipe;
    if (bodyPipe != null) {
      // stops writing to the target; what the caller still sends is read and dropped
      bodyPipe.close();
      // closing the pipe took the request's exception handler away; a request whose body was sent
      // whole has ended and takes no handler (Vert.x throws), nor does it need one
      if (!bodySent.get()) {
        try {
          ignoreFailures();
        } catch (IllegalStateException ended) {
          // the body's last bytes were written as the pipe closed
        }
      }
    }
    // closed before the reset: a reset alone would hand back a connection whose answer has ended
    HttpConnection connection = request.connection();
    if (connection != null) {
      connection.close();
    }
    request.reset();
  }

  /** The caller's body, telling the exchange when it fails (as opposed to the target's end). */
  private final class WatchedBody implements ReadStream<Buffer> {
    private final ReadStream<Buffer> body;

    WatchedBody(ReadStream<Buffer> body) {
      this.body = body;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      body.exceptionHandler(
          handler == null
              ? null
              : failure -> {
                bodyFailed.set(true);
                handler.handle(failure);
              });
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      body.handler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      body.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      body.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      body.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      body.endHandler(endHandler);
      return this;
    }
  }
}
