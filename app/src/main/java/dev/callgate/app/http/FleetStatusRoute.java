package dev.callgate.app.http;

import dev.callgate.core.service.FleetStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/status}: every credential with the status of each of its tokens, in the shape of
 * {@code GET /v1/credentials/{name}/status}; {@code ?state=} (repeated or comma-separated) keeps
 * the tokens in those states and the credentials that have one.
 */
final class FleetStatusRoute {
  private final FleetStatus fleet;

  FleetStatusRoute(FleetStatus fleet) {
    this.fleet = fleet;
  }

  void mount(Router router) {
    router.get("/v1/status").handler(this::status);
  }

  private void status(RoutingContext ctx) {
    Http.respond(
        ctx,
        fleet.read(new FleetStatus.ReadFleet(Http.caller(ctx), ctx.queryParam("state"))),
        outcome ->
            outcome.fold(
                credentials -> {
                  JsonArray all = new JsonArray();
                  credentials.forEach(
                      c -> {
                        JsonArray tokens = new JsonArray();
                        c.tokens().forEach(t -> tokens.add(ResourceJson.status(t)));
                        all.add(
                            new JsonObject()
                                .put("name", c.credential().name())
                                .put("principal", c.credential().principal().wireName())
                                .put("protocol", c.credential().protocol().wireName())
                                .put("tokens", tokens));
                      });
                  Http.json(ctx, 200, new JsonObject().put("credentials", all));
                  return null;
                },
                problems -> Problems.send(ctx.response(), problems)));
  }
}
