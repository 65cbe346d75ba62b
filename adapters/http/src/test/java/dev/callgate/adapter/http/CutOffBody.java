package dev.callgate.adapter.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;

/**
 * A request body that sends its first bytes and then stops, the way a caller's upload does when the
 * caller stalls: {@link #breakOff()} then fails it, the way the HTTP server fails a request whose
 * connection was closed or reset, or whose chunk was malformed. It never ends by itself.
 */
final class CutOffBody implements ReadStream<Buffer> {

  private final Context context;
  private final Buffer first;
  private boolean paused = true;
  private boolean sent;
  private Handler<Buffer> handler;
  private Handler<Throwable> exceptionHandler;

  CutOffBody(Context context, String first) {
    this.context = context;
    this.first = Buffer.buffer(first);
  }

  /** Fails the body, on its context, as the HTTP server does when the upload breaks off. */
  void breakOff() {
    context.runOnContext(
        v -> {
          Handler<Throwable> failed;
          synchronized (this) {
            failed = exceptionHandler;
          }
          if (failed != null) {
            failed.handle(new IOException("the caller's connection was closed"));
          }
        });
  }

  @Override
  public synchronized ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    emit();
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> pause() {
    paused = true;
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> resume() {
    paused = false;
    emit();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    return amount > 0 ? resume() : this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    return this;
  }

  private void emit() {
    if (!sent && !paused && handler != null) {
      sent = true;
      Handler<Buffer> target = handler;
      context.runOnContext(v -> target.handle(first));
    }
  }
}
