package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FLOW_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.AuthorizationCallback;
import dev.callgate.core.service.AuthorizationStart;
import dev.callgate.core.service.BrowserBinding;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.Revocations;
import dev.callgate.core.service.TokenKeys;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A credential's tokens: start and complete the authorization flow, read the status, refresh now,
 * revoke, test the connection. {@code ?user=} names a per-user token; only admins may name someone
 * else's.
 */
final class TokenRoutes {
  private final ApiServices services;

  TokenRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.post("/v1/credentials/:name/authorizations").handler(this::startAuthorization);
    router.get("/v1/credentials/:name/status").handler(this::status);
    router.post("/v1/credentials/:name/refresh").handler(ctx -> withCredential(ctx, this::refresh));
    router.post("/v1/credentials/:name/revoke").handler(this::revoke);
    router
        .post("/v1/credentials/:name/test")
        .handler(Http.admin(ctx -> withCredential(ctx, this::test)));
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
            return;
          }
          Optional<Diagnosis> notAllowed = caller.refusedBy(credential.get());
          if (notAllowed.isPresent()) {
            Problems.send(ctx.response(), notAllowed.get());
          } else {
            then.accept(ctx, credential.get());
          }
        });
  }

  private void startAuthorization(RoutingContext ctx) {
    boolean allowIdentityChange = false;
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
    }
    Http.respond(
        ctx,
        services
            .authorizations()
            .start(Http.caller(ctx), ctx.pathParam("name"), user(ctx), allowIdentityChange),
        start -> {
          if (start instanceof AuthorizationStart.Started started) {
            Http.json(
                ctx,
                201,
                new JsonObject()
                    .put("authorizationUrl", started.authorizationUrl().toString())
                    .put("expiresAt", started.expiresAt().toString()));
          } else if (start instanceof AuthorizationStart.Refused refused) {
            Problems.send(ctx.response(), refused.diagnosis());
          }
        });
  }

  /** Callgate's authorization page: binds the flow to this browser, then on to the provider. */
  private void openAuthorization(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.authorizations().open(ctx.request().getParam("flow")),
        opening ->
            opening.fold(
                opened -> {
                  Pages.redirectBinding(ctx, opened.providerUrl(), opened.binding());
                  return null;
                },
                refused -> {
                  Pages.send(
                      ctx,
                      Problems.status(refused.diagnosis().code()),
                      "<h1>Callgate: the authorization cannot start</h1>"
                          + Pages.diagnosis(refused.diagnosis()),
                      Optional.of(refused.diagnosis()));
                  return null;
                }));
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
                  authorizedPage(ctx, authorized.record());
                  return null;
                },
                refused -> {
                  Diagnosis diagnosis = refused.diagnosis();
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
                          + Pages.diagnosis(diagnosis),
                      Optional.of(diagnosis));
                  return null;
                }));
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
        services.statuses().status(Http.caller(ctx), ctx.pathParam("name"), user(ctx)),
        outcome -> {
          if (outcome instanceof TokenStatuses.StatusOutcome.Found found) {
            Http.json(ctx, 200, ResourceJson.status(found.status()));
          } else if (outcome instanceof TokenStatuses.StatusOutcome.Refused refused) {
            Problems.send(ctx.response(), refused.diagnosis());
          }
        });
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
    TokenKeys.resolve(credential, Http.caller(ctx), user(ctx))
        .fold(
            key -> {
              Http.respond(
                  ctx,
                  services.refresher().refreshAskedBy(Http.caller(ctx), key),
                  outcome ->
                      outcome.fold(
                          refreshed -> {
                            Http.json(
                                ctx,
                                200,
                                ResourceJson.status(
                                    services.statuses().of(credential, refreshed.record())));
                            return null;
                          },
                          rejected -> {
                            Problems.send(ctx.response(), rejected.diagnosis());
                            return null;
                          },
                          deferred -> {
                            long seconds =
                                Duration.between(Instant.now(), deferred.nextAttemptAt())
                                    .toSeconds();
                            ctx.response()
                                .putHeader("Retry-After", String.valueOf(Math.max(1, seconds)));
                            Problems.send(ctx.response(), deferred.diagnosis());
                            return null;
                          }));
              return null;
            },
            problems -> {
              Problems.send(ctx.response(), problems);
              return null;
            });
  }

  private void revoke(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.revocations().revoke(Http.caller(ctx), ctx.pathParam("name"), user(ctx)),
        outcome -> {
          if (outcome instanceof Revocations.RevokeOutcome.Revoked revoked) {
            Http.json(
                ctx,
                200,
                ResourceJson.status(
                    services.statuses().of(revoked.credential(), revoked.record())));
          } else if (outcome instanceof Revocations.RevokeOutcome.Refused refused) {
            Problems.send(ctx.response(), refused.diagnosis());
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
          } else if (result instanceof CalloutResult.Refused refused) {
            report.put("ok", false).put("diagnosis", Problems.diagnosisJson(refused.diagnosis()));
          }
          Http.json(ctx, 200, report);
        });
  }
}
