package dev.callgate.app.cluster;

import dev.callgate.adapter.idp.NodeOidcProvider;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A third-party API for the cluster tests, on a real Vert.x server on a free loopback port: every
 * request under {@code /api/} must carry {@code Authorization: Bearer <token>}, which it checks as
 * a resource server does, by RFC 7662 introspection at the identity provider. An active answer is
 * kept until the token's {@code exp}, and the requests that meet a token first share one
 * introspection. Answers: 200 {@code {"ok":true,"sub":…,"path":…}} for an active token, 401 with
 * {@code WWW-Authenticate: Bearer error="invalid_token"} for an inactive or missing one, 503 when
 * the provider cannot tell about a token not yet known.
 */
public final class IntrospectingTarget implements AutoCloseable {

  private static final long INTROSPECTION_TIMEOUT_MS = 5_000;

  /** The part of an introspection answer the target acts on. */
  private record Introspection(boolean active, Optional<String> subject, Instant expiresAt) {

    boolean activeAt(Instant now) {
      return active && now.isBefore(expiresAt);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private final URI introspectionEndpoint;
  private final String clientId;
  private final String clientSecret;
  private final HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger introspections = new AtomicInteger();
  // One entry per token: the introspection under way, or its active answer until the token expires.
  private final Map<String, Future<Introspection>> answers = new ConcurrentHashMap<>();

  /** A target that introspects at {@code provider} as its client {@code resource-server}. */
  public IntrospectingTarget(NodeOidcProvider provider) {
    this(
        provider.introspectionEndpoint(),
        NodeOidcProvider.RESOURCE_SERVER_ID,
        NodeOidcProvider.RESOURCE_SERVER_SECRET);
  }

  public IntrospectingTarget(URI introspectionEndpoint, String clientId, String clientSecret) {
    this.introspectionEndpoint = introspectionEndpoint;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    Router router = Router.router(vertx);
    router.route("/api/*").handler(this::serve);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** The Authorization header of every request under {@code /api/}, in order; empty if none. */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /** How many introspection requests the target has sent to the provider. */
  public int introspections() {
    return introspections.get();
  }

  private void serve(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    authorizations.add(authorization == null ? "" : authorization);
    Optional<String> token = bearerToken(authorization);
    if (token.isEmpty()) {
      invalidToken(ctx);
      return;
    }
    answerFor(token.get())
        .onComplete(
            result -> {
              if (result.failed()) {
                ctx.response()
                    .setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", "introspection_unavailable").encode());
              } else if (result.result().activeAt(Instant.now())) {
                JsonObject body =
                    new JsonObject().put("ok", true).put("path", ctx.request().path());
                result.result().subject().ifPresent(subject -> body.put("sub", subject));
                ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
              } else {
                invalidToken(ctx);
              }
            });
  }

  private static Optional<String> bearerToken(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /**
   * The known answer for {@code token}, the one under way, or a new introspection. The server's
   * requests all run on its one event loop, so looking up and recording need no lock.
   */
  private Future<Introspection> answerFor(String token) {
    Future<Introspection> known = answers.get(token);
    if (known != null
        && (!known.isComplete() || (known.succeeded() && known.result().activeAt(Instant.now())))) {
      return known;
    }
    Future<Introspection> asked = introspect(token);
    answers.put(token, asked);
    // Only an active answer is kept: a failure may pass, and an expired token is asked anew.
    asked.onComplete(
        result -> {
          if (result.failed() || !result.result().active()) {
            answers.remove(token, asked);
          }
        });
    return asked;
  }

  private Future<Introspection> introspect(String token) {
    introspections.incrementAndGet();
    return client
        .postAbs(introspectionEndpoint.toString())
        // RFC 6749 §2.3.1: the client id and secret are form-urlencoded before basic encoding.
        .basicAuthentication(encode(clientId), encode(clientSecret))
        .timeout(INTROSPECTION_TIMEOUT_MS)
        .sendForm(
            MultiMap.caseInsensitiveMultiMap()
                .add("token", token)
                .add("token_type_hint", "access_token"))
        .compose(
            response -> {
              if (response.statusCode() != 200) {
                return Future.failedFuture(
                    new IllegalStateException(
                        "introspection answered " + response.statusCode() + ", not 200"));
              }
              JsonObject answer = response.bodyAsJsonObject();
              boolean active = answer.getBoolean("active", false);
              Instant expiresAt =
                  answer.getLong("exp") == null
                      ? Instant.MAX
                      : Instant.ofEpochSecond(answer.getLong("exp"));
              return Future.succeededFuture(
                  new Introspection(
                      active, Optional.ofNullable(answer.getString("sub")), expiresAt));
            });
  }

  private static void invalidToken(RoutingContext ctx) {
    ctx.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
        .end();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
