package dev.callgate.app.e2e;

import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A third-party API for the end-to-end tests, on a real Vert.x server: it accepts an access token
 * only if the identity provider's userinfo endpoint does, and answers 401 in the dialects Callgate
 * must recognise. {@code /dialect/{name}/…} rejects tokens marked stale in that dialect; {@code
 * /reject-all/…} rejects every token; {@code /open/…} takes any.
 */
final class Target implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private final URI userinfo;
  private final HttpServer server;
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final Set<String> stale = ConcurrentHashMap.newKeySet();

  Target(URI userinfo) {
    this.userinfo = userinfo;
    Router router = Router.router(vertx);
    router
        .route("/reject-all/*")
        .handler(
            ctx -> {
              record(ctx);
              dialect(ctx, "bearer");
            });
    router
        .route("/dialect/:dialect/*")
        .handler(
            ctx -> {
              String token = record(ctx);
              if (stale.contains(token)) {
                dialect(ctx, ctx.pathParam("dialect"));
              } else {
                validate(ctx, token);
              }
            });
    router.route("/ok/*").handler(ctx -> validate(ctx, record(ctx)));
    // for tokens no userinfo endpoint knows (a client's own, from client credentials)
    router
        .route("/open/*")
        .handler(
            ctx -> {
              record(ctx);
              ctx.response().putHeader("Content-Type", "application/json").end("{\"ok\":true}");
            });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** The token after the scheme of the Authorization header ({@code Bearer x}, {@code OAuth x}). */
  private String record(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    TestSecrets.registerAuthorization("a token the test target received", authorization);
    authorizations.add(authorization == null ? "" : authorization);
    return authorization == null || !authorization.contains(" ")
        ? ""
        : authorization.substring(authorization.indexOf(' ') + 1);
  }

  private void validate(RoutingContext ctx, String token) {
    Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> answer =
        client.getAbs(userinfo.toString()).bearerTokenAuthentication(token).send();
    answer.onComplete(
        result -> {
          if (result.succeeded() && result.result().statusCode() == 200) {
            ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(
                    new JsonObject()
                        .put("ok", true)
                        .put("sub", result.result().bodyAsJsonObject().getString("sub"))
                        .encode());
          } else {
            dialect(ctx, "bearer");
          }
        });
  }

  private static void dialect(RoutingContext ctx, String dialect) {
    switch (dialect) {
      case "salesforce" ->
          ctx.response()
              .setStatusCode(401)
              .putHeader("Content-Type", "application/json")
              .end(
                  "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
      case "wso2" ->
          ctx.response()
              .setStatusCode(401)
              .putHeader("Content-Type", "application/json")
              .end(
                  "{\"message\":\"unauthorized request, please refresh your access token\",\"statusCode\":401,\"error\":\"Unauthorized\"}");
      case "plain" -> ctx.response().setStatusCode(401).end();
      default ->
          ctx.response()
              .setStatusCode(401)
              .putHeader("WWW-Authenticate", "Bearer realm=\"target\", error=\"invalid_token\"")
              .end();
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
