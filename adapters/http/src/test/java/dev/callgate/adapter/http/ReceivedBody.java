package dev.callgate.adapter.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The receiving end of a streamed body in tests: counts the bytes, keeps their CRC-32 and the first
 * {@code keep} bytes, and completes {@link #ended()} when the body ends.
 */
final class ReceivedBody implements WriteStream<Buffer> {

  private final int keep;
  private final CRC32 crc = new CRC32();
  private final Buffer kept = Buffer.buffer();
  private final Promise<Void> ended = Promise.promise();
  private static final int THROTTLE_EVERY = 16;

  private final Vertx throttle;
  private long count;
  private int unacknowledged;
  private Handler<Void> drainHandler;

  private ReceivedBody(int keep, Vertx throttle) {
    this.keep = keep;
    this.throttle = throttle;
  }

  ReceivedBody(int keep) {
    this(keep, null);
  }

  static ReceivedBody throttled(Vertx vertx) {
    return new ReceivedBody(0, vertx);
  }

  static ReceivedBody keepingAll() {
    return new ReceivedBody(Integer.MAX_VALUE);
  }

  static ReceivedBody countingOnly() {
    return new ReceivedBody(0);
  }

  synchronized long count() {
    return count;
  }

  synchronized long checksum() {
    return crc.getValue();
  }

  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  Future<Void> ended() {
    return ended.future();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public synchronized Future<Void> write(Buffer data) {
    byte[] bytes = data.getBytes();
    crc.update(bytes);
    count += bytes.length;
    int room = keep - kept.length();
    if (room > 0) {
      kept.appendBytes(bytes, 0, Math.min(room, bytes.length));
    }
    if (throttle != null && ++unacknowledged == THROTTLE_EVERY) {
      throttle.setTimer(1, id -> drain());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    ended.tryComplete();
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public synchronized boolean writeQueueFull() {
    return unacknowledged >= THROTTLE_EVERY;
  }

  @Override
  public synchronized WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  private void drain() {
    Handler<Void> handler;
    synchronized (this) {
      unacknowledged = 0;
      handler = drainHandler;
    }
    if (handler != null) {
      handler.handle(null);
    }
  }
}
