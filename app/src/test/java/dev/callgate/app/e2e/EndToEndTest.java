package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Callgate as a person runs it (the jar's wiring, the embedded store, its HTTP API) against a real
 * OpenID Connect provider (node-oidc-provider: access tokens of 5 s, refresh tokens of 20 s that
 * rotate) and a real target API that checks every token with the provider.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(5), Duration.ofSeconds(20));
    target = new Target(URI.create(idp.issuer() + "/me"));
    callgate = CallgateUnderTest.start();
    provider("idp", new JsonArray().add("openid").add("offline_access"));
    provider("idp-online", new JsonArray().add("openid"));
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

  private static Answer call(String method, String path) {
    return callgate.admin(method, path);
  }

  private static void provider(String name, JsonArray scopes) {
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", scopes)
            // node-oidc-provider does not report refresh-token lifetimes: say it, as for WSO2
            .put("refreshTokenLifetime", "PT20S"));
  }

  private static void credential(String name, String provider, String path, JsonObject extras) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + path)
            .put("protocol", "oauth2_authorization_code")
            .put("provider", provider)
            .mergeIn(extras));
  }

  /** The authorization flow as a person does it: open the URL, log in, consent, come back. */
  private static void authorize(String credential) throws Exception {
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, credential, Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
  }

  private static JsonObject status(String credential) {
    return callgate.status(credential);
  }

  @Test
  @Order(1)
  void refreshTokenThatNobodyUsesStaysAliveWithKeepAliveAndIdlesOutWithout() throws Exception {
    credential("alive", "idp", "/ok", new JsonObject().put("keepAlive", true));
    credential("idle", "idp", "/ok", new JsonObject().put("keepAlive", false));
    authorize("alive");
    authorize("idle");

    Thread.sleep(60_000);

    Answer alive = call("GET", "/v1/callout/alive/accounts");
    assertThat(alive.status()).as(alive.body()).isEqualTo(200);
    assertThat(alive.json().getString("sub")).isEqualTo("alice");
    Answer idle = call("GET", "/v1/callout/idle/accounts");
    assertThat(idle.status()).as(idle.body()).isEqualTo(409);
    assertThat(idle.error()).isEqualTo("REFRESH_TOKEN_EXPIRED");
    JsonObject idleStatus = status("idle");
    assertThat(idleStatus.getString("state")).isEqualTo("NEEDS_AUTHORIZATION");
    JsonObject diagnosis = idleStatus.getJsonArray("diagnoses").getJsonObject(0);
    assertThat(diagnosis.getString("code")).isEqualTo("REFRESH_TOKEN_EXPIRED");
    assertThat(diagnosis.getString("message")).contains("last used at", "20s");
    assertThat(diagnosis.getString("remedy")).contains("/v1/credentials/idle/authorizations");
  }

  @Test
  @Order(2)
  void authorizationWithoutOfflineAccessSaysWhichScopeIsMissing() throws Exception {
    credential("online", "idp-online", "/ok", new JsonObject());

    authorize("online");

    JsonObject status = status("online");
    assertThat(status.getBoolean("hasRefreshToken")).isFalse();
    JsonObject diagnosis = status.getJsonArray("diagnoses").getJsonObject(0);
    assertThat(diagnosis.getString("code")).isEqualTo("NO_REFRESH_TOKEN_ISSUED");
    assertThat(diagnosis.getString("remedy")).contains("offline_access");
  }

  @Test
  @Order(3)
  void callersOwnAuthorizationHeaderIsRefusedWhileGeneratedAndMergedWhenAllowed() throws Exception {
    credential("generated", "idp", "/ok", new JsonObject());
    credential(
        "merged",
        "idp",
        "/ok",
        new JsonObject()
            .put("generateAuthorizationHeader", false)
            .put("allowMergeFieldsInHeaders", true));
    authorize("generated");
    authorize("merged");
    Map<String, String> own =
        Map.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}");
    int before = target.authorizations.size();

    Answer conflict = callgate.admin("GET", "/v1/callout/generated/accounts", own);
    Answer merged = callgate.admin("GET", "/v1/callout/merged/accounts", own);

    assertThat(conflict.status()).isEqualTo(400);
    assertThat(conflict.error()).isEqualTo("AUTHORIZATION_HEADER_CONFLICT");
    assertThat(merged.status()).as(merged.body()).isEqualTo(200);
    assertThat(target.authorizations.subList(before, target.authorizations.size()))
        .singleElement()
        .satisfies(header -> assertThat(header).startsWith("OAuth ").doesNotContain("{!"));
  }

  @Test
  @Order(4)
  void targetsExpiredTokenAnswerInEachDialectBringsOneRefreshAndOneRetry() throws Exception {
    for (String dialect : new String[] {"bearer", "salesforce", "wso2", "plain"}) {
      String name = "dialect-" + dialect;
      credential(name, "idp", "/dialect/" + dialect, new JsonObject());
      authorize(name);
      assertThat(call("GET", "/v1/callout/" + name + "/x").status()).isEqualTo(200);
      String used = target.authorizations.get(target.authorizations.size() - 1);
      target.stale.add(used.substring("Bearer ".length()));
      int before = target.authorizations.size();

      Answer answer = call("GET", "/v1/callout/" + name + "/x");

      assertThat(answer.status()).as(dialect + ": " + answer.body()).isEqualTo(200);
      assertThat(target.authorizations.subList(before, target.authorizations.size()))
          .as(dialect)
          .hasSize(2)
          .doesNotHaveDuplicates();
    }
  }

  @Test
  @Order(5)
  void targetThatRejectsEvenAFreshTokenIsReportedWithoutALoop() throws Exception {
    credential("rejected", "idp", "/reject-all", new JsonObject());
    authorize("rejected");
    int before = target.authorizations.size();

    Answer answer = call("GET", "/v1/callout/rejected/x");

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.error()).isEqualTo("TOKEN_REJECTED_AFTER_REFRESH");
    assertThat(target.authorizations.size() - before).isEqualTo(2);
  }

  @Test
  @Order(6)
  void restartKeepsTokensWithoutANewAuthorization() throws Exception {
    assertThat(call("GET", "/v1/callout/generated/accounts").status()).isEqualTo(200);

    callgate.restart();

    Answer answer = call("GET", "/v1/callout/generated/accounts");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(status("generated").getString("state")).isIn("ACTIVE", "EXPIRING", "REFRESHING");
  }
}
