package dev.callgate.app.http;

import dev.callgate.adapter.http.VertxStreamedContent;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.EchoGuard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.OptionalLong;

/**
 * Callout bodies streamed both ways with back-pressure, so a body of any size passes through
 * Callgate in constant memory. Only a body that merge fields must be resolved in is read into
 * memory (up to the buffered limit).
 */
public final class StreamingCalloutBodies implements CalloutBodies {
  private final BufferedCalloutBodies buffered;

  public StreamingCalloutBodies(long bufferedLimit) {
    this.buffered = new BufferedCalloutBodies(bufferedLimit);
  }

  @Override
  public Future<Body> fromRequest(HttpServerRequest request, BodyMode mode) {
    if (mode instanceof BodyMode.Buffered) {
      return buffered.fromRequest(request, mode);
    }
    OptionalLong length = length(request.getHeader("Content-Length"));
    boolean chunked = request.getHeader("Transfer-Encoding") != null;
    if (!chunked && (length.isEmpty() || length.getAsLong() == 0)) {
      // no body: let the request end so the connection can be reused
      request.resume();
      return Future.succeededFuture(Body.EMPTY);
    }
    // the request is still paused (see Http.authenticate): the transport resumes it as it pipes
    return Future.succeededFuture(VertxStreamedContent.of(request, length).asBody());
  }

  @Override
  public Future<Void> toResponse(Body body, HttpServerResponse response) {
    if (body instanceof Body.Streamed streamed
        && streamed.content() instanceof VertxStreamedContent content) {
      if (content.length().isEmpty()) {
        response.setChunked(true);
      } else {
        response.putHeader("Content-Length", String.valueOf(content.length().getAsLong()));
      }
      return content.pipeTo(response);
    }
    if (body instanceof Body.Streamed) {
      return Future.failedFuture(new IllegalStateException("unknown streamed body"));
    }
    return buffered.toResponse(body, response);
  }

  /** Wraps the target's stream in an {@link EchoGuardedStream}; the piping above is unchanged. */
  @Override
  public Body guarded(Body body, EchoGuard guard, Runnable onEcho) {
    if (guard.isEmpty()
        || !(body instanceof Body.Streamed streamed)
        || !(streamed.content() instanceof VertxStreamedContent content)) {
      return body;
    }
    EchoGuardedStream checked =
        new EchoGuardedStream(
            content.readStream(),
            guard.scanner(),
            () -> {
              onEcho.run();
              content.discard();
            });
    return VertxStreamedContent.of(checked, content.length()).asBody();
  }

  private static OptionalLong length(String header) {
    if (header == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
