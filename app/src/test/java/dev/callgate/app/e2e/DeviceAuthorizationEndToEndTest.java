package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.DeviceLogin;
import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device authorization grant (RFC 8628) as a person on a headless host uses it: Callgate asks
 * node-oidc-provider for the codes, the person approves (or aborts) at the provider's device pages
 * on another device, and Callgate, polling by itself, stores the grant — across a restart too.
 */
class DeviceAuthorizationEndToEndTest {
  private static final Duration POLLING = Duration.ofSeconds(30);

  private static NodeOidcStack stack;
  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    stack = NodeOidcStack.start(Duration.ofSeconds(60), Duration.ofSeconds(600));
    idp = stack.idp();
    target = stack.target();
    callgate = stack.callgate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private static void credential(String name, String provider) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + "/ok")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", provider));
  }

  private static Answer startDevice(String credential) {
    return callgate.admin(
        "POST",
        "/v1/credentials/" + credential + "/authorizations",
        new JsonObject().put("flow", "device"));
  }

  private static JsonObject started(String credential) {
    Answer started = startDevice(credential);
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    return started.json();
  }

  private static void awaitState(String credential, String state) {
    CallgateUnderTest.await(
        credential + " " + state,
        POLLING,
        () -> callgate.status(credential).getString("state").equals(state));
  }

  private static List<String> eventTypes(String credential) {
    JsonArray events =
        callgate.admin("GET", "/v1/events?credential=" + credential).json().getJsonArray("events");
    return events.stream().map(e -> ((JsonObject) e).getString("type")).toList();
  }

  @Test
  void deviceAuthorizationWhenTheUserApprovesOnAnotherDeviceThenCredentialIsActiveAndCallsOut()
      throws Exception {
    credential("device", "idp");

    JsonObject started = started("device");

    assertThat(started.getString("flow")).isEqualTo("device");
    assertThat(started.getString("userCode")).isNotBlank();
    assertThat(started.getString("verificationUri")).isEqualTo(idp.issuer() + "/device");
    assertThat(started.getString("verificationUriComplete"))
        .startsWith(idp.issuer() + "/device?user_code=");
    assertThat(Instant.parse(started.getString("expiresAt"))).isAfter(Instant.now());
    // node-oidc-provider sends no interval: RFC 8628's 5 seconds
    assertThat(started.getInteger("interval")).isEqualTo(5);
    assertThat(started.encode()).doesNotContain("device_code", "deviceCode");
    JsonObject pending = callgate.status("device");
    assertThat(pending.getString("state")).isEqualTo("UNAUTHORIZED");
    assertThat(pending.getJsonObject("deviceAuthorization").getString("userCode"))
        .isEqualTo(started.getString("userCode"));
    assertThat(pending.getJsonObject("deviceAuthorization").getString("expiresAt"))
        .isEqualTo(started.getString("expiresAt"));

    DeviceLogin.approve(URI.create(started.getString("verificationUriComplete")), "alice");

    awaitState("device", "ACTIVE");
    JsonObject active = callgate.status("device");
    assertThat(active.getBoolean("hasRefreshToken")).isTrue();
    assertThat(active.containsKey("deviceAuthorization")).isFalse();
    assertThat(active.getJsonObject("identity").getString("sub")).isEqualTo("alice");
    Answer callout = callgate.admin("GET", "/v1/callout/device/accounts");
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
    assertThat(callout.json().getString("sub")).isEqualTo("alice");
    assertThat(eventTypes("device")).contains("authorization.started", "authorization.completed");
  }

  @Test
  void deviceAuthorizationWhenTheUserAbortsThenDeniedIsDiagnosed() throws Exception {
    credential("device-denied", "idp");
    JsonObject started = started("device-denied");

    DeviceLogin.deny(URI.create(started.getString("verificationUriComplete")));

    CallgateUnderTest.await(
        "the denial diagnosed",
        POLLING,
        () ->
            CallgateUnderTest.firstDiagnosis(callgate.status("device-denied"))
                .equals("DEVICE_AUTHORIZATION_DENIED"));
    JsonObject status = callgate.status("device-denied");
    assertThat(status.getString("state")).isEqualTo("UNAUTHORIZED");
    assertThat(status.containsKey("deviceAuthorization")).isFalse();
    assertThat(status.getJsonArray("diagnoses").getJsonObject(0).getString("remedy"))
        .contains("/v1/credentials/device-denied/authorizations", "\"flow\":\"device\"");
    assertThat(eventTypes("device-denied")).contains("authorization.failed");
  }

  @Test
  void deviceAuthorizationWhenCallgateRestartsWhilePendingThenPollingResumes() throws Exception {
    credential("device-restart", "idp");
    JsonObject started = started("device-restart");

    callgate.restart();
    DeviceLogin.approve(URI.create(started.getString("verificationUriComplete")), "bob");

    awaitState("device-restart", "ACTIVE");
    assertThat(callgate.status("device-restart").getJsonObject("identity").getString("sub"))
        .isEqualTo("bob");
  }

  @Test
  void deviceAuthorizationWhenStartedAgainThenTheNewOneReplacesTheOld() throws Exception {
    credential("device-again", "idp");
    JsonObject first = started("device-again");
    JsonObject second = started("device-again");

    assertThat(second.getString("userCode")).isNotEqualTo(first.getString("userCode"));
    assertThat(
            callgate
                .status("device-again")
                .getJsonObject("deviceAuthorization")
                .getString("userCode"))
        .isEqualTo(second.getString("userCode"));
    // approving the first code grants nothing to Callgate: it no longer polls for it
    DeviceLogin.approve(URI.create(first.getString("verificationUriComplete")), "alice");
    DeviceLogin.approve(URI.create(second.getString("verificationUriComplete")), "carol");
    awaitState("device-again", "ACTIVE");
    assertThat(callgate.status("device-again").getJsonObject("identity").getString("sub"))
        .isEqualTo("carol");
  }

  @Test
  void deviceAuthorizationWhenTheProviderHasNoDeviceEndpointThenRefusedWithARemedy() {
    JsonObject explicit =
        new JsonObject()
            .put("authorizationEndpoint", idp.issuer() + "/auth")
            .put("tokenEndpoint", idp.issuer() + "/token")
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access"));
    callgate.provider(explicit.copy().put("name", "no-device"));
    credential("device-unsupported", "no-device");

    Answer refused = startDevice("device-unsupported");

    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("DEVICE_AUTHORIZATION_NOT_SUPPORTED");
    assertThat(refused.json().getString("remedy"))
        .contains("deviceAuthorizationEndpoint", "PUT /v1/providers/no-device");

    callgate.provider(
        explicit
            .copy()
            .put("name", "explicit-device")
            .put("deviceAuthorizationEndpoint", idp.issuer() + "/device/auth"));
    credential("device-explicit", "explicit-device");
    assertThat(started("device-explicit").getString("userCode")).isNotBlank();
    Answer browser =
        callgate.send(
            Optional.of(CallgateUnderTest.ADMIN_KEY),
            "POST",
            "/v1/credentials/device-explicit/authorizations",
            new JsonObject().put("flow", "browser"));
    assertThat(browser.status()).as(browser.body()).isEqualTo(201);
    assertThat(browser.json().getString("authorizationUrl")).isNotBlank();
  }

  @Test
  void deviceAuthorizationWhenTheClientMayNotUseTheDeviceGrantThenGrantTypeNotAllowed() {
    callgate.provider(
        new JsonObject()
            .put("name", "no-device-grant")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_WITHOUT_DEVICE_GRANT)
            .put("clientSecret", NodeOidcProvider.CLIENT_WITHOUT_DEVICE_GRANT_SECRET)
            .put("scopes", new JsonArray().add("openid")));
    credential("device-not-allowed", "no-device-grant");

    Answer refused = startDevice("device-not-allowed");

    assertThat(refused.status()).as(refused.body()).isEqualTo(502);
    assertThat(refused.error()).isEqualTo("GRANT_TYPE_NOT_ALLOWED");
    assertThat(refused.json().getString("detail"))
        .contains("urn:ietf:params:oauth:grant-type:device_code");
  }
}
