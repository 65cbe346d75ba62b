package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where Callgate, as it runs, will send things: no callout to a metadata address whatever the
 * allow-list says, no provider endpoint a discovery document names against the rules, and the
 * endpoints in use shown on the provider.
 */
class OutboundPolicyTest {

  private static Vertx vertx;
  private static HttpServer fakeProvider;
  private static String base;
  private static final Map<String, JsonObject> documents = new ConcurrentHashMap<>();
  private static final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fakeProvider =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  String[] segments = request.path().split("/");
                  if (request.path().endsWith("/.well-known/openid-configuration")
                      && segments.length > 1
                      && documents.containsKey(segments[1])) {
                    request
                        .response()
                        .putHeader("Content-Type", "application/json")
                        .end(documents.get(segments[1]).encode());
                  } else {
                    tokenRequests.add(request.path() + " " + request.getHeader("Authorization"));
                    request.response().setStatusCode(400).end("{\"error\":\"invalid_grant\"}");
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    base = "http://127.0.0.1:" + fakeProvider.actualPort();
    callgate = CallgateUnderTest.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (callgate != null) {
      callgate.close();
    }
    vertx.close().await();
  }

  private static String issuer(String name, String tokenEndpoint) {
    String issuer = base + "/" + name;
    documents.put(
        name,
        new JsonObject()
            .put("issuer", issuer)
            .put("authorization_endpoint", issuer + "/authorize")
            .put("token_endpoint", tokenEndpoint));
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", issuer)
            .put("clientId", "callgate")
            .put("clientSecret", "provider-secret-" + name));
    return issuer;
  }

  @Test
  void
      calloutWhenCredentialNamesTheMetadataAddressThenRefusedWithItsDiagnosisEvenThoughLoopbackIsAllowed() {
    callgate.credential(
        new JsonObject()
            .put("name", "metadata")
            .put("url", "http://169.254.169.254/latest")
            .put("protocol", "basic")
            .put("username", "u")
            .put("password", "p"));

    Answer answer = callgate.admin("GET", "/v1/callout/metadata/meta-data/");

    assertThat(answer.status()).isEqualTo(502);
    assertThat(answer.error()).isEqualTo("OUTBOUND_ADDRESS_REFUSED");
    assertThat(answer.json().getString("detail")).contains("169.254.169.254", "link-local");
  }

  @Test
  void getProviderWhenDiscoveryIsValidThenShowsTheDiscoveredEndpoints() {
    String issuer = issuer("good", base + "/good/token");

    Answer answer = callgate.admin("GET", "/v1/providers/good");

    assertThat(answer.status()).isEqualTo(200);
    JsonObject discovered = answer.json().getJsonObject("discovered");
    assertThat(discovered.getString("issuer")).isEqualTo(issuer);
    assertThat(discovered.getString("tokenEndpoint")).isEqualTo(base + "/good/token");
    assertThat(discovered.getString("authorizationEndpoint")).isEqualTo(issuer + "/authorize");
  }

  @Test
  void providerWhenDocumentNamesAPlainHttpEndpointElsewhereThenMetadataInvalidAndNoSecretSent() {
    issuer("stealing", "http://collector.example/token");

    Answer read = callgate.admin("GET", "/v1/providers/stealing");
    Answer test = callgate.admin("POST", "/v1/providers/stealing/test");

    assertThat(read.status()).isEqualTo(200);
    JsonObject problem = read.json().getJsonObject("discoveryProblem");
    assertThat(problem.getString("code")).isEqualTo("PROVIDER_METADATA_INVALID");
    assertThat(problem.getString("message"))
        .contains("token_endpoint", "http://collector.example/token", "https");
    assertThat(test.json().getBoolean("ok")).isFalse();
    assertThat(test.json().getJsonArray("diagnoses").getJsonObject(0).getString("code"))
        .isEqualTo("PROVIDER_METADATA_INVALID");
    assertThat(tokenRequests).isEmpty();
  }

  @Test
  void saveProviderWhenTokenEndpointIsPlainHttpElsewhereThenInvalidUrlNamingTheSetting() {
    Answer answer =
        callgate.admin(
            "POST",
            "/v1/providers",
            new JsonObject()
                .put("name", "plain")
                .put("tokenEndpoint", "http://idp.example.com/token")
                .put("clientId", "callgate")
                .put("clientSecret", "s"));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error()).isEqualTo("INVALID_URL");
    assertThat(answer.body()).contains("CALLGATE_PROVIDER_ALLOW_HTTP");
  }
}
