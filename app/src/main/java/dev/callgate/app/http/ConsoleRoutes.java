package dev.callgate.app.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web console's files: {@code /console} (and {@code /console/}) is its page, {@code
 * /console/assets/*} its scripts and style from the classpath folder {@code console/}, {@code
 * /console/webjars/*} the browser libraries packaged as WebJars. Every answer under {@code
 * /console} carries a strict Content-Security-Policy (the console runs only its own scripts and
 * styles, and talks only to its own origin), {@code nosniff} and no referrer; a file that is not
 * there is the usual problem document. The page and its assets are revalidated on each load, so a
 * new version of Callgate is seen at once; a WebJar's path holds its version, so it is kept.
 */
final class ConsoleRoutes {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  /** The console's files on the classpath; {@code index.html} has the WebJars' versions in it. */
  static final String ROOT = "console";

  private static final String WEBJARS = "META-INF/resources/webjars";
  private static final int A_YEAR = 365 * 24 * 60 * 60;

  private final Buffer page = Buffer.buffer(read(ROOT + "/index.html"));

  void mount(Router router) {
    router.route("/console/*").handler(ConsoleRoutes::securityHeaders);
    // files only: a folder is neither listed nor answered with an index page
    router.routeWithRegex("/console/(assets|webjars)/(.*/)?").handler(ApiRouter::notFound);
    router.get("/console").handler(this::page);
    router.get("/console/").handler(this::page);

    StaticHandler assets =
        StaticHandler.create(ROOT).setDirectoryListing(false).setIncludeHidden(false);
    StaticHandler webjars =
        StaticHandler.create(WEBJARS)
            .setDirectoryListing(false)
            .setIncludeHidden(false)
            .setMaxAgeSeconds(A_YEAR);
    router.get("/console/assets/*").handler(ConsoleRoutes::revalidate).handler(assets);
    router.head("/console/assets/*").handler(ConsoleRoutes::revalidate).handler(assets);
    router.get("/console/webjars/*").handler(webjars);
    router.head("/console/webjars/*").handler(webjars);
    // a file that is not there, or a folder: the static handlers pass it on
    router.route("/console/assets/*").handler(ApiRouter::notFound);
    router.route("/console/webjars/*").handler(ApiRouter::notFound);
  }

  private void page(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .end(page);
  }

  private static void securityHeaders(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    response
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }

  /**
   * The console's own files keep their names from one version to the next: the browser asks each
   * time whether its copy is current (the static handler answers 304 when it is).
   */
  private static void revalidate(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-cache");
    ctx.next();
  }

  private static byte[] read(String resource) {
    try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
