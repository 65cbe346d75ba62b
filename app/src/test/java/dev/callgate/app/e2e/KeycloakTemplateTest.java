package dev.callgate.app.e2e;

import static dev.callgate.app.e2e.CallgateUnderTest.ADMIN_KEY;
import static dev.callgate.app.e2e.CallgateUnderTest.REDIRECT_URI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.keycloak.Keycloak;
import dev.callgate.app.keycloak.KeycloakLogin;
import dev.callgate.app.keycloak.RealmSpec;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider that is only the Keycloak template, its two parameters and a client, against the real
 * Keycloak of the test suite: nothing else is needed for discovery, client authentication, a
 * client-credentials token and an authorization that yields an offline token.
 */
class KeycloakTemplateTest {
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
    RealmSpec spec = RealmSpec.unique("tpl");
    keycloak.admin().createRealm(spec);
    realm = spec.name();
    target = new Target(URI.create(keycloak.issuer(realm) + "/protocol/openid-connect/userinfo"));
  }

  @AfterEach
  void dropRealmAndCallgate() {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
    }
    if (realm != null && keycloak.running()) {
      keycloak.admin().deleteRealm(realm);
    }
  }

  /** The provider as a person writes it from the template: no issuer, no scopes. */
  private String templateProvider() {
    callgate.provider(
        new JsonObject()
            .put("name", realm)
            .put("template", "keycloak")
            .put(
                "templateParameters",
                new JsonObject().put("baseUrl", keycloak.baseUrl().toString()).put("realm", realm))
            .put("clientId", Keycloak.CLIENT_ID)
            .put("clientSecret", Keycloak.CLIENT_SECRET));
    return realm;
  }

  private String credential(String provider, String protocol, String path) {
    String name = provider + "-" + Long.toHexString(System.nanoTime());
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + path)
            .put("protocol", protocol)
            .put("provider", provider));
    return name;
  }

  @Test
  void providerFromTheKeycloakTemplateWhenCheckedThenDiscoveryAndClientAuthenticationPass() {
    String provider = templateProvider();

    JsonObject read = callgate.admin("GET", "/v1/providers/" + provider).json();
    JsonObject check = callgate.admin("POST", "/v1/providers/" + provider + "/test").json();

    assertThat(read.getString("issuer")).isEqualTo(keycloak.issuer(realm).toString());
    assertThat(read.getString("template")).isEqualTo("keycloak");
    assertThat(check.getBoolean("ok")).as(check.encode()).isTrue();
    assertThat(check.getJsonArray("diagnoses")).isEmpty();
  }

  @Test
  void clientCredentialsWhenTheProviderIsOnlyTheTemplateThenACalloutCarriesKeycloaksToken() {
    String svc = credential(templateProvider(), "oauth2_client_credentials", "/open");

    Answer callout = callgate.admin("GET", "/v1/callout/" + svc + "/accounts");

    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
    assertThat(target.authorizations).hasSize(1);
    assertThat(target.authorizations.get(0)).startsWith("Bearer ey");
    assertThat(callgate.status(svc).getString("state")).isEqualTo("ACTIVE");
  }

  @Test
  void authorizationCodeWhenTheProviderIsOnlyTheTemplateThenAsksOfflineAccessAndRefreshes() {
    String crm = credential(templateProvider(), "oauth2_authorization_code", "/ok");
    URI url = callgate.authorizationUrl(ADMIN_KEY, crm, Optional.empty());
    KeycloakLogin.Browser browser = KeycloakLogin.newBrowser();
    Map<String, String> redirect = browser.follow(url, REDIRECT_URI, "alice", "alice-password");

    Answer callback =
        callgate.callbackWithCookie(
            browser.cookieHeader(callgate.base().resolve("/v1/oauth/callback")), redirect);
    Answer callout = callgate.admin("GET", "/v1/callout/" + crm + "/accounts");
    Answer refresh = callgate.admin("POST", "/v1/credentials/" + crm + "/refresh");

    // the template's offline_access scope made it an offline session at Keycloak
    assertThat(keycloak.admin().offlineSessions(realm, "alice", Keycloak.CLIENT_ID)).hasSize(1);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
    assertThat(refresh.status()).as(refresh.body()).isEqualTo(200);
    // an offline token: Keycloak states refresh_expires_in 0 for it
    assertThat(callgate.status(crm).getString("refreshTokenExpirySource")).isEqualTo("assumed");
  }
}
