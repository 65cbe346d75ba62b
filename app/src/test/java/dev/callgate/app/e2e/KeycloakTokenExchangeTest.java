package dev.callgate.app.e2e;

import static dev.callgate.app.e2e.CallgateUnderTest.ADMIN_KEY;
import static dev.callgate.app.e2e.CallgateUnderTest.REDIRECT_URI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.cluster.IntrospectingTarget;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.keycloak.Keycloak;
import dev.callgate.app.keycloak.KeycloakLogin;
import dev.callgate.app.keycloak.TokenEndpoint;
import dev.callgate.app.keycloak.TokenExchangeRealm;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token exchange (RFC 8693) against Keycloak 26's standard token exchange: the {@code callgate}
 * client trades a user's access token of the {@code frontend} client — the token of another
 * credential, or one the caller sends — for a token whose audience is the {@code orders-api}, which
 * a real target accepts only after introspecting it at Keycloak as {@code orders-api}. Keycloak's
 * refusals (an audience the client may not ask for, exchange switched off for the client, a subject
 * token it does not take) are diagnosed by their own codes, and a callout without the caller's
 * subject token never reaches Keycloak.
 */
class KeycloakTokenExchangeTest {
  private static final String SUBJECT_HEADER = "Callgate-Subject-Token";

  private static Keycloak keycloak;
  private CallgateUnderTest callgate;
  private IntrospectingTarget target;
  private String realm;

  @BeforeAll
  static void startKeycloak() {
    keycloak = Keycloak.shared();
  }

  @BeforeEach
  void startCallgateRealmAndTarget() {
    callgate = CallgateUnderTest.start();
    realm = TokenExchangeRealm.create(keycloak, "exchange");
    target =
        new IntrospectingTarget(
            URI.create(issuer() + "/protocol/openid-connect/token/introspect"),
            TokenExchangeRealm.TARGET_CLIENT,
            TokenExchangeRealm.TARGET_CLIENT_SECRET);
  }

  @AfterEach
  void dropRealmAndCallgate() {
    callgate.close();
    target.close();
    if (keycloak.running()) {
      keycloak.admin().deleteRealm(realm);
    }
  }

  private String issuer() {
    return keycloak.issuer(realm).toString();
  }

  private void provider(String name, String clientId, String clientSecret) {
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", issuer())
            .put("clientId", clientId)
            .put("clientSecret", clientSecret)
            .put("scopes", new JsonArray(List.of("openid"))));
  }

  /** The provider of the client that exchanges: Callgate's own {@code callgate} client. */
  private void exchangingProvider() {
    provider("gate", Keycloak.CLIENT_ID, Keycloak.CLIENT_SECRET);
  }

  private void exchangeCredential(String name, JsonObject tokenExchange) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + "/api")
            .put("protocol", "oauth2_token_exchange")
            .put("provider", "gate")
            .put("tokenExchange", tokenExchange));
  }

  private Answer callout(String credential, Optional<String> subjectToken) {
    return callgate.admin(
        "GET",
        "/v1/callout/" + credential + "/orders",
        subjectToken.map(token -> Map.of(SUBJECT_HEADER, token)).orElse(Map.of()));
  }

  /** A user's access token of the {@code frontend} client, as a caller would hold it. */
  private String aliceFrontendToken() {
    TokenEndpoint.Answer answer =
        new TokenEndpoint(
                URI.create(issuer()),
                TokenExchangeRealm.SUBJECT_CLIENT,
                TokenExchangeRealm.SUBJECT_CLIENT_SECRET)
            .password("alice", "alice-password");
    assertThat(answer.status()).as(answer.body().encode()).isEqualTo(200);
    return TestSecrets.register("alice's frontend access token", answer.accessToken());
  }

  /** The claims of the token the target received last. */
  private JsonObject lastTokenAtTarget() {
    List<String> authorizations = target.authorizations();
    String last = authorizations.get(authorizations.size() - 1);
    return TokenEndpoint.claims(last.substring("Bearer ".length()));
  }

  /**
   * The claims of the token the target received last, checked: issued to Callgate's client, for the
   * API, on alice's behalf.
   */
  private JsonObject exchangedForTheApiOnAlicesBehalf() {
    JsonObject claims = lastTokenAtTarget();
    assertThat(audience(claims)).as(claims.encode()).contains(TokenExchangeRealm.TARGET_CLIENT);
    assertThat(claims.getString("azp")).isEqualTo(Keycloak.CLIENT_ID);
    assertThat(claims.getString("preferred_username")).isEqualTo("alice");
    return claims;
  }

  private static List<Object> audience(JsonObject claims) {
    Object aud = claims.getValue("aud");
    return aud instanceof JsonArray array ? array.getList() : List.of(aud);
  }

  @Test
  void calloutWhenTheSubjectIsAnotherCredentialsTokenThenTheTargetGetsATokenForItsAudience() {
    provider("front", TokenExchangeRealm.SUBJECT_CLIENT, TokenExchangeRealm.SUBJECT_CLIENT_SECRET);
    callgate.credential(
        new JsonObject()
            .put("name", "alice-front")
            .put("url", target.baseUrl() + "/api")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "front"));
    URI url = callgate.authorizationUrl(ADMIN_KEY, "alice-front", Optional.empty());
    KeycloakLogin.Browser browser = KeycloakLogin.newBrowser();
    Map<String, String> redirect = browser.follow(url, REDIRECT_URI, "alice", "alice-password");
    Answer callback =
        callgate.callbackWithCookie(
            browser.cookieHeader(callgate.base().resolve("/v1/oauth/callback")), redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    exchangingProvider();
    exchangeCredential(
        "orders",
        new JsonObject()
            .put("subjectCredential", "alice-front")
            .put("audience", TokenExchangeRealm.TARGET_CLIENT));

    Answer first = callout("orders", Optional.empty());
    Answer second = callout("orders", Optional.empty());

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    JsonObject claims = exchangedForTheApiOnAlicesBehalf();
    assertThat(first.json().getString("sub")).isEqualTo(claims.getString("sub"));
    // stored like any token and reused: both callouts carried the one exchanged token
    assertThat(target.authorizations()).hasSize(2).containsOnly(target.authorizations().get(0));
    JsonObject status = callgate.status("orders");
    assertThat(status.getString("state")).as(status.encode()).isEqualTo("ACTIVE");
    assertThat(keycloak.admin().events(realm, "TOKEN_EXCHANGE")).hasSize(1);
  }

  @Test
  void calloutWhenTheCallerSendsTheSubjectTokenThenItIsExchangedOnceAndNeverForwardedOrPrinted() {
    exchangingProvider();
    exchangeCredential(
        "orders",
        new JsonObject().put("audience", new JsonArray().add(TokenExchangeRealm.TARGET_CLIENT)));
    String subject = aliceFrontendToken();

    Answer first = callout("orders", Optional.of(subject));
    Answer second = callout("orders", Optional.of(subject));

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    exchangedForTheApiOnAlicesBehalf();
    assertThat(target.authorizations()).hasSize(2).doesNotContain("Bearer " + subject);
    assertThat(target.authorizations().get(1)).isEqualTo(target.authorizations().get(0));
    assertThat(keycloak.admin().events(realm, "TOKEN_EXCHANGE")).hasSize(1);
    assertThat(callgate.printedLines()).doesNotContain(subject);
  }

  @Test
  void calloutWhenKeycloakRefusesTheExchangeThenEachRefusalHasItsOwnDiagnosis() {
    exchangingProvider();
    exchangeCredential(
        "orders", new JsonObject().put("audience", TokenExchangeRealm.TARGET_CLIENT));
    // the callgate client may not ask for a token for frontend: no mapper makes it available
    exchangeCredential(
        "to-frontend", new JsonObject().put("audience", TokenExchangeRealm.SUBJECT_CLIENT));
    String subject = aliceFrontendToken();

    Answer audience = callout("to-frontend", Optional.of(subject));
    Answer notAToken =
        callout(
            "orders",
            Optional.of(TestSecrets.register("a made-up subject token", "not-a-token-at-all-1")));
    keycloak
        .admin()
        .updateClient(
            realm,
            Keycloak.CLIENT_ID,
            new JsonObject()
                .put(
                    "attributes",
                    new JsonObject().put("standard.token.exchange.enabled", "false")));
    Answer disabled = callout("orders", Optional.of(subject));

    assertThat(audience.error()).as(audience.body()).isEqualTo("TOKEN_EXCHANGE_AUDIENCE_REJECTED");
    assertThat(audience.status()).isEqualTo(502);
    assertThat(notAToken.error())
        .as(notAToken.body())
        .isEqualTo("TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED");
    assertThat(notAToken.status()).isEqualTo(403);
    assertThat(disabled.error()).as(disabled.body()).isEqualTo("TOKEN_EXCHANGE_NOT_ALLOWED");
    assertThat(disabled.status()).isEqualTo(502);
    assertThat(disabled.json().getString("detail")).contains("'callgate'");
    assertThat(target.authorizations()).isEmpty();
  }

  @Test
  void calloutWhenTheCallerSendsNoSubjectTokenThenABadRequestProblemAndNoExchange() {
    exchangingProvider();
    exchangeCredential(
        "orders", new JsonObject().put("audience", TokenExchangeRealm.TARGET_CLIENT));

    Answer missing = callout("orders", Optional.empty());

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(missing.error()).isEqualTo("TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING");
    assertThat(missing.json().getString("detail")).contains(SUBJECT_HEADER);
    assertThat(keycloak.admin().events(realm, "TOKEN_EXCHANGE", "TOKEN_EXCHANGE_ERROR")).isEmpty();
    assertThat(target.authorizations()).isEmpty();
  }
}
