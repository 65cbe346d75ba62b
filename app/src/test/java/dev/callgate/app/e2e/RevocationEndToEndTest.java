package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grants revoked at a real provider (node-oidc-provider, RFC 7009), whose introspection tells
 * whether a refresh token still works: a revoked per-user grant ends there; while the provider is
 * unreachable, a deletion and a revocation still happen in Callgate and their answers say that the
 * grant may live on at the provider, and why.
 */
class RevocationEndToEndTest {
  private static NodeOidcStack stack;
  private static NodeOidcProvider idp;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    stack = NodeOidcStack.start(Duration.ofMinutes(10), Duration.ofHours(1));
    idp = stack.idp();
    callgate = stack.callgate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private static void credential(String name, String principal, String... allowedCallers) {
    callgate.credential(
        stack
            .authorizationCodeCredential(name, principal, "/ok", allowedCallers)
            .put("keepAlive", false));
  }

  /**
   * Authorizes {@code credential} as {@code key}, signed in as {@code login}; its refresh token.
   */
  private static String authorize(String key, String credential, String login) throws Exception {
    // a browser of its own: another's session at the provider would sign the wrong user in
    CookieManager browser = new CookieManager();
    Map<String, String> redirect =
        CallgateUnderTest.signIn(
            browser,
            callgate.authorizationUrl(key, credential, Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            login);
    Answer callback = callgate.callback(browser, redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    List<String> issued = idp.refreshTokensOf(login);
    assertThat(issued).as("refresh tokens issued to " + login).isNotEmpty();
    String refreshToken = issued.get(issued.size() - 1);
    assertThat(isActive(refreshToken)).as("the new grant's refresh token is active").isTrue();
    return refreshToken;
  }

  private static boolean isActive(String refreshToken) throws Exception {
    return idp.introspect(refreshToken).getBoolean("active");
  }

  @Test
  void revokeWhenAnAdminNamesAUserThenTheProviderEndsTheUsersGrantAndTheTokenIsRevoked()
      throws Exception {
    credential("mail", "per_user", "carol", "dave");
    String carols = authorize(callgate.callerKey("carol"), "mail", "carol");
    String daves = authorize(callgate.callerKey("dave"), "mail", "dave");

    Answer revoked = callgate.admin("POST", "/v1/credentials/mail/revoke?user=carol");

    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().getString("state")).isEqualTo("REVOKED");
    JsonObject diagnosis = revoked.json().getJsonArray("diagnoses").getJsonObject(0);
    assertThat(diagnosis.getString("code")).isEqualTo("GRANT_REVOKED");
    assertThat(diagnosis.getString("message"))
        .contains("user 'carol'")
        .contains("accepted the revocation");
    assertThat(isActive(carols)).as("carol's refresh token at the provider").isFalse();
    assertThat(callgate.status("mail", Optional.of("carol")).getString("state"))
        .isEqualTo("REVOKED");
    assertThat(isActive(daves)).as("dave's refresh token at the provider").isTrue();
    assertThat(callgate.status("mail", Optional.of("dave")).getString("state")).isEqualTo("ACTIVE");
  }

  @Test
  void deleteAndRevokeWhenTheProviderIsUnreachableThenDoneLocallySayingWhyTheGrantsMayLiveOn()
      throws Exception {
    credential("crm", "named");
    credential("erp", "named");
    String crms = authorize(CallgateUnderTest.ADMIN_KEY, "crm", "erin");
    String erps = authorize(CallgateUnderTest.ADMIN_KEY, "erp", "frank");

    Answer deleted;
    Answer revoked;
    idp.outage(Duration.ofMinutes(5));
    try {
      deleted = callgate.admin("DELETE", "/v1/credentials/crm");
      revoked = callgate.admin("POST", "/v1/credentials/erp/revoke");
    } finally {
      idp.endOutage();
    }

    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().getInteger("grants")).isEqualTo(1);
    assertThat(deleted.json().getInteger("revoked")).isZero();
    JsonObject mayLiveOn = deleted.json().getJsonArray("grantsThatMayLiveOn").getJsonObject(0);
    assertThat(mayLiveOn.getString("code")).isEqualTo("GRANT_MAY_LIVE_ON");
    assertThat(mayLiveOn.getString("message"))
        .contains("revoking it at the identity provider failed")
        .contains("connection refused")
        .contains("may live on");
    assertThat(callgate.admin("GET", "/v1/credentials/crm/status").status()).isEqualTo(404);

    assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
    assertThat(revoked.json().getString("state")).isEqualTo("REVOKED");
    JsonObject diagnosis = revoked.json().getJsonArray("diagnoses").getJsonObject(0);
    assertThat(diagnosis.getString("code")).isEqualTo("GRANT_REVOKED");
    assertThat(diagnosis.getString("message"))
        .contains("revoking it at the identity provider failed")
        .contains("connection refused")
        .contains("may live on there");
    assertThat(callgate.status("erp").getString("state")).isEqualTo("REVOKED");
    assertThat(callgate.admin("GET", "/v1/callout/erp/accounts").error())
        .isEqualTo("GRANT_REVOKED");

    // what the answers warned of: the provider, back, still honours both grants
    assertThat(isActive(crms)).as("crm's refresh token at the provider").isTrue();
    assertThat(isActive(erps)).as("erp's refresh token at the provider").isTrue();
  }
}
