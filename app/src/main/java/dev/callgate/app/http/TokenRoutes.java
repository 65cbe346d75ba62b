package dev.callgate.app.http;

import dev.callgate.core.refresh.RefreshTrigger;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FLOW_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.AuthorizationCallback;
import dev.callgate.core.service.AuthorizationCompletion;
import dev.callgate.core.service.AuthorizationStart;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.RefreshOutcome;

import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A credential's tokens: start and complete the authorization flow, read the status, refresh now,
 * test the connection.
 */
final class TokenRoutes {
  private final ApiServices services;

  TokenRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.post("/v1/credentials/:name/authorizations").handler(this::startAuthorization);
    router.get("/v1/credentials/:name/status").handler(ctx -> withCredential(ctx, this::status));
    router.post("/v1/credentials/:name/refresh").handler(ctx -> withCredential(ctx, this::refresh));
    router
        .post("/v1/credentials/:name/test")
        .handler(Http.admin(ctx -> withCredential(ctx, this::test)));
  }

  /**
   * The callback route: the identity provider's redirect, so no API key; the state authenticates.
   */
  void mountCallback(Router router) {
    router.get("/v1/oauth/callback").handler(this::callback);
  }

  private void withCredential(
      RoutingContext ctx, BiConsumer<RoutingContext, NamedCredential> then) {
    String name = ctx.pathParam("name");
    Caller caller = Http.caller(ctx);
    Http.respond(
        ctx,
        services.credentials().findCredential(name),
        credential -> {
          if (credential.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
          } else if (!AdminRoutes.mayUse(credential.get(), caller)) {
            Problems.send(ctx.response(), AdminRoutes.notAllowed(credential.get(), caller));
          } else {
            then.accept(ctx, credential.get());
          }
        });
  }

  private TokenKey key(RoutingContext ctx, NamedCredential credential) {
    return AdminRoutes.tokenKey(
        credential, Http.caller(ctx), Optional.ofNullable(ctx.request().getParam("user")));
  }

  private void startAuthorization(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.authorizations().start(Http.caller(ctx), ctx.pathParam("name")),
        start -> {
          if (start instanceof AuthorizationStart.Started started) {
            Http.json(
                ctx,
                201,
                new JsonObject()
                    .put("authorizationUrl", started.authorizationUrl().toString())
                    .put("expiresAt", started.expiresAt().toString()));
          } else {
            Problems.send(ctx.response(), ((AuthorizationStart.Refused) start).diagnosis());
          }
        });
  }

  private void callback(RoutingContext ctx) {
    AuthorizationCallback callback =
        new AuthorizationCallback(
            Optional.ofNullable(ctx.request().getParam("state")),
            Optional.ofNullable(ctx.request().getParam("code")),
            Optional.ofNullable(ctx.request().getParam("error")),
            Optional.ofNullable(ctx.request().getParam("error_description")));
    Http.respond(
        ctx,
        services.authorizations().complete(callback),
        completion -> {
          if (completion instanceof AuthorizationCompletion.Authorized authorized) {
            TokenRecord record = authorized.record();
            StringBuilder page =
                new StringBuilder("<h1>Callgate: credential '")
                    .append(Pages.escape(record.key().credentialName()))
                    .append("' is authorized</h1>");
            record.diagnoses().forEach(d -> page.append(Pages.diagnosis(d)));
            page.append("<p>You can close this window.</p>");
            Pages.send(ctx, 200, page.toString(), Optional.empty());
          } else {
            Diagnosis diagnosis = ((AuthorizationCompletion.Refused) completion).diagnosis();
            Pages.send(
                ctx,
                Problems.status(diagnosis.code()),
                "<h1>Callgate: the authorization failed</h1>" + Pages.diagnosis(diagnosis),
                Optional.of(diagnosis));
          }
        });
  }

  private void status(RoutingContext ctx, NamedCredential credential) {
    TokenKey key = key(ctx, credential);
    Http.respond(
        ctx,
        services.tokens().find(key),
        record ->
            Http.json(
                ctx,
                200,
                ResourceJson.status(
                    credential, record.orElseGet(() -> TokenRecord.unauthorized(key)))));
  }

  private void refresh(RoutingContext ctx, NamedCredential credential) {
    if (!credential.protocol().usesTokens()) {
      Problems.send(
          ctx.response(),
          Diagnosis.of(
              FLOW_NOT_SUPPORTED,
              "credential",
              credential.name(),
              "protocol",
              credential.protocol().wireName(),
              "flow",
              "token refresh"));
      return;
    }
    TokenKey key = key(ctx, credential);
    Http.respond(
        ctx,
        services.refresher().refresh(key, RefreshTrigger.MANUAL, Optional.empty()),
        outcome -> {
          if (outcome instanceof RefreshOutcome.Refreshed refreshed) {
            Http.json(ctx, 200, ResourceJson.status(credential, refreshed.record()));
          } else if (outcome instanceof RefreshOutcome.Rejected rejected) {
            Problems.send(ctx.response(), rejected.diagnosis());
          } else {
            RefreshOutcome.Deferred deferred = (RefreshOutcome.Deferred) outcome;
            ctx.response()
                .putHeader(
                    "Retry-After",
                    String.valueOf(
                        Math.max(
                            1,
                            java.time.Duration.between(
                                    java.time.Instant.now(), deferred.nextAttemptAt())
                                .toSeconds())));
            Problems.send(ctx.response(), deferred.diagnosis());
          }
        });
  }

  /** Test connection: GET the credential's test path through the callout rules; time it. */
  private void test(RoutingContext ctx, NamedCredential credential) {
    if (credential.testPath().isEmpty()) {
      Problems.send(
          ctx.response(),
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "testPath",
              "problem",
              "credential '"
                  + credential.name()
                  + "' has none; set it with PUT /v1/credentials/"
                  + credential.name()));
      return;
    }
    String path = credential.testPath().get();
    String rawPath = path.startsWith("/") ? path.substring(1) : path;
    Optional<String> query = Optional.empty();
    int q = rawPath.indexOf('?');
    if (q >= 0) {
      query = Optional.of(rawPath.substring(q + 1));
      rawPath = rawPath.substring(0, q);
    }
    long started = System.nanoTime();
    Http.respond(
        ctx,
        services
            .callouts()
            .send(
                Http.caller(ctx),
                credential.name(),
                new CalloutRequest("GET", rawPath, query, Headers.EMPTY, Body.EMPTY)),
        result -> {
          long latencyMs = (System.nanoTime() - started) / 1_000_000;
          JsonObject report =
              new JsonObject()
                  .put("credential", credential.name())
                  .put("path", path)
                  .put("latencyMs", latencyMs);
          if (result instanceof CalloutResult.Relayed relayed) {
            int status = relayed.response().status();
            report
                .put("status", status)
                .put("ok", status < 400)
                .put("refreshed", relayed.afterRefresh());
          } else if (result instanceof CalloutResult.RejectedAfterRefresh rejected) {
            report
                .put("status", rejected.response().status())
                .put("ok", false)
                .put("diagnosis", Problems.diagnosisJson(rejected.diagnosis()));
          } else {
            report
                .put("ok", false)
                .put(
                    "diagnosis",
                    Problems.diagnosisJson(((CalloutResult.Refused) result).diagnosis()));
          }
          Http.json(ctx, 200, report);
        });
  }
}
