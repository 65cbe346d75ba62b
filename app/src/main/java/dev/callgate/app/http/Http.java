package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.INTERNAL_ERROR;
import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.UNAUTHENTICATED;
import static dev.callgate.core.diagnosis.DiagnosisCode.UNSUPPORTED_MEDIA_TYPE;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.DiagnosedFailure;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Caller;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every route does alike: who is calling, reading JSON, answering JSON or a problem. */
final class Http {
  private static final Logger LOG = LoggerFactory.getLogger(Http.class);
  static final String CALLER = "callgate.caller";

  /** The context key of the request's id ({@link RequestIds}), for audit and log lines. */
  public static final String REQUEST_ID = "callgate.requestId";

  private Http() {}

  /**
   * Puts the {@link Caller} of a valid {@code Authorization: Bearer <api key>} into the context.
   */
  static Handler<RoutingContext> authenticate(ApiKeys keys, boolean holdBody) {
    return ctx -> {
      String authorization = ctx.request().getHeader("Authorization");
      if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        Problems.send(
            ctx.response(),
            Diagnosis.of(UNAUTHENTICATED, "reason", "no 'Authorization: Bearer' header"));
        return;
      }
      if (holdBody) {
        // the key is checked asynchronously: hold the body until a handler is ready to read it
        ctx.request().pause();
      }
      Secret presented = Secret.of(authorization.substring(7).trim());
      respond(
          ctx,
          keys.authenticate(presented),
          caller -> {
            if (caller.isEmpty()) {
              Problems.send(
                  ctx.response(),
                  Diagnosis.of(UNAUTHENTICATED, "reason", "the key is unknown or was deleted"));
            } else {
              ctx.put(CALLER, caller.get());
              ctx.next();
            }
          });
    };
  }

  /**
   * Lets a request with a body through only when the body is JSON: the management API takes no
   * uploads and no forms, so nothing but JSON is ever read, buffered or written to disk.
   */
  static void requireJsonBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String length = request.getHeader("Content-Length");
    boolean hasBody =
        request.getHeader("Transfer-Encoding") != null
            || (length != null && !length.trim().equals("0"));
    String type = request.getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!hasBody
        || mediaType.equals("application/json")
        || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      ctx.next();
      return;
    }
    String shown =
        type == null
            ? "without a Content-Type"
            : "'" + (mediaType.length() > 80 ? mediaType.substring(0, 80) + "…" : mediaType) + "'";
    ctx.response().putHeader("Connection", "close");
    Problems.send(ctx.response(), Diagnosis.of(UNSUPPORTED_MEDIA_TYPE, "contentType", shown));
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  /** The request's id, as {@link RequestIds} put it in the context. */
  static String requestId(RoutingContext ctx) {
    return ctx.get(REQUEST_ID);
  }

  /** The authenticated caller acting in this request, as audit names it. */
  static Actor actor(RoutingContext ctx) {
    return caller(ctx).actor(requestId(ctx));
  }

  /** Lets through a caller whose key may read the metrics. */
  static void requireMetricsRole(RoutingContext ctx) {
    Caller caller = caller(ctx);
    if (caller.mayReadMetrics()) {
      ctx.next();
      return;
    }
    Problems.send(
        ctx.response(),
        Diagnosis.of(
            FORBIDDEN, "subject", caller.subject(), "action", "GET /metrics", "role", "metrics"));
  }

  /** Runs {@code handler} for admins only. */
  static Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
    return ctx -> {
      Caller caller = caller(ctx);
      if (!caller.isAdmin()) {
        Problems.send(
            ctx.response(),
            Diagnosis.of(
                FORBIDDEN,
                "subject",
                caller.subject(),
                "action",
                ctx.request().method() + " " + ctx.normalizedPath(),
                "role",
                "admin"));
        return;
      }
      handler.handle(ctx);
    };
  }

  /** The request body as a JSON object, or empty after answering {@code MALFORMED_REQUEST}. */
  static Optional<JsonObject> jsonBody(RoutingContext ctx) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      Problems.send(ctx.response(), Diagnosis.of(MALFORMED_REQUEST, "reason", "the body is empty"));
      return Optional.empty();
    }
    return JsonFields.object(text)
        .fold(
            Optional::of,
            problems -> {
              Problems.send(ctx.response(), problems);
              return Optional.empty();
            });
  }

  /**
   * Completes {@code stage} back on the request's event loop and hands its value to {@code then}; a
   * failed stage becomes {@code STORE_UNAVAILABLE} or, for a defect, {@code INTERNAL_ERROR} with a
   * reference that the log line carries too (the answer never holds a stack trace).
   */
  static <T> void respond(RoutingContext ctx, CompletionStage<T> stage, Consumer<T> then) {
    ContextFutures.of(stage, ctx.vertx().getOrCreateContext())
        .onSuccess(
            value -> {
              try {
                then.accept(value);
              } catch (RuntimeException e) {
                fail(ctx, e);
              }
            })
        .onFailure(failure -> fail(ctx, failure));
  }

  static void fail(RoutingContext ctx, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (ctx.response().ended() || ctx.response().closed()) {
      // the client is gone (or was cut off by a read timeout): nobody to answer, nothing to log
      return;
    }
    if (cause instanceof DiagnosedFailure diagnosed) {
      Problems.send(ctx.response(), diagnosed.diagnosis());
      return;
    }
    String reference = UUID.randomUUID().toString();
    LOG.atError()
        .setMessage("request {} {} failed, reference {}")
        .addArgument(ctx.request().method())
        .addArgument(loggablePath(ctx))
        .addArgument(reference)
        .addKeyValue("event", "request.failed")
        .addKeyValue("code", INTERNAL_ERROR.name())
        .addKeyValue("reference", reference)
        .addKeyValue("requestId", requestId(ctx))
        .setCause(cause)
        .log();
    Problems.send(ctx.response(), Diagnosis.of(INTERNAL_ERROR, "reference", reference));
  }

  /** The request's path for a log line: a connect link's token is a secret, and left out. */
  static String loggablePath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return path.startsWith("/connect/") ? "/connect/***" : path;
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  static void json(RoutingContext ctx, int status, JsonArray body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
