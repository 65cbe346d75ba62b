package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.AuthorizationCallback;
import dev.callgate.core.service.BrowserBinding;
import dev.callgate.core.service.ConnectionTests;
import dev.callgate.core.service.ManualRefreshes;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * A credential's tokens: start and complete the authorization flow, read the status, refresh now,
 * revoke, test the connection. {@code ?user=} names a per-user token; only admins may name someone
 * else's.
 */
final class TokenRoutes {
  private static final Logger LOG = LoggerFactory.getLogger("callgate.authorizations");

  private final ApiServices services;

  TokenRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.post("/v1/credentials/:name/authorizations").handler(this::startAuthorization);
    router.get("/v1/credentials/:name/status").handler(this::status);
    router.post("/v1/credentials/:name/refresh").handler(this::refresh);
    router.post("/v1/credentials/:name/revoke").handler(this::revoke);
    router.post("/v1/credentials/:name/test").handler(Http.admin(this::test));
  }

  /**
   * The browser's routes, so no API key: the authorization page that binds a flow to the browser
   * opening it, and the identity provider's redirect back, which the state and that binding
   * authenticate.
   */
  void mountCallback(Router router) {
    router.get("/v1/oauth/authorize").handler(this::openAuthorization);
    router.get("/v1/oauth/callback").handler(this::callback);
  }

  private static Optional<String> user(RoutingContext ctx) {
    return Optional.ofNullable(ctx.request().getParam("user"));
  }

  private void startAuthorization(RoutingContext ctx) {
    boolean allowIdentityChange = false;
    Optional<String> returnUrl = Optional.empty();
    if (ctx.body() != null && ctx.body().length() > 0) {
      Optional<JsonObject> body = Http.jsonBody(ctx);
      if (body.isEmpty()) {
        return;
      }
      Object allow = body.get().getValue("allowIdentityChange");
      if (allow != null && !(allow instanceof Boolean)) {
        Problems.send(
            ctx.response(),
            Diagnosis.of(
                INVALID_VALUE, "field", "allowIdentityChange", "problem", "must be true or false"));
        return;
      }
      allowIdentityChange = Boolean.TRUE.equals(allow);
      Object returnTo = body.get().getValue("returnUrl");
      if (returnTo != null && !(returnTo instanceof String)) {
        Problems.send(
            ctx.response(),
            Diagnosis.of(INVALID_VALUE, "field", "returnUrl", "problem", "must be a string"));
        return;
      }
      returnUrl = Optional.ofNullable((String) returnTo);
      Object flow = body.get().getValue("flow");
      if (flow != null && !"browser".equals(flow) && !"device".equals(flow)) {
        Problems.send(
            ctx.response(),
            Diagnosis.of(
                INVALID_VALUE, "field", "flow", "problem", "must be \"browser\" or \"device\""));
        return;
      }
      if ("device".equals(flow)) {
        if (returnUrl.isPresent()) {
          Problems.send(
              ctx.response(),
              Diagnosis.of(
                  INVALID_VALUE,
                  "field",
                  "returnUrl",
                  "problem",
                  "a device authorization sends no browser anywhere"));
          return;
        }
        startDeviceAuthorization(ctx, allowIdentityChange);
        return;
      }
    }
    Http.respond(
        ctx,
        services
            .authorizations()
            .start(
                Http.caller(ctx),
                ctx.pathParam("name"),
                user(ctx),
                allowIdentityChange,
                Http.actor(ctx),
                returnUrl),
        start ->
            start.fold(
                started -> {
                  Http.json(
                      ctx,
                      201,
                      new JsonObject()
                          .put("authorizationUrl", started.authorizationUrl().toString())
                          .put("expiresAt", started.expiresAt().toString()));
                  return null;
                },
                refused -> problem(ctx, refused.diagnosis())));
  }

  /** RFC 8628: the codes the person needs; Callgate polls the provider from here on. */
  private void startDeviceAuthorization(RoutingContext ctx, boolean allowIdentityChange) {
    Http.respond(
        ctx,
        services
            .deviceAuthorizations()
            .start(
                Http.caller(ctx),
                ctx.pathParam("name"),
                user(ctx),
                allowIdentityChange,
                Http.actor(ctx)),
        start ->
            start.fold(
                started -> {
                  Http.json(ctx, 201, ResourceJson.deviceAuthorization(started));
                  return null;
                },
                refused -> problem(ctx, refused)));
  }

  /** Callgate's authorization page: binds the flow to this browser, then on to the provider. */
  private void openAuthorization(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.authorizations().open(ctx.request().getParam("flow")),
        opening ->
            Pages.open(
                ctx,
                opening,
                refused ->
                    Pages.send(
                        ctx,
                        Problems.status(refused.code()),
                        "<h1>Callgate: the authorization cannot start</h1>"
                            + Pages.diagnosis(refused),
                        Optional.of(refused))));
  }

  private void callback(RoutingContext ctx) {
    Optional<String> state = Optional.ofNullable(ctx.request().getParam("state"));
    Optional<String> binding = state.flatMap(s -> Pages.cookie(ctx, BrowserBinding.cookieName(s)));
    AuthorizationCallback callback =
        new AuthorizationCallback(
            state,
            Optional.ofNullable(ctx.request().getParam("code")),
            Optional.ofNullable(ctx.request().getParam("error")),
            Optional.ofNullable(ctx.request().getParam("error_description")),
            binding);
    Http.respond(
        ctx,
        services.authorizations().complete(callback),
        completion ->
            completion.fold(
                authorized -> {
                  TokenKey key = authorized.record().key();
                  withKey(LOG.atInfo(), key)
                      .setMessage("authorized credential {} for {}")
                      .addArgument(key.credentialName())
                      .addArgument(key.principalDescription())
                      .addKeyValue("event", "authorization.completed")
                      .addKeyValue("requestId", Http.requestId(ctx))
                      .log();
                  authorized
                      .returnUrl()
                      .ifPresentOrElse(
                          returnUrl -> Pages.redirect(ctx, returnUrl),
                          () -> authorizedPage(ctx, authorized.record()));
                  return null;
                },
                refused -> {
                  Diagnosis diagnosis = refused.diagnosis();
                  // a flow Callgate knows failed: WARN; a callback for no known flow (a forged or
                  // replayed state) names nothing an operator could act on: DEBUG
                  LoggingEventBuilder line =
                      LOG.atLevel(refused.key().isPresent() ? Level.WARN : Level.DEBUG)
                          .setMessage("an authorization failed: {}")
                          .addArgument(diagnosis::message)
                          .addKeyValue("event", "authorization.failed")
                          .addKeyValue("code", diagnosis.code().name())
                          .addKeyValue("requestId", Http.requestId(ctx));
                  refused.key().map(key -> withKey(line, key)).orElse(line).log();
                  String forWhom =
                      refused
                          .key()
                          .map(
                              key ->
                                  "<p>Credential '"
                                      + Pages.escape(key.credentialName())
                                      + "', "
                                      + Pages.escape(key.principalDescription())
                                      + ".</p>")
                          .orElse("");
                  Pages.send(
                      ctx,
                      Problems.status(diagnosis.code()),
                      "<h1>Callgate: the authorization failed</h1>"
                          + forWhom
                          + Pages.diagnosis(diagnosis)
                          + refused.returnUrl().map(Pages::linkBack).orElse(""),
                      Optional.of(diagnosis));
                  return null;
                }));
  }

  private static LoggingEventBuilder withKey(LoggingEventBuilder line, TokenKey key) {
    line.addKeyValue("credential", key.credentialName());
    return key.isNamedPrincipal() ? line : line.addKeyValue("user", key.userSubject());
  }

  /** Says which credential was authorized, for whom, and as whom at the provider. */
  private static void authorizedPage(RoutingContext ctx, TokenRecord record) {
    TokenKey key = record.key();
    StringBuilder page =
        new StringBuilder("<h1>Callgate: credential '")
            .append(Pages.escape(key.credentialName()))
            .append("' is authorized</h1><p>For ")
            .append(Pages.escape(key.principalDescription()));
    record
        .identity()
        .map(ProviderIdentity::describe)
        .ifPresent(who -> page.append(", signed in at the provider as ").append(Pages.escape(who)));
    page.append(".</p>");
    record.diagnoses().forEach(d -> page.append(Pages.diagnosis(d)));
    page.append("<p>You can close this window.</p>");
    Pages.send(ctx, 200, page.toString(), Optional.empty());
  }

  private void status(RoutingContext ctx) {
    Http.respond(
        ctx,
        services
            .statuses()
            .status(
                new TokenStatuses.ReadStatus(Http.caller(ctx), ctx.pathParam("name"), user(ctx))),
        outcome ->
            outcome.fold(
                status -> {
                  Http.json(ctx, 200, ResourceJson.status(status));
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void refresh(RoutingContext ctx) {
    Http.respond(
        ctx,
        services
            .manualRefreshes()
            .refresh(
                new ManualRefreshes.RefreshNow(
                    Http.caller(ctx), ctx.pathParam("name"), user(ctx), Http.actor(ctx))),
        outcome ->
            outcome.fold(
                status -> {
                  Http.json(ctx, 200, ResourceJson.status(status));
                  return null;
                },
                rejected -> problem(ctx, rejected),
                (deferred, retryAfter) -> {
                  ctx.response()
                      .putHeader(
                          "Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
                  return problem(ctx, deferred);
                }));
  }

  private void revoke(RoutingContext ctx) {
    Http.respond(
        ctx,
        services
            .revocations()
            .revoke(Http.caller(ctx), ctx.pathParam("name"), user(ctx), Http.actor(ctx)),
        outcome ->
            outcome.fold(
                (credential, record) -> {
                  Http.json(
                      ctx, 200, ResourceJson.status(services.statuses().of(credential, record)));
                  return null;
                },
                refused -> problem(ctx, refused)));
  }

  /** Test connection: GET the credential's test path through the callout rules; time it. */
  private void test(RoutingContext ctx) {
    Http.respond(
        ctx,
        services
            .connectionTests()
            .test(new ConnectionTests.TestConnection(Http.caller(ctx), ctx.pathParam("name"))),
        outcome ->
            outcome.fold(
                report -> {
                  JsonObject json =
                      new JsonObject()
                          .put("credential", report.credential())
                          .put("path", report.path())
                          .put("latencyMs", report.latency().toMillis())
                          .put("ok", report.ok())
                          .put("refreshed", report.refreshed());
                  report.status().ifPresent(status -> json.put("status", status));
                  report
                      .diagnosis()
                      .ifPresent(d -> json.put("diagnosis", Problems.diagnosisJson(d)));
                  Http.json(ctx, 200, json);
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private static Void problem(RoutingContext ctx, Diagnosis diagnosis) {
    Problems.send(ctx.response(), diagnosis);
    return null;
  }
}
