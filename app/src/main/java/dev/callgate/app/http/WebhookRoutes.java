package dev.callgate.app.http;

import dev.callgate.core.service.Webhooks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * Webhooks (admins): subscribe, list, delete, and a webhook's recent deliveries. Each route maps
 * JSON to the {@link Webhooks} use case and its outcome back to HTTP.
 */
final class WebhookRoutes {
  private final ApiServices services;

  WebhookRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.post("/v1/webhooks").handler(Http.admin(this::subscribe));
    router.get("/v1/webhooks").handler(Http.admin(this::list));
    router.delete("/v1/webhooks/:id").handler(Http.admin(this::delete));
    router.get("/v1/webhooks/:id/deliveries").handler(Http.admin(this::deliveries));
  }

  private void subscribe(RoutingContext ctx) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return;
    }
    JsonFields fields = new JsonFields(body.get(), Set.of("url", "events"));
    Webhooks.Subscribe command =
        new Webhooks.Subscribe(
            Optional.ofNullable(fields.string("url")),
            Optional.ofNullable(fields.strings("events")),
            Http.actor(ctx));
    if (!fields.problems().isEmpty()) {
      Problems.send(ctx.response(), fields.problems());
      return;
    }
    Http.respond(
        ctx,
        services.webhooks().subscribe(command),
        outcome ->
            outcome.fold(
                (webhook, secret) -> {
                  Http.json(ctx, 201, WebhookJson.webhook(webhook).put("secret", secret.reveal()));
                  return null;
                },
                problems -> {
                  Problems.send(ctx.response(), problems);
                  return null;
                }));
  }

  private void list(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.webhooks().list(),
        webhooks -> {
          JsonArray array = new JsonArray();
          webhooks.forEach(w -> array.add(WebhookJson.webhook(w)));
          Http.json(ctx, 200, array);
        });
  }

  private void delete(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.webhooks().delete(ctx.pathParam("id"), Http.actor(ctx)),
        refusal ->
            refusal.ifPresentOrElse(
                diagnosis -> Problems.send(ctx.response(), diagnosis),
                () -> ctx.response().setStatusCode(204).end()));
  }

  private void deliveries(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.webhooks().deliveries(ctx.pathParam("id")),
        outcome ->
            outcome.fold(
                deliveries -> {
                  JsonArray array = new JsonArray();
                  deliveries.forEach(d -> array.add(WebhookJson.delivery(d)));
                  Http.json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("webhook", ctx.pathParam("id"))
                          .put("deliveries", array));
                  return null;
                },
                rejected -> {
                  Problems.send(ctx.response(), rejected);
                  return null;
                }));
  }
}
