package dev.callgate.app.bodies;

import dev.callgate.core.callout.SecretEchoScanner;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;

/**
 * A target's streamed answer passed through a {@link SecretEchoScanner}: each chunk goes on less
 * the few bytes the scanner holds back, and when a secret completes, nothing more goes on — {@code
 * onEcho} runs (it cuts the caller's response) and the stream fails. Back-pressure is the source's.
 */
final class EchoGuardedStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final SecretEchoScanner scanner;
  private final Runnable onEcho;
  private Handler<Buffer> handler;
  private Handler<Throwable> exceptionHandler;

  EchoGuardedStream(ReadStream<Buffer> source, SecretEchoScanner scanner, Runnable onEcho) {
    this.source = source;
    this.scanner = scanner;
    this.onEcho = onEcho;
  }

  /** The stream's failure when the target echoed a secret. */
  static final class SecretEchoed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SecretEchoed() {
      super("the target's answer repeated a secret Callgate injected", null, false, false);
    }
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    source.handler(handler == null ? null : this::chunk);
    return this;
  }

  private void chunk(Buffer chunk) {
    SecretEchoScanner.Verdict verdict = scan(chunk);
    if (verdict instanceof SecretEchoScanner.Verdict.Release release) {
      if (handler != null) {
        if (release.carried().length > 0) {
          handler.handle(Buffer.buffer(release.carried()));
        }
        if (release.fromChunk() > 0) {
          handler.handle(
              release.fromChunk() == chunk.length() ? chunk : chunk.slice(0, release.fromChunk()));
        }
      }
      return;
    }
    source.handler(null);
    source.endHandler(null);
    onEcho.run();
    if (exceptionHandler != null) {
      exceptionHandler.handle(new SecretEchoed());
    }
  }

  /** Scans the chunk where it lies when it is backed by an array, as Vert.x's buffers are. */
  private SecretEchoScanner.Verdict scan(Buffer chunk) {
    if (chunk instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      if (bytes.hasArray()) {
        return scanner.scan(
            bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
      }
    }
    return scanner.scan(chunk.getBytes());
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    if (endHandler == null) {
      source.endHandler(null);
      return this;
    }
    source.endHandler(
        ended -> {
          byte[] rest = scanner.finish();
          if (rest.length > 0 && handler != null) {
            handler.handle(Buffer.buffer(rest));
          }
          endHandler.handle(null);
        });
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    source.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    source.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    source.fetch(amount);
    return this;
  }
}
