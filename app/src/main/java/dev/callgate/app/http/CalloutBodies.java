package dev.callgate.app.http;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.EchoGuard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * How callout bodies cross the HTTP API: the caller's request body into a core {@link Body}, and
 * the target's answer body out to the caller. The service streams both ways; the request must not
 * have been read before {@link #fromRequest} is called.
 */
public interface CalloutBodies {

  /**
   * The caller's body, paused until the transport reads it, or — for {@link BodyMode.Buffered} — in
   * memory, read no further than the limit (the future fails with a {@code DiagnosedFailure} of
   * code {@code REQUEST_TOO_LARGE} at the first byte past it).
   */
  Future<Body> fromRequest(HttpServerRequest request, BodyMode mode);

  /** Writes {@code body} to {@code response} and ends it. */
  Future<Void> toResponse(Body body, HttpServerResponse response);

  /**
   * {@code body}, checked for the guard's secrets as it streams: on an echo, {@code onEcho} runs,
   * the target's answer is dropped and the stream fails. A body in memory was checked by core.
   */
  Body guarded(Body body, EchoGuard guard, Runnable onEcho);
}
