package dev.callgate.app.e2e;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.core.testkit.TestSecrets;
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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SOAP API in Salesforce's manner, on a real Vert.x server: a token it does not accept is
 * answered {@code 500} with {@code <faultcode>sf:INVALID_SESSION_ID</faultcode>}, never 401. Under
 * {@code /soap/} it accepts a token that RFC 7662 introspection at the identity provider (asked at
 * every request) calls active and issued no earlier than the time the test sets with {@link
 * #refuseIssuedBefore} (as a target does whose sessions were all ended); under {@code
 * /soap-broken/} it accepts none.
 */
final class SoapTarget implements AutoCloseable {
  static final String INVALID_SESSION_FAULT =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
          + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
          + " xmlns:sf=\"urn:fault.partner.soap.sforce.com\"><soapenv:Body><soapenv:Fault>"
          + "<faultcode>sf:INVALID_SESSION_ID</faultcode>"
          + "<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal"
          + " Session</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>";

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private final URI introspectionEndpoint;
  private final HttpServer server;
  final List<String> tokens = new CopyOnWriteArrayList<>();
  private volatile Instant notBefore = Instant.EPOCH;

  SoapTarget(NodeOidcProvider provider) {
    this.introspectionEndpoint = provider.introspectionEndpoint();
    Router router = Router.router(vertx);
    router.route("/soap/*").handler(this::serve);
    router
        .route("/soap-broken/*")
        .handler(
            ctx -> {
              record(ctx);
              invalidSession(ctx);
            });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  /** Refuses the tokens issued before {@code time} (by their introspected {@code iat}). */
  void refuseIssuedBefore(Instant time) {
    notBefore = time;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  private String record(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    TestSecrets.registerAuthorization("a token the SOAP target received", authorization);
    String token =
        authorization == null || !authorization.startsWith("Bearer ")
            ? ""
            : authorization.substring("Bearer ".length());
    tokens.add(token);
    return token;
  }

  private void serve(RoutingContext ctx) {
    String token = record(ctx);
    client
        .postAbs(introspectionEndpoint.toString())
        .basicAuthentication(
            encode(NodeOidcProvider.RESOURCE_SERVER_ID),
            encode(NodeOidcProvider.RESOURCE_SERVER_SECRET))
        .sendForm(
            MultiMap.caseInsensitiveMultiMap()
                .add("token", token)
                .add("token_type_hint", "access_token"))
        .onComplete(
            answer -> {
              if (answer.succeeded()
                  && answer.result().statusCode() == 200
                  && answer.result().bodyAsJsonObject().getBoolean("active", false)
                  && !Instant.ofEpochSecond(answer.result().bodyAsJsonObject().getLong("iat", 0L))
                      .isBefore(notBefore)) {
                JsonObject introspection = answer.result().bodyAsJsonObject();
                ctx.response()
                    .putHeader("Content-Type", "text/xml; charset=utf-8")
                    .end(
                        "<soapenv:Envelope><soapenv:Body><result><sub>"
                            + introspection.getString("sub")
                            + "</sub></result></soapenv:Body></soapenv:Envelope>");
              } else {
                invalidSession(ctx);
              }
            });
  }

  private static void invalidSession(RoutingContext ctx) {
    ctx.response()
        .setStatusCode(500)
        .putHeader("Content-Type", "text/xml; charset=utf-8")
        .end(INVALID_SESSION_FAULT);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
