package dev.callgate.app.bodies;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

/**
 * The caller's request body as the transport reads it, remembering a failure that came before
 * anyone read it. The body waits, paused, while the credential and the token are resolved; if the
 * upload breaks off meanwhile (a malformed chunk, a closed or reset connection), the server reports
 * it once, to whatever exception handler is set at that moment — none yet. Without this memory the
 * transport would wait on a body that can neither end nor fail.
 */
final class CallerUpload implements ReadStream<Buffer> {

  private final HttpServerRequest request;
  private final Context context;
  private Throwable failure;
  private Handler<Throwable> exceptionHandler;

  CallerUpload(HttpServerRequest request, Context context) {
    this.request = request;
    this.context = context;
    request.exceptionHandler(this::failed);
    if (!request.isEnded() && request.response().closed()) {
      // it broke off even before this handler was set
      failure =
          new VertxException("the caller's connection closed before its body was complete", true);
    }
  }

  private void failed(Throwable cause) {
    Handler<Throwable> handler;
    synchronized (this) {
      failure = cause;
      handler = exceptionHandler;
    }
    if (handler != null) {
      handler.handle(cause);
    }
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    Throwable early;
    synchronized (this) {
      exceptionHandler = handler;
      early = failure;
    }
    if (early != null && handler != null) {
      // later, as the server would: the reader is still setting its handlers up
      if (context != null) {
        context.runOnContext(v -> handler.handle(early));
      } else {
        handler.handle(early);
      }
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    request.handler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    request.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    request.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    request.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    request.endHandler(endHandler);
    return this;
  }
}
