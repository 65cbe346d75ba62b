package dev.callgate.app.bodies;

import dev.callgate.adapter.http.VertxStreamedContent;
import dev.callgate.app.http.CalloutBodies;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.EchoGuard;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

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
    CallerUpload upload = new CallerUpload(request, Vertx.currentContext());
    return Future.succeededFuture(VertxStreamedContent.of(upload, length).asBody());
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
      return relay(content, response);
    }
    if (body instanceof Body.Streamed) {
      return Future.failedFuture(new IllegalStateException("unknown streamed body"));
    }
    return buffered.toResponse(body, response);
  }

  /**
   * The response pipe: the target's answer, chunk by chunk, into the caller's response, with
   * back-pressure. A caller that goes away mid-answer abandons the exchange — its connection to the
   * target is closed, not drained nor pooled — and nothing is written to the closed response after
   * that. An answer that breaks off resets the caller's response, so the caller sees a truncated
   * answer as truncated (no last chunk, fewer bytes than declared), never as complete.
   */
  private static Future<Void> relay(VertxStreamedContent content, HttpServerResponse response) {
    Promise<Void> relayed = Promise.promise();
    AtomicBoolean over = new AtomicBoolean();
    ReadStream<Buffer> answer = content.readStream();
    Handler<Void> callerGone =
        v -> {
          if (over.compareAndSet(false, true)) {
            content.abandon();
            relayed.tryFail(new VertxException("the caller closed the connection", true));
          }
        };
    response.closeHandler(callerGone);
    response.exceptionHandler(failure -> callerGone.handle(null));
    answer.exceptionHandler(
        failure -> {
          if (over.compareAndSet(false, true)) {
            response.reset();
            relayed.tryFail(failure);
          }
        });
    answer.endHandler(
        v -> {
          if (over.compareAndSet(false, true)) {
            response.end().onComplete(relayed);
          }
        });
    answer.handler(
        chunk -> {
          if (over.get()) {
            return;
          }
          response.write(chunk);
          if (response.writeQueueFull()) {
            answer.pause();
            response.drainHandler(drained -> answer.resume());
          }
        });
    answer.resume();
    return relayed.future();
  }

  /**
   * Wraps the target's stream in an {@link EchoGuardedStream}; a caller that goes away still
   * abandons the exchange underneath.
   */
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
    return VertxStreamedContent.of(checked, content.length()).onAbandon(content::abandon).asBody();
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
