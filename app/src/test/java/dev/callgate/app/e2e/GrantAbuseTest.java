package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a caller, a leaked URL or another account at the provider can do to a grant, against a real
 * OpenID Connect provider (node-oidc-provider, whose token endpoint counts its requests) and a real
 * target: callers cannot drive the provider, 401s cannot starve the schedule or an admin, a flow
 * completes only in the browser that opened it, and a grant does not silently pass to another
 * account.
 */
class GrantAbuseTest {
  private static final URI REDIRECT_URI = NodeOidcProvider.REDIRECT_URI;

  private static NodeOidcStack stack;
  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    stack = NodeOidcStack.start(Duration.ofMinutes(10), Duration.ofHours(1));
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

  private static void credential(String name, String principal, String... allowedCallers) {
    callgate.credential(stack.authorizationCodeCredential(name, principal, "/", allowedCallers));
  }

  /** Starts the flow as {@code key} and signs in as {@code login} in a browser of its own. */
  private static Answer authorize(
      String key, String credential, Optional<String> user, String login, JsonObject body) {
    Answer started =
        callgate.send(
            Optional.of(key),
            "POST",
            "/v1/credentials/" + credential + "/authorizations" + CallgateUnderTest.query(user),
            body);
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    CookieManager browser = new CookieManager();
    Map<String, String> redirect =
        CallgateUnderTest.signIn(
            browser,
            callgate.reachable(URI.create(started.json().getString("authorizationUrl"))),
            REDIRECT_URI,
            login);
    return callgate.callback(browser, redirect);
  }

  @Test
  void refreshWhenACallerAsksFortyTimesThenTheTokenEndpointSeesAtMostTwo() {
    idp.accessTokenTtl(Duration.ofMinutes(10));
    credential("notes", "per_user", "dora");
    String dora = callgate.callerKey("dora");
    assertThat(authorize(dora, "notes", Optional.empty(), "dora", null).status()).isEqualTo(200);
    int before = idp.stats().tokenRequests("refresh_token");

    int ok = 0;
    for (int i = 0; i < 40; i++) {
      Answer refreshed = callgate.as(dora, "POST", "/v1/credentials/notes/refresh");
      assertThat(refreshed.status()).as(refreshed.body()).isIn(200, 429);
      ok += refreshed.status() == 200 ? 1 : 0;
    }

    assertThat(idp.stats().tokenRequests("refresh_token") - before).isBetween(0, 2);
    assertThat(ok).isEqualTo(40);
  }

  @Test
  void refreshWhenACallerAsksForANamedCredentialsTokenThenRefused() {
    credential("wiki", "named", "erin");
    String erin = callgate.callerKey("erin");
    assertThat(
            authorize(CallgateUnderTest.ADMIN_KEY, "wiki", Optional.empty(), "admin", null)
                .status())
        .isEqualTo(200);
    int before = idp.stats().tokenRequests("refresh_token");

    Answer refused = callgate.as(erin, "POST", "/v1/credentials/wiki/refresh");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error()).isEqualTo("CALLER_NOT_ALLOWED");
    assertThat(idp.stats().tokenRequests("refresh_token")).isEqualTo(before);
  }

  @Test
  void calloutWhenTwentyCalloutsMeetA401ThenTheScheduleAndTheAdminStillRefresh() {
    idp.accessTokenTtl(Duration.ofSeconds(70));
    credential("ledger", "named");
    assertThat(
            authorize(CallgateUnderTest.ADMIN_KEY, "ledger", Optional.empty(), "admin", null)
                .status())
        .isEqualTo(200);

    for (int i = 0; i < 20; i++) {
      callgate.admin("GET", "/v1/callout/ledger/reject-all/x");
    }
    int afterCallouts = idp.stats().tokenRequests("refresh_token");
    System.out.println(
        "DEBUG after callouts " + afterCallouts + " " + callgate.status("ledger").encodePrettily());
    Instant refreshedAt = Instant.parse(callgate.status("ledger").getString("lastRefreshAt"));

    // the target's 401s spent their own budget (12 refreshes); the schedule plans the next refresh
    // of a 70 s token about 35 s after the last one
    assertThat(afterCallouts).isLessThanOrEqualTo(12);
    CallgateUnderTest.await(
        "a scheduled refresh",
        Duration.ofSeconds(60),
        () ->
            Instant.parse(callgate.status("ledger").getString("lastRefreshAt"))
                .isAfter(refreshedAt));
    Answer admin = callgate.admin("POST", "/v1/credentials/ledger/refresh");

    assertThat(idp.stats().tokenRequests("refresh_token")).isGreaterThan(afterCallouts);
    assertThat(admin.status()).as(admin.body()).isEqualTo(200);
    assertThat(callgate.status("ledger").getString("state")).isIn("ACTIVE", "EXPIRING");
    idp.accessTokenTtl(Duration.ofMinutes(10));
  }

  @Test
  void callbackWhenAnotherBrowserBringsTheRedirectThenRefusedWhileTheOpeningBrowserSucceeds() {
    credential("crm", "named");
    Answer started = callgate.admin("POST", "/v1/credentials/crm/authorizations");
    URI url = URI.create(started.json().getString("authorizationUrl"));
    assertThat(url.getPath()).isEqualTo("/v1/oauth/authorize");
    url = callgate.reachable(url);
    CookieManager opening = new CookieManager();
    Map<String, String> redirect = CallgateUnderTest.signIn(opening, url, REDIRECT_URI, "admin");

    Answer elsewhere = callgate.callback(new CookieManager(), redirect);
    Answer here = callgate.callback(opening, redirect);

    assertThat(elsewhere.status()).isEqualTo(403);
    assertThat(elsewhere.error()).isEqualTo("AUTHORIZATION_BROWSER_MISMATCH");
    assertThat(elsewhere.body()).contains("AUTHORIZATION_BROWSER_MISMATCH");
    assertThat(here.status()).as(here.body()).isEqualTo(200);
  }

  @Test
  void authorizeWhenAnotherProviderAccountSignsInThenRefusedUnlessAnAdminAllowsIt() {
    credential("mail", "per_user", "carol");
    String carol = callgate.callerKey("carol");
    assertThat(authorize(carol, "mail", Optional.empty(), "carol", null).status()).isEqualTo(200);
    JsonObject before = callgate.status("mail", Optional.of("carol"));

    Answer mallory = authorize(carol, "mail", Optional.empty(), "mallory", null);
    Answer selfAllowed =
        callgate.send(
            Optional.of(carol),
            "POST",
            "/v1/credentials/mail/authorizations",
            new JsonObject().put("allowIdentityChange", true));

    assertThat(mallory.status()).isEqualTo(409);
    assertThat(mallory.error()).isEqualTo("PROVIDER_IDENTITY_CHANGED");
    assertThat(mallory.body()).contains("mallory", "carol");
    assertThat(callgate.status("mail", Optional.of("carol")).getString("lastRefreshAt"))
        .isEqualTo(before.getString("lastRefreshAt"));
    assertThat(selfAllowed.status()).isEqualTo(403);

    Answer allowed =
        authorize(
            CallgateUnderTest.ADMIN_KEY,
            "mail",
            Optional.of("carol"),
            "mallory",
            new JsonObject().put("allowIdentityChange", true));
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.body()).contains("mallory");
  }
}
