package dev.callgate.app.bodies;

import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_TOO_LARGE;

import dev.callgate.app.http.CalloutBodies;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.EchoGuard;
import dev.callgate.core.diagnosis.DiagnosedFailure;
import dev.callgate.core.diagnosis.Diagnosis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Callout bodies held in memory, up to a limit (the buffered mode's own, else this one's): for
 * bodies that merge fields must be resolved in, and for tests. Larger bodies are refused with
 * {@code REQUEST_TOO_LARGE} as soon as they pass the limit.
 */
public final class BufferedCalloutBodies implements CalloutBodies {
  private final long limit;

  public BufferedCalloutBodies(long limit) {
    this.limit = limit;
  }

  @Override
  public Future<Body> fromRequest(HttpServerRequest request, BodyMode mode) {
    return read(request, mode.fold(() -> limit, buffered -> buffered));
  }

  /**
   * Reads the body, but never more than {@code limit} bytes: at the first byte past it, reading
   * stops (the request stays paused, its connection is closed with the answer) and the future
   * fails, so an oversized body costs at most the limit in memory.
   */
  static Future<Body> read(HttpServerRequest request, long limit) {
    String length = request.getHeader("Content-Length");
    if (length != null && request.getHeader("Transfer-Encoding") == null && parse(length) > limit) {
      return Future.failedFuture(new RequestTooLarge(limit));
    }
    Promise<Body> body = Promise.promise();
    Buffer read = Buffer.buffer();
    request.handler(
        chunk -> {
          if (body.future().isComplete()) {
            return;
          }
          if (read.length() + (long) chunk.length() > limit) {
            request.pause();
            request.handler(null);
            body.tryFail(new RequestTooLarge(limit));
            return;
          }
          read.appendBuffer(chunk);
        });
    request.endHandler(
        ended -> body.tryComplete(read.length() == 0 ? Body.EMPTY : Body.of(read.getBytes())));
    request.exceptionHandler(body::tryFail);
    request.resume();
    return body.future();
  }

  @Override
  public Body guarded(Body body, EchoGuard guard, Runnable onEcho) {
    // only bodies in memory pass here, and core checked those whole
    return body;
  }

  @Override
  public Future<Void> toResponse(Body body, HttpServerResponse response) {
    if (body instanceof Body.Bytes bytes) {
      return response.end(Buffer.buffer(bytes.bytes()));
    }
    if (body instanceof Body.Empty) {
      return response.end();
    }
    return Future.failedFuture(
        new IllegalStateException("a streamed body needs the streaming bodies"));
  }

  private static long parse(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The caller's body is over the limit. */
  static final class RequestTooLarge extends DiagnosedFailure {
    private static final long serialVersionUID = 1L;
    private final long limit;

    RequestTooLarge(long limit) {
      super("request body over " + limit + " bytes", null);
      this.limit = limit;
    }

    @Override
    public Diagnosis diagnosis() {
      return Diagnosis.of(REQUEST_TOO_LARGE, "limit", limit);
    }
  }
}
