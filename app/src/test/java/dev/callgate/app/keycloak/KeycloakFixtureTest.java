package dev.callgate.app.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.app.keycloak.KeycloakLogin.Browser;
import dev.callgate.app.keycloak.TokenEndpoint.Answer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Keycloak fixture against the real server: it boots, the imported realm lets a person log in
 * and a confidential client exchange and refresh, and the admin API ends sessions and changes
 * secrets. The assertions also pin down Keycloak's own answers (errors and their descriptions,
 * lifetimes, which revocation ends which authorization) that Callgate's diagnoses rely on.
 */
class KeycloakFixtureTest {

  private static final URI REDIRECT = URI.create("http://127.0.0.1:49152/v1/oauth/callback");
  private static final String OFFLINE = "openid offline_access";
  private static final String ONLINE = "openid";

  private static Keycloak keycloak;

  private final List<String> realms = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void boot() {
    keycloak = Keycloak.shared();
  }

  @AfterEach
  void dropRealms() {
    realms.forEach(realm -> keycloak.admin().deleteRealm(realm));
  }

  /**
   * An {@code expires_in} of {@code seconds}: Keycloak counts it from the moment it answers to an
   * expiry it set when it issued the token, so a second boundary crossed in between makes it one
   * less.
   */
  private static void assertLifetime(long expiresIn, long seconds) {
    assertThat(expiresIn).isBetween(seconds - 1, seconds);
  }

  @Test
  void discoveryWhenReachedThroughLoopbackThenIssuerIsThatUrl() throws Exception {
    JsonObject discovery =
        new JsonObject(get(keycloak.issuer(Keycloak.REALM) + "/.well-known/openid-configuration"));

    assertThat(discovery.getString("issuer")).isEqualTo(keycloak.issuer(Keycloak.REALM).toString());
    assertThat(discovery.getString("token_endpoint"))
        .isEqualTo(keycloak.issuer(Keycloak.REALM) + "/protocol/openid-connect/token");
    assertThat(discovery.getString("revocation_endpoint"))
        .isEqualTo(keycloak.issuer(Keycloak.REALM) + "/protocol/openid-connect/revoke");
  }

  @Test
  void loginWhenUserExistsThenRedirectsWithCode() {
    URI url = authorizationUrl(Keycloak.REALM, ONLINE, Map.of("state", "state-1"));

    Map<String, String> redirect = KeycloakLogin.follow(url, REDIRECT, "alice", "alice-password");

    assertThat(redirect).containsKey("code").containsEntry("state", "state-1");
    assertThat(redirect.get("iss")).isEqualTo(keycloak.issuer(Keycloak.REALM).toString());
  }

  @Test
  void loginWhenPasswordWrongThenBrowserReportsKeycloaksMessage() {
    URI url = authorizationUrl(Keycloak.REALM, ONLINE, Map.of());

    assertThatThrownBy(() -> KeycloakLogin.follow(url, REDIRECT, "alice", "not-her-password"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("refused the login of alice")
        .hasMessageContaining("Invalid username or password");
  }

  @Test
  void loginWhenClientRequiresConsentThenBrowserAcceptsItOnceUnlessPromptAsksAgain() {
    String realm = realm(RealmSpec.unique("consent"));
    keycloak
        .admin()
        .updateClient(realm, Keycloak.CLIENT_ID, new JsonObject().put("consentRequired", true));
    Browser browser = KeycloakLogin.newBrowser();

    authorize(realm, "alice", OFFLINE, browser, Map.of());
    assertThat(browser.consentPages()).isEqualTo(1);
    authorize(realm, "alice", ONLINE, browser, Map.of());
    assertThat(browser.consentPages()).isEqualTo(1);
    authorize(realm, "alice", ONLINE, browser, Map.of("prompt", "consent"));

    assertThat(browser.consentPages()).isEqualTo(2);
  }

  @Test
  void codeExchangeWhenOfflineAccessWithConsentPromptThenOfflineRefreshTokenWithoutExpiry() {
    Browser browser = KeycloakLogin.newBrowser();

    Answer tokens =
        authorize(Keycloak.REALM, "alice", OFFLINE, browser, Map.of("prompt", "consent"));

    // the client does not require consent, so prompt=consent shows no page either
    assertThat(browser.consentPages()).isZero();
    assertThat(tokens.accessToken()).isNotBlank();
    assertThat(tokens.body().getString("scope")).contains("offline_access");
    assertThat(tokens.refreshExpiresIn()).isZero();
    JsonObject refresh = TokenEndpoint.claims(tokens.refreshToken());
    assertThat(refresh.getString("typ")).isEqualTo("Offline");
    assertThat(refresh.containsKey("exp")).isFalse();
    assertThat(refresh.getString("sid")).isNotBlank();
    JsonObject id = TokenEndpoint.claims(tokens.idToken());
    assertThat(id.getString("preferred_username")).isEqualTo("alice");
    assertThat(id.getString("email")).isEqualTo("alice@example.com");
    assertThat(id.getString("sub")).isEqualTo(refresh.getString("sub"));
    assertThat(id.getString("sid")).isEqualTo(refresh.getString("sid"));
  }

  @Test
  void codeExchangeWhenOnlineThenRefreshTokenLivesAsLongAsSsoSessionIdle() {
    Answer tokens = authorize(Keycloak.REALM, "bob", ONLINE, KeycloakLogin.newBrowser(), Map.of());

    assertLifetime(tokens.body().getInteger("expires_in"), 60);
    assertLifetime(tokens.refreshExpiresIn(), 120);
    JsonObject refresh = TokenEndpoint.claims(tokens.refreshToken());
    assertThat(refresh.getString("typ")).isEqualTo("Refresh");
    assertThat(refresh.getLong("exp") - refresh.getLong("iat")).isEqualTo(120);
    Answer refreshed = keycloak.tokenEndpoint(Keycloak.REALM).refresh(tokens.refreshToken());
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.refreshToken()).isNotEqualTo(tokens.refreshToken());
  }

  @Test
  void adminLogoutWhenOnlineThenRefreshFailsSessionNotActive() {
    String realm = realm(RealmSpec.unique("logout"));
    Answer tokens = authorize(realm, "alice", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    assertThat(keycloak.admin().userSessions(realm, "alice")).hasSize(1);

    keycloak.admin().logout(realm, "alice");

    assertThat(keycloak.admin().userSessions(realm, "alice")).isEmpty();
    Answer refreshed = keycloak.tokenEndpoint(realm).refresh(tokens.refreshToken());
    assertThat(refreshed.status()).isEqualTo(400);
    assertThat(refreshed.error()).isEqualTo("invalid_grant");
    assertThat(refreshed.errorDescription()).isEqualTo("Session not active");
  }

  @Test
  void adminLogoutWhenOfflineThenSessionStaysButItsRefreshTokenIsStale() {
    String realm = realm(RealmSpec.unique("logout-offline"));
    Answer tokens = authorize(realm, "alice", OFFLINE, KeycloakLogin.newBrowser(), Map.of());
    // the logout makes tokens issued before its second stale, not those of the same second
    awaitSecondAfter(TokenEndpoint.claims(tokens.refreshToken()).getLong("iat"));

    keycloak.admin().logout(realm, "alice");

    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID)).hasSize(1);
    Answer refreshed = keycloak.tokenEndpoint(realm).refresh(tokens.refreshToken());
    assertThat(refreshed.status()).isEqualTo(400);
    assertThat(refreshed.error()).isEqualTo("invalid_grant");
    assertThat(refreshed.errorDescription()).isEqualTo("Stale token");
  }

  @Test
  void offlineSessionWhenDeletedOrConsentRevokedThenRefreshFailsSessionNotFound() {
    Answer first =
        authorize(Keycloak.REALM, "carol", OFFLINE, KeycloakLogin.newBrowser(), Map.of());
    String sid = TokenEndpoint.claims(first.refreshToken()).getString("sid");

    keycloak.admin().deleteSession(Keycloak.REALM, sid, true);

    Answer refreshed = keycloak.tokenEndpoint(Keycloak.REALM).refresh(first.refreshToken());
    assertThat(refreshed.status()).isEqualTo(400);
    assertThat(refreshed.error()).isEqualTo("invalid_grant");
    assertThat(refreshed.errorDescription()).isEqualTo("Offline user session not found");

    Answer second =
        authorize(Keycloak.REALM, "carol", OFFLINE, KeycloakLogin.newBrowser(), Map.of());
    keycloak.admin().revokeConsent(Keycloak.REALM, "carol", Keycloak.CLIENT_ID);

    assertThat(keycloak.admin().offlineSessions(Keycloak.REALM, "carol", Keycloak.CLIENT_ID))
        .isEmpty();
    assertThat(
            keycloak
                .tokenEndpoint(Keycloak.REALM)
                .refresh(second.refreshToken())
                .errorDescription())
        .isEqualTo("Offline user session not found");
  }

  @Test
  void refreshWhenRotatedTokenIsUsedAgainThenInvalidGrantAndTheNewerTokenDiesToo() {
    TokenEndpoint endpoint = keycloak.tokenEndpoint(Keycloak.REALM);
    Answer tokens = authorize(Keycloak.REALM, "bob", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    Answer rotated = endpoint.refresh(tokens.refreshToken());
    assertThat(rotated.status()).isEqualTo(200);

    Answer reused = endpoint.refresh(tokens.refreshToken());

    assertThat(reused.status()).isEqualTo(400);
    assertThat(reused.error()).isEqualTo("invalid_grant");
    assertThat(reused.errorDescription()).isEqualTo("Maximum allowed refresh token reuse exceeded");
    Answer newer = endpoint.refresh(rotated.refreshToken());
    assertThat(newer.status()).isEqualTo(400);
    assertThat(newer.errorDescription()).isEqualTo("Session doesn't have required client");
  }

  @Test
  void refreshWhenClientSecretWrongThenUnauthorizedClient() {
    Answer tokens =
        authorize(Keycloak.REALM, "carol", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    TokenEndpoint wrongSecret =
        new TokenEndpoint(keycloak.issuer(Keycloak.REALM), Keycloak.CLIENT_ID, "not-the-secret");

    Answer refreshed = wrongSecret.refresh(tokens.refreshToken());

    // a known client with a wrong secret is unauthorized_client; an unknown one invalid_client
    assertThat(refreshed.status()).isEqualTo(401);
    assertThat(refreshed.error()).isEqualTo("unauthorized_client");
    assertThat(refreshed.errorDescription())
        .isEqualTo("Invalid client or Invalid client credentials");
    Answer unknown =
        new TokenEndpoint(keycloak.issuer(Keycloak.REALM), "no-such-client", "x")
            .refresh(tokens.refreshToken());
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.error()).isEqualTo("invalid_client");
    assertThat(unknown.errorDescription())
        .isEqualTo("Invalid client or Invalid client credentials");
    // the refused attempt did not spend the refresh token
    assertThat(keycloak.tokenEndpoint(Keycloak.REALM).refresh(tokens.refreshToken()).status())
        .isEqualTo(200);
  }

  @Test
  void codeExchangeWhenClientSecretWrongThenUnauthorizedClientAndCodeStillUsable() {
    Map<String, String> redirect =
        KeycloakLogin.follow(
            authorizationUrl(Keycloak.REALM, ONLINE, Map.of()), REDIRECT, "bob", "bob-password");
    TokenEndpoint wrongSecret =
        new TokenEndpoint(keycloak.issuer(Keycloak.REALM), Keycloak.CLIENT_ID, "not-the-secret");

    Answer refused = wrongSecret.exchange(redirect.get("code"), REDIRECT);

    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.error()).isEqualTo("unauthorized_client");
    assertThat(refused.errorDescription())
        .isEqualTo("Invalid client or Invalid client credentials");
    assertThat(
            keycloak
                .tokenEndpoint(Keycloak.REALM)
                .exchange(redirect.get("code"), REDIRECT)
                .status())
        .isEqualTo(200);
  }

  @Test
  void clientSecretWhenChangedThenOnlyTheNewSecretAuthenticates() {
    String realm = realm(RealmSpec.unique("secret"));

    keycloak.admin().clientSecret(realm, Keycloak.CLIENT_ID, "rotated-secret");

    assertThat(keycloak.admin().client(realm, Keycloak.CLIENT_ID).getString("secret"))
        .isEqualTo("rotated-secret");
    assertThat(keycloak.tokenEndpoint(realm).clientCredentials(null).error())
        .isEqualTo("unauthorized_client");
    Answer withNewSecret =
        new TokenEndpoint(keycloak.issuer(realm), Keycloak.CLIENT_ID, "rotated-secret")
            .clientCredentials(null);
    assertThat(withNewSecret.status()).isEqualTo(200);
  }

  @Test
  void clientCredentialsWhenServiceAccountEnabledThenAccessTokenWithoutRefreshToken() {
    Answer answer = keycloak.tokenEndpoint(Keycloak.REALM).clientCredentials(null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().fieldNames())
        .contains("access_token", "expires_in", "token_type")
        .doesNotContain("refresh_token", "id_token");
    assertThat(answer.refreshExpiresIn()).isZero();
    assertThat(TokenEndpoint.claims(answer.accessToken()).getString("preferred_username"))
        .isEqualTo("service-account-callgate");
  }

  @Test
  void revokeWhenBothAuthorizationsInOneBrowserThenTheOtherEndsToo() {
    Browser browser = KeycloakLogin.newBrowser();
    Answer first = authorize(Keycloak.REALM, "alice", ONLINE, browser, Map.of());
    Answer second = authorize(Keycloak.REALM, "alice", ONLINE, browser, Map.of());
    // the second flow rode on the SSO session of the first: no login form, same session
    assertThat(browser.loginForms()).isEqualTo(1);
    assertThat(sid(second)).isEqualTo(sid(first));
    TokenEndpoint endpoint = keycloak.tokenEndpoint(Keycloak.REALM);

    Answer revoked = endpoint.revoke(first.refreshToken(), "refresh_token");

    assertThat(revoked.status()).isEqualTo(200);
    assertThat(revoked.body().isEmpty()).isTrue();
    assertThat(endpoint.refresh(first.refreshToken()).errorDescription())
        .isEqualTo("Session not active");
    assertThat(endpoint.refresh(second.refreshToken()).errorDescription())
        .isEqualTo("Session not active");
    Answer again = endpoint.revoke(first.refreshToken(), "refresh_token");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.error()).isEqualTo("invalid_token");
  }

  @Test
  void revokeWhenAuthorizationsInTwoBrowsersThenTheOtherSurvives() {
    Answer first = authorize(Keycloak.REALM, "bob", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    Answer second = authorize(Keycloak.REALM, "bob", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    assertThat(sid(second)).isNotEqualTo(sid(first));
    TokenEndpoint endpoint = keycloak.tokenEndpoint(Keycloak.REALM);

    assertThat(endpoint.revoke(first.refreshToken(), "refresh_token").status()).isEqualTo(200);

    assertThat(endpoint.refresh(first.refreshToken()).errorDescription())
        .isEqualTo("Session not active");
    assertThat(endpoint.refresh(second.refreshToken()).status()).isEqualTo(200);
  }

  @Test
  void revokeOfflineWhenBothAuthorizationsInOneBrowserThenTheOtherSurvives() {
    Browser browser = KeycloakLogin.newBrowser();
    Answer first = authorize(Keycloak.REALM, "carol", OFFLINE, browser, Map.of());
    Answer second = authorize(Keycloak.REALM, "carol", OFFLINE, browser, Map.of());
    // an offline authorization leaves no SSO session behind: the second flow logs in anew
    assertThat(browser.loginForms()).isEqualTo(2);
    assertThat(sid(second)).isNotEqualTo(sid(first));
    TokenEndpoint endpoint = keycloak.tokenEndpoint(Keycloak.REALM);

    assertThat(endpoint.revoke(first.refreshToken(), "refresh_token").status()).isEqualTo(200);

    Answer revoked = endpoint.refresh(first.refreshToken());
    assertThat(revoked.status()).isEqualTo(400);
    assertThat(revoked.error()).isEqualTo("invalid_grant");
    assertThat(revoked.errorDescription()).isEqualTo("Offline user session not found");
    assertThat(endpoint.refresh(second.refreshToken()).status()).isEqualTo(200);
  }

  @Test
  void ssoSessionIdleWhenPassedThenRefreshFailsTokenNotActive() {
    String realm = realm(RealmSpec.unique("idle").withSsoSessionIdle(Duration.ofSeconds(2)));
    Answer tokens = authorize(realm, "alice", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    assertLifetime(tokens.refreshExpiresIn(), 2);

    awaitSecondAfter(TokenEndpoint.claims(tokens.refreshToken()).getLong("exp"));

    Answer refreshed = keycloak.tokenEndpoint(realm).refresh(tokens.refreshToken());
    assertThat(refreshed.status()).isEqualTo(400);
    assertThat(refreshed.error()).isEqualTo("invalid_grant");
    assertThat(refreshed.errorDescription()).isEqualTo("Token is not active");
  }

  @Test
  void createRealmWhenSpecGivenThenRealmHasItsLifetimes() {
    RealmSpec spec =
        RealmSpec.unique("spec")
            .withAccessTokenLifespan(Duration.ofSeconds(30))
            .withOfflineSessionMax(Duration.ofHours(1))
            .withOfflineSessionIdle(Duration.ofMinutes(10));
    long begin = System.nanoTime();

    realm(spec);

    System.out.printf("realm created in %d ms%n", (System.nanoTime() - begin) / 1_000_000);
    JsonObject realm = keycloak.admin().realm(spec.name());
    assertThat(realm.getInteger("accessTokenLifespan")).isEqualTo(30);
    assertThat(realm.getBoolean("offlineSessionMaxLifespanEnabled")).isTrue();
    assertThat(realm.getBoolean("eventsEnabled")).isTrue();
    Answer tokens = authorize(spec.name(), "bob", OFFLINE, KeycloakLogin.newBrowser(), Map.of());
    // with a maximum, an offline token expires: at the idle timeout, the nearer of the two
    assertLifetime(tokens.refreshExpiresIn(), 600);
    assertThat(TokenEndpoint.claims(tokens.refreshToken()).containsKey("exp")).isTrue();
  }

  @Test
  void eventsWhenPersonLogsInThenLoginAndCodeToTokenAreRecorded() {
    Answer tokens =
        authorize(Keycloak.REALM, "carol", ONLINE, KeycloakLogin.newBrowser(), Map.of());

    List<JsonObject> events = keycloak.admin().events(Keycloak.REALM, "LOGIN", "CODE_TO_TOKEN");

    assertThat(events)
        .filteredOn(event -> sid(tokens).equals(event.getString("sessionId")))
        .extracting(event -> event.getString("type"))
        .contains("LOGIN", "CODE_TO_TOKEN");
  }

  @Test
  void restartWhenOnlineRefreshTokenIssuedBeforeThenItStillRefreshes() {
    Answer tokens =
        authorize(Keycloak.REALM, "alice", ONLINE, KeycloakLogin.newBrowser(), Map.of());
    long begin = System.nanoTime();

    keycloak.stop();

    assertThat(keycloak.running()).isFalse();
    assertThatThrownBy(() -> get(keycloak.baseUrl() + "/realms/master"))
        .isInstanceOf(IOException.class);
    keycloak.start();
    System.out.printf("restart took %d ms%n", (System.nanoTime() - begin) / 1_000_000);
    assertThat(keycloak.running()).isTrue();
    Answer refreshed = keycloak.tokenEndpoint(Keycloak.REALM).refresh(tokens.refreshToken());
    assertThat(refreshed.status()).isEqualTo(200);
  }

  private String realm(RealmSpec spec) {
    keycloak.admin().createRealm(spec);
    realms.add(spec.name());
    return spec.name();
  }

  private Answer authorize(
      String realm, String username, String scope, Browser browser, Map<String, String> extra) {
    Map<String, String> redirect =
        browser.follow(
            authorizationUrl(realm, scope, extra), REDIRECT, username, username + "-password");
    assertThat(redirect).containsKey("code");
    Answer tokens = keycloak.tokenEndpoint(realm).exchange(redirect.get("code"), REDIRECT);
    assertThat(tokens.status()).as("code exchange: %s", tokens.body()).isEqualTo(200);
    return tokens;
  }

  private static URI authorizationUrl(String realm, String scope, Map<String, String> extra) {
    return KeycloakLogin.authorizationUrl(
        keycloak.issuer(realm), Keycloak.CLIENT_ID, REDIRECT, scope, extra);
  }

  private static String sid(Answer tokens) {
    return TokenEndpoint.claims(tokens.refreshToken()).getString("sid");
  }

  private String get(String uri) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
    return response.body();
  }

  /** Keycloak compares token times in whole seconds: waits until {@code epochSecond} is past. */
  private static void awaitSecondAfter(long epochSecond) {
    while (Instant.now().getEpochSecond() <= epochSecond) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
