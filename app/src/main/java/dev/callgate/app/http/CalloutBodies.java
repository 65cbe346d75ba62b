package dev.callgate.app.http;

import dev.callgate.core.callout.Body;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * How callout bodies cross the HTTP API: the caller's request body into a core {@link Body}, and
 * the target's answer body out to the caller. The service streams both ways; the request must not
 * have been read before {@link #fromRequest} is called.
 */
public interface CalloutBodies {

  /** The caller's body, paused until the transport reads it (or in memory, when small). */
  Future<Body> fromRequest(HttpServerRequest request, boolean needsBytes);

  /** Writes {@code body} to {@code response} and ends it. */
  Future<Void> toResponse(Body body, HttpServerResponse response);
}
