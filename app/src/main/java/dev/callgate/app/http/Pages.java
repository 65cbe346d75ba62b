package dev.callgate.app.http;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.AuthorizationOpening;
import dev.callgate.core.service.BrowserBinding;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The few HTML pages a person's browser sees (the start and the end of an authorization flow, a
 * connect link): plain server-rendered HTML, every value escaped, no script, under a policy that
 * lets the page load nothing but Callgate's own styles and be framed by no one.
 */
final class Pages {
  /** A page without a form: it loads nothing, posts nothing, is framed by no one. */
  static final String POLICY =
      "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  /**
   * The console's stylesheets (Pico, then the console's own), so that a page looks like the rest of
   * Callgate; the page reads as well without them.
   */
  private static final String STYLESHEETS = stylesheets();

  private Pages() {}

  private static String stylesheets() {
    Properties sheets = new Properties();
    try (InputStream in = Pages.class.getResourceAsStream("pages.properties")) {
      if (in == null) {
        throw new IllegalStateException("pages.properties is not on the classpath");
      }
      sheets.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Stream.of("pico", "console")
        .map(name -> "<link rel=\"stylesheet\" href=\"" + escape(sheets.getProperty(name)) + "\">")
        .collect(Collectors.joining());
  }

  static void send(RoutingContext ctx, int status, String body, Optional<Diagnosis> error) {
    send(ctx, status, "Callgate", body, error, POLICY);
  }

  /** Ends the response with a page titled {@code title} under the content policy {@code policy}. */
  static void send(
      RoutingContext ctx,
      int status,
      String title,
      String body,
      Optional<Diagnosis> error,
      String policy) {
    error.ifPresent(d -> ctx.response().putHeader(Problems.ERROR_HEADER, d.code().name()));
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", policy)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>"
                + escape(title)
                + "</title>"
                + STYLESHEETS
                + "</head><body><main class=\"container page\">"
                + body
                + "</main></body></html>");
  }

  /**
   * Sends the browser on to {@code location} with the cookie that binds its authorization flow:
   * HttpOnly (no script reads it), SameSite=Lax (sent on the provider's top-level redirect back,
   * which Strict cookies are not), Secure behind https, and sent to the callback's folder only.
   */
  static void redirectBinding(RoutingContext ctx, URI location, BrowserBinding binding) {
    long maxAge = Math.max(1, binding.lifetime().toSeconds());
    ctx.response()
        .addCookie(
            Cookie.cookie(binding.cookieName(), binding.secret().reveal())
                .setPath(binding.path())
                .setMaxAge(maxAge)
                .setHttpOnly(true)
                .setSecure(binding.secure())
                .setSameSite(CookieSameSite.LAX))
        .putHeader("Location", location.toString())
        .putHeader("Cache-Control", "no-store")
        .putHeader("Referrer-Policy", "no-referrer")
        .setStatusCode(303)
        .end();
  }

  /**
   * Sends the browser of an opened flow on to the provider with its binding cookie, or answers the
   * refusal with {@code refused}'s page.
   */
  static Void open(RoutingContext ctx, AuthorizationOpening opening, Consumer<Diagnosis> refused) {
    return opening.fold(
        opened -> {
          redirectBinding(ctx, opened.providerUrl(), opened.binding());
          return null;
        },
        refusal -> {
          refused.accept(refusal.diagnosis());
          return null;
        });
  }

  /** Sends the browser on to {@code location} (a return URL already checked), keeping no copy. */
  static void redirect(RoutingContext ctx, URI location) {
    ctx.response()
        .putHeader("Location", location.toString())
        .putHeader("Cache-Control", "no-store")
        .putHeader("Referrer-Policy", "no-referrer")
        .setStatusCode(303)
        .end();
  }

  /** A link back to where the flow began (a return URL already checked). */
  static String linkBack(URI returnUrl) {
    return "<p><a href=\""
        + escape(returnUrl.toString())
        + "\">Go back to where you started</a> and try again from there.</p>";
  }

  /** The value of the request's cookie {@code name}, if it sent one. */
  static Optional<String> cookie(RoutingContext ctx, String name) {
    return Optional.ofNullable(ctx.request().getCookie(name))
        .map(Cookie::getValue)
        .filter(value -> !value.isEmpty());
  }

  static String diagnosis(Diagnosis diagnosis) {
    return "<p><strong>"
        + escape(diagnosis.code().name())
        + "</strong>: "
        + escape(diagnosis.message())
        + "</p><p>"
        + escape(diagnosis.remedy())
        + "</p>";
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
