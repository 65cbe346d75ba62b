package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.UNAUTHENTICATED;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.ConsoleSessions;
import dev.callgate.core.service.ConsoleSessions.ConsoleSession;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;
import java.util.Set;

/**
 * The console's sign-in ({@code POST /console/session} with an admin key), the current session
 * ({@code GET}) and sign-out ({@code DELETE}), and the authentication of {@code /v1/*} requests by
 * the session's cookie: {@code callgate_console}, HttpOnly, SameSite=Strict, for the whole site,
 * Secure behind https. With the cookie, a change must carry the session's {@code X-CSRF-Token}.
 */
final class ConsoleSessionRoutes {
  static final String COOKIE = "callgate_console";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String PATH = "/console/session";
  private static final Set<HttpMethod> SAFE_METHODS =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final ConsoleSessions sessions;

  ConsoleSessionRoutes(ConsoleSessions sessions) {
    this.sessions = sessions;
  }

  void mount(Router router) {
    // a cross-site form cannot send JSON: only a page of Callgate's own can sign in
    router.route(PATH).handler(Http::requireJsonBody);
    router
        .route(PATH)
        .handler(
            BodyHandler.create(false)
                .setBodyLimit(ApiRouter.MAX_JSON_BODY)
                .setDeleteUploadedFilesOnEnd(true));
    router.post(PATH).handler(this::signIn);
    router.get(PATH).handler(this::current);
    router.delete(PATH).handler(this::signOut);
  }

  private void signIn(RoutingContext ctx) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return;
    }
    JsonFields fields = new JsonFields(body.get(), Set.of("key"));
    String key = fields.string("key");
    if (!fields.problems().isEmpty()) {
      Problems.send(ctx.response(), fields.problems());
      return;
    }
    if (key == null || key.isBlank()) {
      Problems.send(
          ctx.response(),
          Diagnosis.of(INVALID_VALUE, "field", "key", "problem", "an admin API key is required"));
      return;
    }
    Http.respond(
        ctx,
        sessions.signIn(Secret.of(key.trim()), Http.requestId(ctx)),
        outcome ->
            outcome.fold(
                (secret, session) -> {
                  ctx.response().addCookie(cookie(secret.reveal()));
                  answer(ctx, 201, session);
                  return null;
                },
                rejected -> {
                  Problems.send(ctx.response(), rejected);
                  return null;
                }));
  }

  private void current(RoutingContext ctx) {
    withSession(ctx, (secret, session) -> answer(ctx, 200, session));
  }

  private void signOut(RoutingContext ctx) {
    withSession(
        ctx,
        (secret, session) -> {
          Optional<Diagnosis> forged = session.csrfProblem(csrfToken(ctx));
          if (forged.isPresent()) {
            Problems.send(ctx.response(), forged.get());
            return;
          }
          Http.respond(
              ctx,
              sessions.signOut(secret, session.caller().actor(Http.requestId(ctx))),
              ended -> {
                ctx.response().addCookie(cleared());
                ctx.response().setStatusCode(204).end();
              });
        });
  }

  /** The action for the request's session; without one, 401 (and a stale cookie cleared). */
  private void withSession(RoutingContext ctx, SessionAction action) {
    Optional<String> cookie = Pages.cookie(ctx, COOKIE);
    if (cookie.isEmpty()) {
      Problems.send(ctx.response(), noSession("no console session cookie"));
      return;
    }
    Secret secret = Secret.of(cookie.get());
    Http.respond(
        ctx,
        sessions.find(secret),
        found -> {
          if (found.isEmpty()) {
            ctx.response().addCookie(cleared());
            Problems.send(
                ctx.response(),
                noSession(
                    "the console session is unknown, expired, signed out or its key deleted"));
          } else {
            action.run(secret, found.get());
          }
        });
  }

  @FunctionalInterface
  private interface SessionAction {
    void run(Secret secret, ConsoleSession session);
  }

  /**
   * Authenticates a {@code /v1/*} request: by its {@code Authorization} header when it has one,
   * else by a console session cookie (a change needing the session's CSRF token), else not at all.
   */
  Handler<RoutingContext> authenticate(Handler<RoutingContext> byHeader) {
    return ctx -> {
      Optional<String> cookie = Pages.cookie(ctx, COOKIE);
      if (ctx.request().getHeader("Authorization") != null || cookie.isEmpty()) {
        byHeader.handle(ctx);
        return;
      }
      // the session is looked up asynchronously: hold the body until a handler is ready to read it
      ctx.request().pause();
      withSession(
          ctx,
          (secret, session) -> {
            if (!SAFE_METHODS.contains(ctx.request().method())) {
              Optional<Diagnosis> forged = session.csrfProblem(csrfToken(ctx));
              if (forged.isPresent()) {
                Problems.send(ctx.response(), forged.get());
                return;
              }
            }
            ctx.put(Http.CALLER, session.caller());
            ctx.next();
          });
    };
  }

  private static Optional<String> csrfToken(RoutingContext ctx) {
    return Optional.ofNullable(ctx.request().getHeader(CSRF_HEADER));
  }

  private static Diagnosis noSession(String reason) {
    return Diagnosis.of(UNAUTHENTICATED, "reason", reason);
  }

  private void answer(RoutingContext ctx, int status, ConsoleSession session) {
    ctx.response().putHeader("Cache-Control", "no-store");
    Http.json(
        ctx,
        status,
        new JsonObject()
            .put("subject", session.caller().subject())
            .put("keyId", session.caller().keyId())
            .put("expiresAt", session.expiresAt().toString())
            .put("csrfToken", session.csrfToken().reveal()));
  }

  /** The cookie of a session that begins now: the browser drops it when the session ends. */
  private Cookie cookie(String value) {
    return Cookie.cookie(COOKIE, value)
        .setPath("/")
        .setMaxAge(Math.max(1, sessions.settings().lifetime().toSeconds()))
        .setHttpOnly(true)
        .setSecure(sessions.settings().httpsOnly())
        .setSameSite(CookieSameSite.STRICT);
  }

  private Cookie cleared() {
    return Cookie.cookie(COOKIE, "")
        .setPath("/")
        .setMaxAge(0)
        .setHttpOnly(true)
        .setSecure(sessions.settings().httpsOnly())
        .setSameSite(CookieSameSite.STRICT);
  }
}
