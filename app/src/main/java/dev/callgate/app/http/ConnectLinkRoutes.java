package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.CSRF_TOKEN_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_TOO_LARGE;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.ConnectLinkDescription;
import dev.callgate.core.service.ConnectLinks;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Connect links: an admin makes one ({@code POST /v1/credentials/{name}/connect-links}); its end
 * user opens {@code GET /connect/{token}}, a page saying who asks for what, and confirms with the
 * page's one button ({@code POST /connect/{token}}), which spends the link and sends the browser to
 * sign in at the provider. The page sets a SameSite=Strict cookie whose value its form repeats, so
 * a form posted from another site — which carries no such cookie — is refused.
 */
final class ConnectLinkRoutes {
  /** The confirmation form holds one field of 43 characters: a kilobyte is plenty. */
  static final int MAX_FORM_BODY = 1024;

  private static final String COOKIE_PATH = "/connect/";
  private static final String CONFIRM_FIELD = "confirm";
  private static final Set<String> FIELDS = Set.of("user", "returnUrl");

  /** What an origin in a policy header may be made of: no ';', ',' or white space. */
  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\-:\\[\\]]+");

  /** When a link expires, as its end user reads it: 2026-03-01 14:05 UTC. */
  private static final DateTimeFormatter UNTIL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final ConnectLinks links;

  ConnectLinkRoutes(ConnectLinks links) {
    this.links = links;
  }

  /** The admin's route, behind the API's authentication and JSON body handling. */
  void mount(Router router) {
    router.post("/v1/credentials/:name/connect-links").handler(this::create);
  }

  /** The end user's pages: no API key, a form body of {@link #MAX_FORM_BODY} bytes at most. */
  void mountPages(Router router) {
    router.get("/connect/:token").handler(this::page);
    router
        .post("/connect/:token")
        .handler(
            BodyHandler.create(false)
                .setBodyLimit(MAX_FORM_BODY)
                .setDeleteUploadedFilesOnEnd(true));
    router.post("/connect/:token").handler(this::confirm);
    router.route("/connect/*").failureHandler(this::failed);
  }

  private void create(RoutingContext ctx) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return;
    }
    JsonFields f = new JsonFields(body.get(), FIELDS);
    String user = f.string("user");
    Optional<String> returnUrl = Optional.ofNullable(f.string("returnUrl"));
    if (!f.problems().isEmpty()) {
      Problems.send(ctx.response(), f.problems());
      return;
    }
    Http.respond(
        ctx,
        links.create(
            new ConnectLinks.CreateLink(
                Http.caller(ctx), ctx.pathParam("name"), user, returnUrl, Http.actor(ctx))),
        creation ->
            creation.fold(
                created -> {
                  Http.json(
                      ctx,
                      201,
                      new JsonObject()
                          .put("url", created.url().toString())
                          .put("expiresAt", created.expiresAt().toString()));
                  return null;
                },
                refused -> {
                  Problems.send(ctx.response(), refused.diagnosis());
                  return null;
                }));
  }

  private void page(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    whenUsable(
        ctx,
        token,
        described -> {
          String confirmation = BASE64URL.encodeToString(randomBytes());
          ctx.response()
              .addCookie(
                  Cookie.cookie(cookieName(token), confirmation)
                      .setPath(COOKIE_PATH)
                      .setMaxAge(
                          Math.max(
                              1,
                              Duration.between(Instant.now(), described.expiresAt()).toSeconds()))
                      .setHttpOnly(true)
                      .setSecure(links.overHttps())
                      .setSameSite(CookieSameSite.STRICT));
          Pages.send(
              ctx,
              200,
              "Connect your account to " + described.applicationName(),
              pageBody(described, token, confirmation),
              Optional.empty(),
              policy(described.providerOrigin()));
        });
  }

  /** Does {@code usable} with the link's description, or shows why the link cannot be used. */
  private void whenUsable(
      RoutingContext ctx, String token, Consumer<ConnectLinkDescription.Described> usable) {
    Http.respond(
        ctx,
        links.describe(token),
        description ->
            description.fold(
                described -> {
                  usable.accept(described);
                  return null;
                },
                refused -> {
                  refusedPage(ctx, refused.diagnosis());
                  return null;
                }));
  }

  private void confirm(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    Optional<String> cookie = Pages.cookie(ctx, cookieName(token));
    String field = ctx.request().getFormAttribute(CONFIRM_FIELD);
    if (cookie.isEmpty() || field == null || !sameSecret(cookie.get(), field)) {
      notConfirmed(ctx, token);
      return;
    }
    Http.respond(
        ctx,
        links.redeem(token, Http.requestId(ctx)),
        // the confirmation cookie stays until the link expires: pressing the button again then
        // says the link was used, rather than that the page is missing
        opening -> Pages.open(ctx, opening, refused -> refusedPage(ctx, refused)));
  }

  /**
   * A press that did not come from the page shown in this browser spends nothing. If the link
   * itself can no longer be used (its cookie ended with its lifetime, say), that is what the person
   * learns; else the press may have come from another site, and the page says to open the link
   * itself.
   */
  private void notConfirmed(RoutingContext ctx, String token) {
    whenUsable(
        ctx,
        token,
        described ->
            refusedPage(
                ctx,
                Diagnosis.of(
                    CSRF_TOKEN_INVALID,
                    "reason",
                    "did not come from the connect page Callgate showed in this browser (the"
                        + " page's confirmation cookie is missing or does not match)"),
                "Open the link itself in the browser you want to sign in with and press"
                    + " \"Continue to sign in\" there; nothing was used up."));
  }

  /** A form too large, or a body that breaks off: a page, not the API's problem document. */
  private void failed(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.statusCode() == 413) {
      refusedPage(ctx, Diagnosis.of(REQUEST_TOO_LARGE, "limit", MAX_FORM_BODY));
    } else if (ctx.statusCode() == 400) {
      refusedPage(ctx, Diagnosis.of(MALFORMED_REQUEST, "reason", "the form could not be read"));
    } else {
      ctx.next();
    }
  }

  private static void refusedPage(RoutingContext ctx, Diagnosis diagnosis) {
    refusedPage(ctx, diagnosis, diagnosis.remedy());
  }

  /** The refusal's page, saying {@code remedy} (a sentence for the link's end user). */
  private static void refusedPage(RoutingContext ctx, Diagnosis diagnosis, String remedy) {
    Pages.send(
        ctx,
        Problems.status(diagnosis.code()),
        "Callgate: this link cannot be used",
        "<h1>This link cannot be used</h1>"
            + "<p>"
            + Pages.escape(diagnosis.message())
            + "</p><p>"
            + Pages.escape(remedy)
            + (remedy.contains("new one")
                ? ""
                : " If the link no longer works, ask whoever sent it to you for a new one.")
            + "</p><p class=\"error-code\"><small>Error code: <code>"
            + diagnosis.code().name()
            + "</code></small></p>",
        Optional.of(diagnosis),
        Pages.POLICY);
  }

  private static String pageBody(
      ConnectLinkDescription.Described described, String token, String confirmation) {
    StringBuilder page =
        new StringBuilder("<h1>Connect your account to ")
            .append(Pages.escape(described.applicationName()))
            .append("</h1><article><p><strong>")
            .append(Pages.escape(described.applicationName()))
            .append("</strong> asks for access to the API at <strong>")
            .append(Pages.escape(described.apiHost()))
            .append("</strong> (credential <code>")
            .append(Pages.escape(described.credentialName()))
            .append("</code>) on behalf of user <strong>")
            .append(Pages.escape(described.user()))
            .append("</strong>.</p><p>You will sign in at <strong>")
            .append(Pages.escape(described.providerName()))
            .append("</strong>");
    if (described.scopes().isEmpty()) {
      page.append(", which is asked for no particular scopes.</p></article>");
    } else {
      page.append(", which is asked for these scopes:</p><ul>");
      described
          .scopes()
          .forEach(
              scope ->
                  page.append("<li><code>").append(Pages.escape(scope)).append("</code></li>"));
      page.append("</ul></article>");
    }
    page.append("<p>This link works once, until <time datetime=\"")
        .append(Pages.escape(described.expiresAt().toString()))
        .append("\">")
        .append(Pages.escape(UNTIL.format(described.expiresAt())))
        .append("</time>. If you did not expect it, close this page.</p>")
        .append("<form method=\"post\" action=\"")
        .append(Pages.escape(token))
        .append("\"><input type=\"hidden\" name=\"")
        .append(CONFIRM_FIELD)
        .append("\" value=\"")
        .append(Pages.escape(confirmation))
        .append("\"><button type=\"submit\">Continue to sign in</button></form>");
    return page.toString();
  }

  /** The page's policy: its form posts to Callgate, which sends the browser on to the provider. */
  private static String policy(Optional<URI> providerOrigin) {
    String origins =
        "'self'"
            + providerOrigin
                .map(URI::toString)
                .filter(origin -> ORIGIN.matcher(origin).matches())
                .map(origin -> " " + origin)
                .orElse("");
    return "default-src 'none'; style-src 'self'; base-uri 'none'; form-action "
        + origins
        + "; frame-ancestors 'none'";
  }

  private static String cookieName(String token) {
    return ConnectLinks.confirmationCookieName(token);
  }

  private static boolean sameSecret(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
