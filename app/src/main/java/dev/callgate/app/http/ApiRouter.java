package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_TOO_LARGE;
import static dev.callgate.core.diagnosis.DiagnosisCode.ROUTE_NOT_FOUND;

import dev.callgate.core.diagnosis.Diagnosis;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Callgate's HTTP API (DESIGN.md's contract): the routes, who may call them, the body limits, and
 * the rule that every error — a wrong route included — is a problem document with a diagnosis code.
 */
public final class ApiRouter {
  /** JSON bodies of the management API are small; callouts stream theirs. */
  public static final long MAX_JSON_BODY = 64 * 1024;

  private ApiRouter() {}

  /**
   * {@code readiness} tells whether the store answers; {@code callouts} handles {@code
   * /v1/callout/{name}/*} (it streams, so it runs before any body handling).
   */
  public static Router create(
      Vertx vertx,
      ApiServices services,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      CalloutRoute callouts) {
    return create(vertx, services, registry, readiness, callouts, false);
  }

  /**
   * As above; with {@code metricsRequireKey}, {@code /metrics} answers only an API key with the
   * {@code metrics} or {@code admin} role.
   */
  public static Router create(
      Vertx vertx,
      ApiServices services,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      CalloutRoute callouts,
      boolean metricsRequireKey) {
    Router router = Router.router(vertx);
    // first of all: every answer, a problem included, carries the request's id
    router.route().handler(new RequestIds());

    router
        .get("/health/live")
        .handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "UP")));
    router
        .get("/health/ready")
        .handler(
            ctx ->
                // answered on the request's own loop, whichever thread the store answers on
                Http.respond(
                    ctx,
                    readiness.ready(),
                    up ->
                        Http.json(
                            ctx,
                            up ? 200 : 503,
                            new JsonObject()
                                .put("status", up ? "UP" : "DOWN")
                                .put("instance", readiness.instance())
                                .put("store", up ? "up" : "down")
                                .put(
                                    "changeFeed",
                                    readiness.changeFeed().getAsBoolean()
                                        ? "listening"
                                        : "not listening"))));
    if (metricsRequireKey) {
      router.get("/metrics").handler(Http.authenticate(services.apiKeys(), false));
      router.get("/metrics").handler(Http::requireMetricsRole);
    }
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
    router.get("/openapi.json").handler(ctx -> Http.json(ctx, 200, OpenApi.document()));

    new TokenRoutes(services).mountCallback(router);
    // the console's files need no key: it signs in through its page
    new ConsoleRoutes().mount(router);
    ConsoleSessionRoutes console = new ConsoleSessionRoutes(services.consoleSessions());
    console.mount(router);
    ConnectLinkRoutes connectLinks = new ConnectLinkRoutes(services.connectLinks());
    connectLinks.mountPages(router);

    // callouts stream their bodies: authenticate first, holding the body until the transport reads
    // it
    router.route("/v1/callout/*").handler(Http.authenticate(services.apiKeys(), true));
    callouts.mount(router);
    // everything else has small JSON bodies, read only for an authenticated caller, only when
    // they are JSON, never as files
    // a console session's cookie stands for its admin key here, and nowhere else
    router
        .route("/v1/*")
        .handler(console.authenticate(Http.authenticate(services.apiKeys(), true)));
    router.route("/v1/*").handler(Http::requireJsonBody);
    router
        .route("/v1/*")
        .handler(
            BodyHandler.create(false)
                .setBodyLimit(MAX_JSON_BODY)
                .setDeleteUploadedFilesOnEnd(true));
    new AdminRoutes(services).mount(router);
    new WebhookRoutes(services).mount(router);
    new TokenRoutes(services).mount(router);
    connectLinks.mount(router);
    new EventRoutes(services.events(), services.liveEvents(), EventStream.Settings.DEFAULTS)
        .mount(router);
    new FleetStatusRoute(services.fleet()).mount(router);

    router.route().last().handler(ApiRouter::notFound);
    router.errorHandler(404, ApiRouter::notFound);
    router.errorHandler(405, ApiRouter::notFound);
    router.errorHandler(
        413,
        ctx ->
            Problems.send(ctx.response(), Diagnosis.of(REQUEST_TOO_LARGE, "limit", MAX_JSON_BODY)));
    router.errorHandler(
        400,
        ctx ->
            Problems.send(
                ctx.response(),
                Diagnosis.of(MALFORMED_REQUEST, "reason", "the request is malformed")));
    // the body handler fails with status 200 when the connection breaks while it reads a body
    router.errorHandler(
        200,
        ctx ->
            Http.fail(
                ctx, ctx.failure() == null ? new IllegalStateException("unknown") : ctx.failure()));
    router.errorHandler(
        500,
        ctx ->
            Http.fail(
                ctx, ctx.failure() == null ? new IllegalStateException("unknown") : ctx.failure()));
    return router;
  }

  static void notFound(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    Problems.send(
        ctx.response(),
        Diagnosis.of(
            ROUTE_NOT_FOUND, "method", ctx.request().method(), "path", Http.loggablePath(ctx)));
  }
}
