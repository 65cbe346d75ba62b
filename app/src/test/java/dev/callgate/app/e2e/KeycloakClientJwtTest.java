package dev.callgate.app.e2e;

import static dev.callgate.app.e2e.CallgateUnderTest.ADMIN_KEY;
import static dev.callgate.app.e2e.CallgateUnderTest.REDIRECT_URI;
import static dev.callgate.app.e2e.CallgateUnderTest.firstDiagnosis;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.keycloak.Keycloak;
import dev.callgate.app.keycloak.KeycloakLogin;
import dev.callgate.app.keycloak.RealmSpec;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client authentication with JWTs against Keycloak 26: its {@code callgate} client switched to
 * "Signed JWT" ({@code client-jwt}, the public key registered as a JWKS) or "Signed JWT with client
 * secret" ({@code client-secret-jwt}) through the admin REST API, then every request Callgate makes
 * as the client — client credentials, code exchange, refresh, revocation — authenticated with an
 * assertion, which Keycloak's event log confirms.
 */
class KeycloakClientJwtTest {
  /** Keycloak checks the HMAC key of client_secret_jwt like Callgate: at least 32 bytes. */
  private static final String LONG_SECRET =
      TestSecrets.register("long client secret", "callgate-client-secret-of-at-least-32-bytes");

  private static Keycloak keycloak;
  private CallgateUnderTest callgate;
  private Target target;
  private String realm;

  @BeforeAll
  static void startKeycloak() {
    keycloak = Keycloak.shared();
  }

  @BeforeEach
  void startCallgateAndRealm() {
    callgate = CallgateUnderTest.start();
    RealmSpec spec = RealmSpec.unique("jwt");
    keycloak.admin().createRealm(spec);
    realm = spec.name();
    target = new Target(URI.create(issuer() + "/protocol/openid-connect/userinfo"));
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

  /** The client authenticates with a JWT signed by a key of {@code jwks}, as Keycloak reads it. */
  private void signedJwtClient(JWKSet jwks) {
    JsonObject attributes =
        keycloak
            .admin()
            .client(realm, Keycloak.CLIENT_ID)
            .getJsonObject("attributes", new JsonObject())
            .copy()
            .put("use.jwks.url", "false")
            .put("use.jwks.string", "true")
            .put("jwks.string", jwks.toPublicJWKSet().toString());
    keycloak
        .admin()
        .updateClient(
            realm,
            Keycloak.CLIENT_ID,
            new JsonObject()
                .put("clientAuthenticatorType", "client-jwt")
                .put("attributes", attributes));
  }

  private String provider(JsonObject clientAuthentication) {
    String name = realm + "-" + Long.toHexString(System.nanoTime());
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", issuer())
            .put("clientId", Keycloak.CLIENT_ID)
            .put("scopes", new JsonArray(List.of("openid")))
            .mergeIn(clientAuthentication));
    return name;
  }

  private String credential(String provider, String protocol, String path) {
    String name = provider + "-" + protocol.replace('_', '-');
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + path)
            .put("protocol", protocol)
            .put("provider", provider));
    return name;
  }

  private void authorized(String credential) {
    URI url = callgate.authorizationUrl(ADMIN_KEY, credential, Optional.empty());
    KeycloakLogin.Browser browser = KeycloakLogin.newBrowser();
    Map<String, String> redirect = browser.follow(url, REDIRECT_URI, "alice", "alice-password");
    Answer callback =
        callgate.callbackWithCookie(
            browser.cookieHeader(callgate.base().resolve("/v1/oauth/callback")), redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
  }

  private Answer callout(String credential) {
    return callgate.admin("GET", "/v1/callout/" + credential + "/accounts");
  }

  /**
   * Client credentials, then a person's grant: its code exchange, a refresh and a callout with the
   * refreshed token, and its revocation, which ends Keycloak's session.
   */
  private void everyRequestOfTheClientWorks(String provider, String authenticator) {
    Answer check = callgate.admin("POST", "/v1/providers/" + provider + "/test");
    assertThat(check.json().getBoolean("ok")).as(check.body()).isTrue();

    String service = credential(provider, "oauth2_client_credentials", "/open");
    Answer serviceCallout = callout(service);
    assertThat(serviceCallout.status()).as(serviceCallout.body()).isEqualTo(200);

    String crm = credential(provider, "oauth2_authorization_code", "/ok");
    authorized(crm);
    Answer refreshed = callgate.admin("POST", "/v1/credentials/" + crm + "/refresh");
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    Answer calloutAfterRefresh = callout(crm);
    assertThat(calloutAfterRefresh.status()).as(calloutAfterRefresh.body()).isEqualTo(200);
    assertThat(keycloak.admin().userSessions(realm, "alice")).hasSize(1);

    Answer revoked = callgate.admin("POST", "/v1/credentials/" + crm + "/revoke");

    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().getString("state")).isEqualTo("REVOKED");
    assertThat(firstDiagnosis(revoked.json())).isEqualTo("GRANT_REVOKED");
    assertThat(keycloak.admin().userSessions(realm, "alice")).isEmpty();
    // Keycloak says how it authenticated the client (it keeps no refresh events by default; the
    // refresh passed the same authenticator, the only one the client accepts)
    List<JsonObject> events =
        keycloak.admin().events(realm, "CLIENT_LOGIN", "CODE_TO_TOKEN", "REVOKE_GRANT");
    assertThat(events)
        .extracting(event -> event.getString("type"))
        .contains("CLIENT_LOGIN", "CODE_TO_TOKEN", "REVOKE_GRANT");
    assertThat(events)
        .allSatisfy(
            event ->
                assertThat(event.getJsonObject("details").getString("client_auth_method"))
                    .as(event.encode())
                    .isEqualTo(authenticator));
  }

  @Test
  void privateKeyJwtWhenKeycloakHoldsThePublicRsaKeyThenEveryGrantAndTheRevocationAuthenticate()
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    signedJwtClient(
        new JWKSet(
            new RSAKey.Builder((RSAPublicKey) keys.getPublic())
                .keyID("callgate-rsa")
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .build()));
    String pem =
        TestSecrets.register(
            "client private key",
            "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

    String provider =
        provider(
            new JsonObject()
                .put("clientAuthMethod", "private_key_jwt")
                .put("clientPrivateKey", pem)
                .put("clientKeyId", "callgate-rsa"));

    everyRequestOfTheClientWorks(provider, "client-jwt");
  }

  @Test
  void
      clientSecretJwtWhenKeycloakExpectsASignedJwtWithTheSecretThenEveryGrantAndTheRevocationWork() {
    keycloak.admin().clientSecret(realm, Keycloak.CLIENT_ID, LONG_SECRET);
    keycloak
        .admin()
        .updateClient(
            realm,
            Keycloak.CLIENT_ID,
            new JsonObject().put("clientAuthenticatorType", "client-secret-jwt"));

    String provider =
        provider(
            new JsonObject()
                .put("clientAuthMethod", "client_secret_jwt")
                .put("clientSecret", LONG_SECRET));

    everyRequestOfTheClientWorks(provider, "client-secret-jwt");
  }

  @Test
  void privateKeyJwtWhenTheKeyIsNotTheRegisteredOneThenClientAuthFailedNamingTheKeyUntilFixed()
      throws Exception {
    // Keycloak reads only the keys of a JWKS that say their use and algorithm
    ECKey registered =
        new ECKeyGenerator(Curve.P_256)
            .keyID("callgate-ec")
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(JWSAlgorithm.ES256)
            .generate();
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID("callgate-ec").generate();
    signedJwtClient(new JWKSet((JWK) registered));
    Answer unreadable =
        callgate.admin(
            "POST",
            "/v1/providers",
            new JsonObject()
                .put("name", realm + "-unreadable")
                .put("issuer", issuer())
                .put("clientId", Keycloak.CLIENT_ID)
                .put("clientAuthMethod", "private_key_jwt")
                .put("clientPrivateKey", registered.toPublicJWK().toJSONString()));
    assertThat(unreadable.status()).as(unreadable.body()).isEqualTo(400);
    assertThat(unreadable.json().getJsonObject("facts").getString("field"))
        .isEqualTo("clientPrivateKey");
    String provider =
        provider(
            new JsonObject()
                .put("clientAuthMethod", "private_key_jwt")
                .put(
                    "clientPrivateKey",
                    TestSecrets.register("other EC key", other.toJSONString())));
    String service = credential(provider, "oauth2_client_credentials", "/open");

    Answer refused = callout(service);
    Answer check = callgate.admin("POST", "/v1/providers/" + provider + "/test");

    assertThat(refused.error()).as(refused.body()).isEqualTo("CLIENT_AUTH_FAILED");
    assertThat(refused.json().getString("remedy"))
        .contains("clientPrivateKey")
        .contains("public key")
        .contains("PUT /v1/providers/" + provider);
    assertThat(check.json().getBoolean("ok")).as(check.body()).isFalse();
    assertThat(firstDiagnosis(check.json())).isEqualTo("CLIENT_AUTH_FAILED");

    Answer fixed =
        callgate.admin(
            "PUT",
            "/v1/providers/" + provider,
            new JsonObject()
                .put("issuer", issuer())
                .put("clientId", Keycloak.CLIENT_ID)
                .put("scopes", new JsonArray(List.of("openid")))
                .put("clientAuthMethod", "private_key_jwt")
                .put(
                    "clientPrivateKey",
                    TestSecrets.register("registered EC key", registered.toJSONString())));
    assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
    Answer afterFix = callout(service);
    assertThat(afterFix.status()).as(afterFix.body()).isEqualTo(200);
  }
}
