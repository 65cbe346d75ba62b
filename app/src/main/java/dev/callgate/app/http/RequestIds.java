package dev.callgate.app.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id ({@code X-Request-Id}), mounted before every other route: a caller's
 * own id is kept when it is 1 to 128 characters of {@code [A-Za-z0-9._:-]} (so it can be logged and
 * put in audit events as it is), else a random UUID is made. The id goes into the context ({@link
 * Http#REQUEST_ID}) and into the response header at once, so every answer carries it, problems
 * included.
 */
final class RequestIds implements Handler<RoutingContext> {
  static final String HEADER = "X-Request-Id";

  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  public void handle(RoutingContext ctx) {
    String id = accepted(ctx.request().getHeader(HEADER));
    ctx.put(Http.REQUEST_ID, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** The caller's id where it is acceptable, else a new one. */
  static String accepted(String presented) {
    return presented != null && ACCEPTED.matcher(presented).matches()
        ? presented
        : UUID.randomUUID().toString();
  }
}
