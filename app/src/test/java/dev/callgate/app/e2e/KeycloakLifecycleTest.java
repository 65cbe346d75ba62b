package dev.callgate.app.e2e;

import static dev.callgate.app.e2e.CallgateUnderTest.ADMIN_KEY;
import static dev.callgate.app.e2e.CallgateUnderTest.REDIRECT_URI;
import static dev.callgate.app.e2e.CallgateUnderTest.await;
import static dev.callgate.app.e2e.CallgateUnderTest.firstDiagnosis;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.keycloak.Keycloak;
import dev.callgate.app.keycloak.KeycloakLogin;
import dev.callgate.app.keycloak.RealmSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A credential's whole life against Keycloak 26, the identity provider most teams run — a real
 * server, with a realm of its own for each test (access tokens of a minute, sessions that idle out
 * after two, rotating refresh tokens without reuse, events on). Its wordings are not
 * node-oidc-provider's: "Session not active" is said of an idled-out session and of one an
 * administrator ended alike, and a wrong client secret is {@code unauthorized_client}.
 */
class KeycloakLifecycleTest {
  private static Keycloak keycloak;
  private CallgateUnderTest callgate;
  private Target target;
  private String realm;

  @BeforeAll
  static void startKeycloak() {
    keycloak = Keycloak.shared();
  }

  /** A Callgate of its own for each test, so that counts and states are the test's alone. */
  @BeforeEach
  void startCallgateAndRealm() {
    callgate = CallgateUnderTest.start();
    realm(RealmSpec.unique("life"));
  }

  private void realm(RealmSpec spec) {
    if (realm != null) {
      keycloak.admin().deleteRealm(realm);
    }
    keycloak.admin().createRealm(spec);
    realm = spec.name();
    if (target != null) {
      target.close();
    }
    target = new Target(URI.create(issuer() + "/protocol/openid-connect/userinfo"));
  }

  @AfterEach
  void dropRealmAndCallgate() {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
      target = null;
    }
    if (realm != null && keycloak.running()) {
      keycloak.admin().deleteRealm(realm);
    }
    realm = null;
  }

  private String issuer() {
    return keycloak.issuer(realm).toString();
  }

  /** A provider for this test's realm, named after it; {@code secret} may be a wrong one. */
  private String provider(String secret, String... scopes) {
    String name = realm + (scopes.length > 1 ? "-offline" : "");
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", issuer())
            .put("clientId", Keycloak.CLIENT_ID)
            .put("clientSecret", secret)
            .put("scopes", new JsonArray(java.util.List.of(scopes))));
    return name;
  }

  private String onlineProvider() {
    return provider(Keycloak.CLIENT_SECRET, "openid");
  }

  private String offlineProvider() {
    return provider(Keycloak.CLIENT_SECRET, "openid", "offline_access");
  }

  private String credential(String provider, String protocol, String path, JsonObject extras) {
    String name = provider + "-" + Long.toHexString(System.nanoTime());
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + path)
            .put("protocol", protocol)
            .put("provider", provider)
            .mergeIn(extras));
    return name;
  }

  private String authorizationCode(String provider, JsonObject extras) {
    return credential(provider, "oauth2_authorization_code", "/ok", extras);
  }

  /** The flow as a person runs it in {@code browser}: Callgate's URL, Keycloak's login, back. */
  private Answer authorize(
      String credential, Optional<String> user, KeycloakLogin.Browser browser, String username) {
    URI url = callgate.authorizationUrl(ADMIN_KEY, credential, user);
    Map<String, String> redirect =
        browser.follow(url, REDIRECT_URI, username, username + "-password");
    return callgate.callbackWithCookie(
        browser.cookieHeader(callgate.base().resolve("/v1/oauth/callback")), redirect);
  }

  private void authorized(String credential) {
    Answer callback = authorize(credential, Optional.empty(), KeycloakLogin.newBrowser(), "alice");
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
  }

  private Answer refresh(String credential) {
    return callgate.admin("POST", "/v1/credentials/" + credential + "/refresh");
  }

  private Answer callout(String credential) {
    return callgate.admin("GET", "/v1/callout/" + credential + "/accounts");
  }

  // ---- 1. a revocation is not an expiry ----

  @Test
  void adminLogoutWhenTheNextRefreshIsRefusedThenRevokedNotExpired() {
    String crm = authorizationCode(onlineProvider(), new JsonObject());
    authorized(crm);
    keycloak.admin().logout(realm, "alice");

    Answer refresh = refresh(crm);

    // "Session not active" before the refresh token's reported expiry: revoked, not idled out
    assertThat(refresh.status()).as(refresh.body()).isEqualTo(409);
    assertThat(refresh.error()).isEqualTo("REFRESH_TOKEN_REVOKED");
    assertThat(refresh.json().getString("detail"))
        .contains("invalid_grant: Session not active")
        .contains("the identity provider itself said it would last until");
    assertThat(refresh.json().getString("remedy")).doesNotContain("keepAlive");
    // the administrator's action is on Keycloak's record, where the remedy sends people
    assertThat(keycloak.admin().adminEvents(realm))
        .anySatisfy(event -> assertThat(event.getString("resourcePath")).endsWith("/logout"));
  }

  @Test
  void offlineSessionEndedWhenItsLifetimeIsUnknownThenSaysItCannotTellExpiryFromRevocation() {
    String crm = authorizationCode(offlineProvider(), new JsonObject());
    authorized(crm);
    // Keycloak's offline tokens say refresh_expires_in: 0 — a lifetime nobody states
    JsonObject authorized = callgate.status(crm);
    assertThat(authorized.getString("refreshTokenExpirySource")).isEqualTo("assumed");
    assertThat(firstDiagnosis(authorized)).isEqualTo("REFRESH_TOKEN_LIFETIME_ASSUMED");
    String session =
        keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID).get(0).getString("id");
    keycloak.admin().deleteSession(realm, session, true);

    Answer refresh = refresh(crm);

    assertThat(refresh.status()).as(refresh.body()).isEqualTo(409);
    assertThat(refresh.error()).isEqualTo("REFRESH_TOKEN_EXPIRED_OR_REVOKED");
    assertThat(refresh.json().getString("detail"))
        .contains("cannot tell whether it expired or was revoked");
    assertThat(refresh.json().getString("remedy")).contains("LOGOUT").contains("idled out");
  }

  // ---- 2. an outage: a callout follows the provider back ----

  @Test
  void providerRestartWhenACalloutNeedsATokenThenItFollowsTheProviderBackBeforeTheBackoffEnds()
      throws Exception {
    realm(RealmSpec.unique("outage").withAccessTokenLifespan(Duration.ofSeconds(10)));
    String crm = authorizationCode(onlineProvider(), new JsonObject());
    authorized(crm);
    assertThat(callout(crm).status()).isEqualTo(200);

    keycloak.stop();
    Instant until = Instant.now().plusSeconds(25);
    int refused = 0;
    while (Instant.now().isBefore(until)) {
      refused += callout(crm).status() == 503 ? 1 : 0;
      Thread.sleep(500);
    }
    keycloak.start();
    JsonObject failures = callgate.status(crm).getJsonObject("failures");
    // a callout may try again once the last failure is older than a tenth of the outage so far
    // (five seconds at least); a slow restart makes the outage, and so that floor, longer
    Instant firstFailure = Instant.parse(failures.getString("firstAt"));
    Instant lastFailure = Instant.parse(failures.getString("lastAt"));
    Duration floor = Duration.between(firstFailure, lastFailure).dividedBy(10);
    Instant mayProbe =
        lastFailure
            .plus(floor.compareTo(Duration.ofSeconds(5)) > 0 ? floor : Duration.ofSeconds(5))
            .plusSeconds(1);
    Instant nextAttempt = Instant.parse(failures.getString("nextAttemptAt"));
    assertThat(nextAttempt).as("still backing off when the callout comes").isAfter(mayProbe);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), mayProbe).toMillis()));

    Answer after = callout(crm);

    assertThat(refused).isPositive();
    assertThat(after.status()).as(after.body()).isEqualTo(200);
    assertThat(Instant.now()).isBefore(nextAttempt);
  }

  // ---- 3. a fixed client secret heals; 10. counting ----

  @Test
  void wrongClientSecretWhenFixedOnTheProviderThenTheSameGrantsWorkAgainAtOnce() {
    String provider = onlineProvider();
    String crm = authorizationCode(provider, new JsonObject());
    authorized(crm);
    String session = callgate.status(crm).getJsonObject("identity").getString("session");
    keycloak.admin().clientSecret(realm, Keycloak.CLIENT_ID, "rotated-client-secret-0123456789");

    Answer refused = refresh(crm);

    assertThat(refused.status()).as(refused.body()).isEqualTo(502);
    assertThat(refused.error()).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(refused.json().getString("remedy"))
        .contains("PUT /v1/providers/" + provider)
        .contains("The grant is kept");
    assertThat(callgate.status(crm).getString("state")).isEqualTo("CLIENT_REJECTED");
    // the access token is still valid, and still serves
    assertThat(callout(crm).status()).isEqualTo(200);

    String svc = credential(provider, "oauth2_client_credentials", "/open", new JsonObject());
    double requestsBefore = metric("callgate_refreshes_total", "CLIENT_AUTH_FAILED");
    Answer first = callout(svc);
    double requestsAfterFirst = metric("callgate_refreshes_total", "CLIENT_AUTH_FAILED");
    double answersBefore = metric("callgate_refresh_answers_total", "CLIENT_AUTH_FAILED");
    Answer second = callout(svc);

    assertThat(first.error()).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(second.error()).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(callgate.status(svc).getString("state")).isEqualTo("CLIENT_REJECTED");
    assertThat(requestsAfterFirst - requestsBefore).isEqualTo(1);
    assertThat(metric("callgate_refreshes_total", "CLIENT_AUTH_FAILED"))
        .as("the second callout did not ask Keycloak")
        .isEqualTo(requestsAfterFirst);
    assertThat(metric("callgate_refresh_answers_total", "CLIENT_AUTH_FAILED") - answersBefore)
        .isEqualTo(1);

    Answer fixed =
        callgate.admin(
            "PUT",
            "/v1/providers/" + provider,
            new JsonObject()
                .put("issuer", issuer())
                .put("clientId", Keycloak.CLIENT_ID)
                .put("clientSecret", "rotated-client-secret-0123456789")
                .put("scopes", new JsonArray().add("openid")));

    assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
    assertThat(fixed.json().getInteger("rearmedTokens")).isEqualTo(2);
    await(
        "the refused grant refreshed once the provider changed",
        Duration.ofSeconds(15),
        () -> callgate.status(crm).getString("state").equals("ACTIVE"));
    assertThat(callgate.status(crm).getJsonObject("identity").getString("session"))
        .as("the same grant, not a new one")
        .isEqualTo(session);
    assertThat(callout(svc).status()).isEqualTo(200);
  }

  private double metric(String name, String code) {
    double sum = 0;
    Pattern line = Pattern.compile("^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE);
    Matcher matcher = line.matcher(callgate.metrics());
    while (matcher.find()) {
      if (matcher.group(1).contains("code=\"" + code + "\"")) {
        sum += Double.parseDouble(matcher.group(2));
      }
    }
    return sum;
  }

  // ---- 4. grants are revoked at the provider ----

  @Test
  void deleteCredentialWhenItHoldsAnOfflineGrantThenTheOfflineSessionEnds() {
    String crm = authorizationCode(offlineProvider(), new JsonObject());
    authorized(crm);
    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID)).hasSize(1);

    Answer deleted = callgate.admin("DELETE", "/v1/credentials/" + crm);

    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().getInteger("revoked")).isEqualTo(1);
    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID)).isEmpty();
  }

  @Test
  void reauthorizationWhenTheOldGrantIsAnotherSessionThenItIsRevokedAndTheNewOneWorks() {
    String crm = authorizationCode(offlineProvider(), new JsonObject());
    authorized(crm);
    String before = callgate.status(crm).getJsonObject("identity").getString("session");

    authorized(crm);

    String after = callgate.status(crm).getJsonObject("identity").getString("session");
    assertThat(after).isNotEqualTo(before);
    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID))
        .extracting(s -> s.getString("id"))
        .containsExactly(after);
    assertThat(refresh(crm).status()).isEqualTo(200);
  }

  @Test
  void reauthorizationWhenTheSameSessionAuthorizesAgainThenNothingIsRevoked() {
    String crm = authorizationCode(onlineProvider(), new JsonObject());
    KeycloakLogin.Browser browser = KeycloakLogin.newBrowser();
    assertThat(authorize(crm, Optional.empty(), browser, "alice").status()).isEqualTo(200);

    // one SSO session: one grant at Keycloak, whose revocation would end the new one too
    assertThat(authorize(crm, Optional.empty(), browser, "alice").status()).isEqualTo(200);

    assertThat(browser.loginForms()).isEqualTo(1);
    assertThat(refresh(crm).status()).isEqualTo(200);
    assertThat(keycloak.admin().userSessions(realm, "alice")).hasSize(1);
  }

  @Test
  void revokeWhenAskedThenTheTokenIsRevokedAndKeycloaksSessionEnds() {
    String crm = authorizationCode(onlineProvider(), new JsonObject());
    authorized(crm);

    Answer revoked = callgate.admin("POST", "/v1/credentials/" + crm + "/revoke");

    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().getString("state")).isEqualTo("REVOKED");
    assertThat(firstDiagnosis(revoked.json())).isEqualTo("GRANT_REVOKED");
    assertThat(keycloak.admin().userSessions(realm, "alice")).isEmpty();
    assertThat(callout(crm).error()).isEqualTo("GRANT_REVOKED");
  }

  @Test
  void deleteWhenTheProviderHasNoRevocationEndpointThenSaysTheGrantMayLiveOn() {
    String provider = realm + "-endpoints";
    callgate.provider(
        new JsonObject()
            .put("name", provider)
            .put("authorizationEndpoint", issuer() + "/protocol/openid-connect/auth")
            .put("tokenEndpoint", issuer() + "/protocol/openid-connect/token")
            .put("clientId", Keycloak.CLIENT_ID)
            .put("clientSecret", Keycloak.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access")));
    String crm = authorizationCode(provider, new JsonObject());
    authorized(crm);

    Answer deleted = callgate.admin("DELETE", "/v1/credentials/" + crm);

    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().getInteger("revoked")).isZero();
    assertThat(
            deleted
                .json()
                .getJsonArray("grantsThatMayLiveOn")
                .getJsonObject(0)
                .getString("message"))
        .contains("no revocation endpoint")
        .contains("may live on");
    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID)).hasSize(1);
  }

  // ---- 5. status knows what Callgate knows; 6. remedies name the real cause ----

  @Test
  void idleWithoutKeepAliveWhenPastTheReportedExpiryThenPredictedAndTheRemedySaysTurnItOn()
      throws Exception {
    realm(
        RealmSpec.unique("idle")
            .withAccessTokenLifespan(Duration.ofSeconds(10))
            .withSsoSessionIdle(Duration.ofSeconds(20)));
    String provider = onlineProvider();
    String off = authorizationCode(provider, new JsonObject().put("keepAlive", false));
    String on = authorizationCode(provider, new JsonObject().put("keepAlive", true));
    authorized(off);
    authorized(on);
    Instant expiry = Instant.parse(callgate.status(off).getString("refreshTokenExpiresAt"));
    assertThat(callgate.status(off).getString("refreshTokenExpirySource")).isEqualTo("reported");
    Thread.sleep(Duration.between(Instant.now(), expiry.plusSeconds(1)).toMillis());

    JsonObject predicted = callgate.status(off);

    assertThat(predicted.getString("state")).isEqualTo("NEEDS_AUTHORIZATION");
    assertThat(predicted.getBoolean("predicted")).isTrue();
    assertThat(predicted.getString("recordedState")).isEqualTo("ACTIVE");
    JsonObject diagnosis = predicted.getJsonArray("diagnoses").getJsonObject(0);
    assertThat(diagnosis.getString("code")).isEqualTo("REFRESH_TOKEN_EXPIRED");
    assertThat(diagnosis.getBoolean("predicted")).isTrue();
    assertThat(Instant.parse(diagnosis.getString("at"))).isEqualTo(expiry);
    assertThat(diagnosis.getString("message")).contains("keepAlive is off");
    await(
        "the metrics count the predicted expiry",
        Duration.ofSeconds(20),
        () -> callgate.metrics().contains("callgate_tokens_predicted_expired 1.0"));
    assertThat(callgate.metrics()).contains("callgate_tokens{state=\"NEEDS_AUTHORIZATION\"} 1.0");

    Answer refresh = refresh(off);

    assertThat(refresh.error()).isEqualTo("REFRESH_TOKEN_EXPIRED");
    assertThat(refresh.json().getString("detail")).contains("Token is not active");
    assertThat(refresh.json().getString("remedy")).contains("\"keepAlive\": true");
    JsonObject alive = callgate.status(on);
    assertThat(alive.getString("state")).isEqualTo("ACTIVE");
    assertThat(alive.getBoolean("predicted")).isFalse();
    assertThat(alive.encode()).doesNotContain("keepAlive");
  }

  // ---- 7. a failed authorization leaves a trace ----

  @Test
  void failedAuthorizationWhenTheSecretIsWrongThenStatusAndCalloutsSaySo() {
    String crm = authorizationCode(provider("not-the-client-secret", "openid"), new JsonObject());

    Answer callback = authorize(crm, Optional.empty(), KeycloakLogin.newBrowser(), "alice");

    assertThat(callback.status()).isEqualTo(502);
    assertThat(callback.error()).isEqualTo("CLIENT_AUTH_FAILED");
    JsonObject status = callgate.status(crm);
    assertThat(status.getString("state")).isEqualTo("UNAUTHORIZED");
    assertThat(firstDiagnosis(status)).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(callout(crm).error()).isEqualTo("CLIENT_AUTH_FAILED");
  }

  @Test
  void failedAuthorizationWhenTheUserDeclinesConsentThenStatusAndCalloutsSaySo() {
    keycloak
        .admin()
        .updateClient(realm, Keycloak.CLIENT_ID, new JsonObject().put("consentRequired", true));
    String crm = authorizationCode(onlineProvider(), new JsonObject());

    Answer callback =
        authorize(crm, Optional.empty(), KeycloakLogin.newBrowser().decliningConsent(), "alice");

    assertThat(callback.error()).isEqualTo("AUTHORIZATION_DENIED");
    assertThat(callback.body()).contains("access_denied");
    assertThat(firstDiagnosis(callgate.status(crm))).isEqualTo("AUTHORIZATION_DENIED");
    assertThat(callout(crm).error()).isEqualTo("AUTHORIZATION_DENIED");
  }

  // ---- 8. per-user clarity ----

  @Test
  void perUserWhenAnAdminStartsTheFlowForCarolThenTheGrantIsCarolsAndBobCannotReadIt() {
    String mail =
        authorizationCode(
            onlineProvider(),
            new JsonObject()
                .put("principal", "per_user")
                .put("allowedCallers", new JsonArray().add("carol").add("bob")));

    Answer callback = authorize(mail, Optional.of("carol"), KeycloakLogin.newBrowser(), "carol");

    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    assertThat(callback.body())
        .contains("For user &#39;carol&#39;")
        .contains("signed in at the provider as carol (carol@example.com, sub ");
    JsonObject identity = callgate.status(mail, Optional.of("carol")).getJsonObject("identity");
    assertThat(identity.getString("preferredUsername")).isEqualTo("carol");
    assertThat(identity.getString("email")).isEqualTo("carol@example.com");
    assertThat(identity.getString("sub")).isNotBlank();
    String bob = callgate.callerKey("bob");
    Answer snooping = callgate.as(bob, "GET", "/v1/credentials/" + mail + "/status?user=carol");
    assertThat(snooping.status()).isEqualTo(403);
    assertThat(snooping.error()).isEqualTo("FORBIDDEN");
    String carol = callgate.callerKey("carol");
    assertThat(callgate.as(carol, "GET", "/v1/callout/" + mail + "/accounts").status())
        .isEqualTo(200);
  }

  // ---- 9. a provider check when it is typed ----

  @Test
  void providerTestWhenTheSecretIsRightWrongOrTheIssuerMistypedThenSaysSo() {
    String right = onlineProvider();
    String wrong = realm + "-wrong";
    callgate.provider(
        new JsonObject()
            .put("name", wrong)
            .put("issuer", issuer())
            .put("clientId", Keycloak.CLIENT_ID)
            .put("clientSecret", "not-the-client-secret"));
    String typo = realm + "-typo";
    callgate.provider(
        new JsonObject()
            .put("name", typo)
            .put("issuer", issuer() + "x")
            .put("clientId", Keycloak.CLIENT_ID)
            .put("clientSecret", Keycloak.CLIENT_SECRET));

    JsonObject ok = callgate.admin("POST", "/v1/providers/" + right + "/test").json();
    JsonObject refused = callgate.admin("POST", "/v1/providers/" + wrong + "/test").json();
    JsonObject mistyped = callgate.admin("POST", "/v1/providers/" + typo + "/test").json();
    keycloak
        .admin()
        .updateClient(
            realm, Keycloak.CLIENT_ID, new JsonObject().put("serviceAccountsEnabled", false));
    JsonObject probed = callgate.admin("POST", "/v1/providers/" + right + "/test").json();

    assertThat(ok.getBoolean("ok")).as(ok.encode()).isTrue();
    assertThat(ok.getJsonArray("diagnoses")).isEmpty();
    assertThat(refused.getBoolean("ok")).isFalse();
    assertThat(firstDiagnosis(refused)).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(mistyped.getBoolean("ok")).isFalse();
    assertThat(mistyped.getJsonArray("checks").getJsonObject(0).getString("name"))
        .isEqualTo("discovery");
    assertThat(probed.getBoolean("ok")).as(probed.encode()).isTrue();
    assertThat(probed.encode()).contains("made-up refresh token");
  }
}
