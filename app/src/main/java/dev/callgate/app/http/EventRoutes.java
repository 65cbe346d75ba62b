package dev.callgate.app.http;

import dev.callgate.core.service.EventFeed;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /v1/events}: a page of events as JSON with the cursor to poll on, or, asked for {@code
 * text/event-stream}, a live view ({@link EventStream}) resuming after {@code after} or the {@code
 * Last-Event-ID} a reconnecting client sends. Admins only, which {@link EventFeed} decides.
 */
final class EventRoutes {
  private final EventFeed feed;
  private final LiveEvents live;
  private final EventStream.Settings streams;

  EventRoutes(EventFeed feed, LiveEvents live, EventStream.Settings streams) {
    this.feed = feed;
    this.live = live;
    this.streams = streams;
  }

  void mount(Router router) {
    router.get("/v1/events").handler(this::events);
  }

  private void events(RoutingContext ctx) {
    boolean stream = wantsStream(ctx.request().getHeader("Accept"));
    EventFeed.ReadEvents command =
        new EventFeed.ReadEvents(
            Http.caller(ctx),
            param(ctx, "credential"),
            param(ctx, "user"),
            ctx.queryParam("type"),
            param(ctx, "after"),
            stream
                ? Optional.ofNullable(ctx.request().getHeader("Last-Event-ID"))
                : Optional.empty(),
            param(ctx, "limit"));
    if (stream) {
      feed.query(command)
          .fold(
              query -> {
                new EventStream(ctx, feed, live, query, streams).start();
                return null;
              },
              problems -> Problems.send(ctx.response(), problems));
      return;
    }
    Http.respond(
        ctx,
        feed.read(command),
        outcome ->
            outcome.fold(
                page -> {
                  JsonArray events = new JsonArray();
                  page.events().forEach(e -> events.add(EventJson.of(e)));
                  Http.json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("events", events)
                          .put("next", Long.toString(page.next())));
                  return null;
                },
                problems -> Problems.send(ctx.response(), problems)));
  }

  /** Whether the client asks for Server-Sent Events rather than a page of JSON. */
  static boolean wantsStream(String accept) {
    if (accept == null) {
      return false;
    }
    for (String range : accept.split(",")) {
      String type = range.split(";", 2)[0].trim();
      if (type.equalsIgnoreCase("text/event-stream")) {
        return true;
      }
    }
    return false;
  }

  private static Optional<String> param(RoutingContext ctx, String name) {
    return Optional.ofNullable(ctx.request().getParam(name));
  }
}
