package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_TOO_LARGE;

import dev.callgate.core.callout.Body;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Callout bodies held in memory, up to a limit: for bodies that merge fields must be resolved in,
 * and for tests. Larger bodies are refused with {@code REQUEST_TOO_LARGE}.
 */
public final class BufferedCalloutBodies implements CalloutBodies {
  private final long limit;

  public BufferedCalloutBodies(long limit) {
    this.limit = limit;
  }

  @Override
  public Future<Body> fromRequest(HttpServerRequest request, boolean needsBytes) {
    String length = request.getHeader("Content-Length");
    if (length != null && parse(length) > limit) {
      return Future.failedFuture(new RequestTooLarge(limit));
    }
    Future<Buffer> body = request.body();
    request.resume();
    return body.compose(
        buffer -> {
          if (buffer.length() > limit) {
            return Future.failedFuture(new RequestTooLarge(limit));
          }
          return Future.succeededFuture(
              buffer.length() == 0 ? Body.EMPTY : Body.of(buffer.getBytes()));
        });
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
  static final class RequestTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long limit;

    RequestTooLarge(long limit) {
      super("request body over " + limit + " bytes", null, false, false);
      this.limit = limit;
    }

    dev.callgate.core.diagnosis.Diagnosis diagnosis() {
      return dev.callgate.core.diagnosis.Diagnosis.of(REQUEST_TOO_LARGE, "limit", limit);
    }
  }
}
