package dev.callgate.adapter.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.zip.CRC32;

/**
 * A body of {@code size} deterministic bytes made chunk by chunk as they are asked for, honouring
 * pause/resume/fetch, so a test can send megabytes without holding them. Keeps the CRC-32 of what
 * it emitted.
 */
final class GeneratedBody implements ReadStream<Buffer> {

  static final int CHUNK = 64 * 1024;
  private static final int CHUNKS_PER_TURN = 16;

  private final Context context;
  private final long size;
  private final CRC32 crc = new CRC32();
  private long emitted;
  private long demand = Long.MAX_VALUE;
  private boolean scheduled;
  private boolean ended;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  GeneratedBody(Context context, long size) {
    this.context = context;
    this.size = size;
  }

  /** The byte at {@code position} of every generated body; not periodic in 64 KiB. */
  static byte byteAt(long position) {
    return (byte) (position * 31 + (position >>> 11));
  }

  synchronized long emitted() {
    return emitted;
  }

  synchronized long checksum() {
    return crc.getValue();
  }

  @Override
  public synchronized ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public synchronized ReadStream<Buffer> fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    schedule();
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void schedule() {
    if (!scheduled && handler != null && !ended) {
      scheduled = true;
      context.runOnContext(v -> emit());
    }
  }

  private synchronized void emit() {
    scheduled = false;
    int turn = 0;
    while (demand > 0 && emitted < size && handler != null && turn++ < CHUNKS_PER_TURN) {
      int length = (int) Math.min(CHUNK, size - emitted);
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = byteAt(emitted + i);
      }
      crc.update(bytes);
      emitted += length;
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(Buffer.buffer(bytes));
    }
    if (emitted == size && !ended) {
      ended = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    } else if (demand > 0) {
      schedule();
    }
  }
}
