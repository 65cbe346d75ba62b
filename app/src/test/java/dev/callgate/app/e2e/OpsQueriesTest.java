package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsQueriesTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(60), Duration.ofSeconds(600));
    target = new Target(URI.create(idp.issuer() + "/me"));
    callgate = CallgateUnderTest.start();
    callgate.provider(
        new JsonObject()
            .put("name", "idp")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access"))
            .put("refreshTokenLifetime", "PT600S"));
    callgate.credential(
        new JsonObject()
            .put("name", "crm")
            .put("url", target.baseUrl() + "/ok")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp"));
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, "crm", Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
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

  @Test
  void dump() throws Exception {
    Answer refreshed = callgate.admin("POST", "/v1/credentials/crm/refresh");
    System.out.println("REFRESH " + refreshed.status() + " " + refreshed.body());
    Answer called = callgate.admin("GET", "/v1/callout/crm/accounts");
    System.out.println("CALLOUT " + called.status());
    Thread.sleep(16_000);
    Files.writeString(Path.of("target", "scrape.txt"), callgate.metrics());
  }
}
