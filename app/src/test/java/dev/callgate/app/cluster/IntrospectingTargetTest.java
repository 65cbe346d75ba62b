package dev.callgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.BrowserLogin;
import dev.callgate.adapter.idp.IdentityProviderOptions;
import dev.callgate.adapter.idp.IdentityProviders;
import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The introspecting target against node-oidc-provider, with access tokens the identity-provider
 * adapter obtained through a real login.
 */
class IntrospectingTargetTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");
  private static final Duration SHORT_ACCESS_TOKEN_TTL = Duration.ofSeconds(2);

  private static Vertx vertx;
  private static IdentityProvider idp;
  private static NodeOidcProvider provider;
  private static NodeOidcProvider shortLived;
  private static IntrospectingTarget target;
  private static IntrospectingTarget shortLivedTarget;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp =
        IdentityProviders.create(
            vertx,
            IdentityProviderOptions.defaults()
                .withOutbound(
                    OutboundAddressPolicy.parse("127.0.0.0/8,::1/128")
                        .fold(
                            policy -> policy,
                            problems -> {
                              throw new IllegalStateException(problems.toString());
                            })));
    provider =
        NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(60), Duration.ofSeconds(120));
    shortLived =
        NodeOidcProvider.start(IDP_DIRECTORY, SHORT_ACCESS_TOKEN_TTL, Duration.ofSeconds(120));
    target = new IntrospectingTarget(provider);
    shortLivedTarget = new IntrospectingTarget(shortLived);
  }

  @AfterAll
  static void stop() throws Exception {
    for (IntrospectingTarget each : new IntrospectingTarget[] {target, shortLivedTarget}) {
      if (each != null) {
        each.close();
      }
    }
    for (NodeOidcProvider each : new NodeOidcProvider[] {provider, shortLived}) {
      if (each != null) {
        each.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** A fresh access token for alice, from a login and the adapter's code exchange. */
  private static String accessToken(NodeOidcProvider at) throws Exception {
    AuthProvider client =
        new AuthProvider(
            "idp",
            Optional.of(at.issuer()),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            NodeOidcProvider.CLIENT_ID,
            Optional.of(Secret.of(NodeOidcProvider.CLIENT_SECRET)),
            ClientAuthMethod.CLIENT_SECRET_BASIC,
            List.of(),
            Optional.empty());
    ProviderMetadata metadata =
        idp.discover(client).toCompletableFuture().get(30, TimeUnit.SECONDS);
    BrowserLogin.Authorized authorized =
        BrowserLogin.authorize(
            metadata.authorizationEndpoint().orElseThrow(),
            NodeOidcProvider.CLIENT_ID,
            NodeOidcProvider.REDIRECT_URI,
            "openid",
            Map.of(),
            "alice");
    GrantOutcome outcome =
        idp.exchangeCode(
                client,
                authorized.code(),
                Secret.of(authorized.codeVerifier()),
                NodeOidcProvider.REDIRECT_URI)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    return ((GrantOutcome.Granted) outcome).response().accessToken().reveal();
  }

  private static HttpRequest get(IntrospectingTarget at, String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(at.baseUrl() + path)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static HttpResponse<String> send(
      IntrospectingTarget at, String path, String authorization) throws Exception {
    return http.send(get(at, path, authorization), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void apiWhenTokenIsActiveThenOkWithItsSubjectAndPath() throws Exception {
    String token = accessToken(provider);

    HttpResponse<String> response = send(target, "/api/accounts", "Bearer " + token);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getBoolean("ok")).isTrue();
    assertThat(body.getString("sub")).isEqualTo("alice");
    assertThat(body.getString("path")).isEqualTo("/api/accounts");
    assertThat(target.authorizations()).contains("Bearer " + token);
  }

  @Test
  void apiWhenTokenIsBogusThenUnauthorizedWithInvalidToken() throws Exception {
    HttpResponse<String> response = send(target, "/api/accounts", "Bearer not-a-real-token");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer error=\"invalid_token\"");
    assertThat(target.authorizations()).contains("Bearer not-a-real-token");
  }

  @Test
  void apiWhenNoBearerTokenThenUnauthorizedWithoutAskingTheProvider() throws Exception {
    int before = target.introspections();

    HttpResponse<String> missing = send(target, "/api/accounts", null);
    HttpResponse<String> basic = send(target, "/api/accounts", "Basic YWxpY2U6c2VjcmV0");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer error=\"invalid_token\"");
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(target.introspections()).isEqualTo(before);
  }

  @Test
  void apiWhenFiftyConcurrentRequestsCarryOneNewTokenThenOneIntrospection() throws Exception {
    String token = accessToken(provider);
    int before = target.introspections();

    List<CompletableFuture<HttpResponse<String>>> responses =
        IntStream.range(0, 50)
            .mapToObj(
                i ->
                    http.sendAsync(
                        get(target, "/api/items/" + i, "Bearer " + token),
                        HttpResponse.BodyHandlers.ofString()))
            .toList();
    CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(responses).allSatisfy(r -> assertThat(r.join().statusCode()).isEqualTo(200));
    assertThat(target.introspections() - before).isEqualTo(1);
  }

  @Test
  void apiWhenProviderUnreachableThenUnavailableForANewTokenAndOkForAKnownOne() throws Exception {
    String known = accessToken(provider);
    String fresh = accessToken(provider);
    assertThat(send(target, "/api/accounts", "Bearer " + known).statusCode()).isEqualTo(200);

    provider.outage(Duration.ofMinutes(1));
    HttpResponse<String> forFresh;
    HttpResponse<String> forKnown;
    try {
      forFresh = send(target, "/api/accounts", "Bearer " + fresh);
      forKnown = send(target, "/api/accounts", "Bearer " + known);
    } finally {
      provider.endOutage();
    }
    HttpResponse<String> freshAfter = send(target, "/api/accounts", "Bearer " + fresh);

    assertThat(forFresh.statusCode()).isEqualTo(503);
    assertThat(forKnown.statusCode()).isEqualTo(200);
    assertThat(freshAfter.statusCode()).as("a failed introspection is not kept").isEqualTo(200);
  }

  @Test
  void apiWhenKnownTokenExpiredThenAsksAgainAndRejectsIt() throws Exception {
    String token = accessToken(shortLived);
    HttpResponse<String> fresh = send(shortLivedTarget, "/api/accounts", "Bearer " + token);
    int afterFirst = shortLivedTarget.introspections();

    Thread.sleep(SHORT_ACCESS_TOKEN_TTL.plusMillis(1500).toMillis());
    HttpResponse<String> expired = send(shortLivedTarget, "/api/accounts", "Bearer " + token);

    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(shortLivedTarget.introspections()).isEqualTo(afterFirst + 1);
  }
}
