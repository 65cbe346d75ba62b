package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a credential puts its access token and what a provider adds to its token requests, end to
 * end: Callgate against node-oidc-provider, whose RFC 8707 resource indicators make a token's
 * audience the {@code resource} Callgate sent, and a recording target that shows what arrived.
 */
class TokenPlacementEndToEndTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  /** The one resource the test provider knows (server.mjs). */
  private static final String RESOURCE = "https://api.callgate.test/";

  private static NodeOidcProvider idp;
  private static RecordingTarget target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(60), Duration.ofSeconds(600));
    target = new RecordingTarget();
    callgate = CallgateUnderTest.start();
    JsonObject resource = new JsonObject().put("resource", RESOURCE);
    callgate.provider(
        provider(
                "for-resource", new JsonArray().add("openid").add("offline_access").add("api:read"))
            .put("tokenRequestParameters", resource));
    callgate.provider(
        provider("machine", new JsonArray().add("api:read"))
            .put("tokenRequestParameters", resource));
  }

  @AfterAll
  static void stop() throws Exception {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  private static JsonObject provider(String name, JsonArray scopes) {
    return new JsonObject()
        .put("name", name)
        .put("issuer", idp.issuer().toString())
        .put("clientId", NodeOidcProvider.CLIENT_ID)
        .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
        .put("scopes", scopes)
        .put("refreshTokenLifetime", "PT10M");
  }

  private static void credential(
      String name, String protocol, String provider, JsonObject placement) {
    JsonObject credential =
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl().toString())
            .put("protocol", protocol)
            .put("provider", provider);
    if (placement != null) {
      credential.put("tokenPlacement", placement);
    }
    callgate.credential(credential);
  }

  private static RecordingTarget.Received lastReceived() {
    return target.received.get(target.received.size() - 1);
  }

  private static Optional<String> header(RecordingTarget.Received received, String name) {
    return received.headers().stream()
        .filter(h -> h.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  private static void assertForTheResource(String token) throws Exception {
    JsonObject introspection = idp.introspect(token);
    assertThat(introspection.getBoolean("active")).as(introspection.encode()).isTrue();
    assertThat(String.valueOf(introspection.getValue("aud"))).contains(RESOURCE);
  }

  /** Every log line the tests of this module wrote so far, and what the service printed. */
  private static String logs() throws IOException {
    Path logs = Path.of(System.getProperty("callgate.test-logs", "target/test-logs"));
    StringBuilder all = new StringBuilder(callgate.printedLines());
    if (Files.isDirectory(logs)) {
      try (Stream<Path> files = Files.walk(logs)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          all.append(Files.readString(file, StandardCharsets.ISO_8859_1));
        }
      }
    }
    return all.toString();
  }

  @Test
  void clientCredentialsInACustomHeaderWithPrefixReachTheTargetAsIssuedForTheResource()
      throws Exception {
    credential(
        "header-placed",
        "oauth2_client_credentials",
        "machine",
        new JsonObject().put("in", "header").put("name", "X-Auth-Token").put("prefix", "Token "));

    Answer answer = callgate.admin("GET", "/v1/callout/header-placed/things");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    RecordingTarget.Received received = lastReceived();
    String sent = header(received, "X-Auth-Token").orElseThrow();
    assertThat(sent).startsWith("Token ");
    assertThat(header(received, "Authorization")).isEmpty();
    assertForTheResource(sent.substring("Token ".length()));
    assertThat(idp.stats().tokenRequests("client_credentials")).isPositive();
  }

  @Test
  void aTokenInTheQueryReachesTheTargetByteForByteStaysOutOfTheLogsAndIsCaughtWhenEchoed()
      throws Exception {
    credential(
        "query-placed",
        "oauth2_client_credentials",
        "machine",
        new JsonObject().put("in", "query").put("name", "access_token"));

    Answer answer = callgate.admin("GET", "/v1/callout/query-placed/things?page=2");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    RecordingTarget.Received received = lastReceived();
    assertThat(received.uri()).startsWith("/things?page=2&access_token=");
    String token = received.uri().substring("/things?page=2&access_token=".length());
    assertThat(header(received, "Authorization")).isEmpty();
    assertForTheResource(token);

    Answer echoed = callgate.admin("GET", "/v1/callout/query-placed/echo-uri");

    assertThat(echoed.error()).as(echoed.body()).isEqualTo("SECRET_ECHOED");
    assertThat(echoed.body()).doesNotContain(token);
    assertThat(header(lastReceived(), "Authorization")).isEmpty();
    assertThat(logs()).doesNotContain(token);
  }

  @Test
  void theResourceIsSentOnCodeExchangeAndRefreshSoEveryTokenIsForIt() throws Exception {
    credential("for-resource", "oauth2_authorization_code", "for-resource", null);
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(
                CallgateUnderTest.ADMIN_KEY, "for-resource", Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);

    Answer first = callgate.admin("GET", "/v1/callout/for-resource/me");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    String exchanged = lastReceived().authorization().substring("Bearer ".length());
    assertForTheResource(exchanged);

    Answer refreshed = callgate.admin("POST", "/v1/credentials/for-resource/refresh");
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    Answer second = callgate.admin("GET", "/v1/callout/for-resource/me");
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    String afterRefresh = lastReceived().authorization().substring("Bearer ".length());
    assertThat(afterRefresh).isNotEqualTo(exchanged);
    assertForTheResource(afterRefresh);
    assertThat(idp.stats().tokenRequests("refresh_token")).isPositive();
  }

  @Test
  void aProviderParameterOfTheProtocolItselfIsRefusedWithTheField() {
    Answer refused =
        callgate.admin(
            "POST",
            "/v1/providers",
            provider("overriding", new JsonArray())
                .put("tokenRequestParameters", new JsonObject().put("grant_type", "password")));

    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.body()).contains("tokenRequestParameters", "grant_type");
  }

  @Test
  void aPlacementInAHopByHopHeaderIsRefusedWithTheField() {
    Answer refused =
        callgate.admin(
            "POST",
            "/v1/credentials",
            new JsonObject()
                .put("name", "hop")
                .put("url", target.baseUrl().toString())
                .put("protocol", "oauth2_client_credentials")
                .put("provider", "machine")
                .put(
                    "tokenPlacement",
                    new JsonObject().put("in", "header").put("name", "Connection")));

    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
    assertThat(refused.body()).contains("tokenPlacement", "hop-by-hop");
  }
}
