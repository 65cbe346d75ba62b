package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connect links driven over HTTP as an end user's browser drives them, against a real OpenID
 * Connect provider (node-oidc-provider) and a real Callgate: an admin makes a link, the end user
 * opens its page, continues, signs in, and lands on the return URL with their own token active; a
 * link works once, expires, cannot be posted from another site, and cannot be finished in another
 * browser; return URLs stay on the credential's allow-list.
 */
class ConnectLinksEndToEndTest {
  private static final URI REDIRECT_URI = NodeOidcProvider.REDIRECT_URI;
  private static final String RETURN_URL = "https://app.example.com/connected?from=callgate";
  private static final Pattern CONFIRM = Pattern.compile("name=\"confirm\" value=\"([^\"]+)\"");

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

  /** A browser: its own cookie jar, following no redirect by itself. */
  private record Browser(CookieManager cookies, HttpClient http) {
    static Browser open() {
      CookieManager cookies = new CookieManager();
      return new Browser(
          cookies,
          HttpClient.newBuilder()
              .cookieHandler(cookies)
              .followRedirects(HttpClient.Redirect.NEVER)
              .build());
    }

    HttpResponse<String> get(URI uri) {
      return send(HttpRequest.newBuilder(uri).GET().build());
    }

    HttpResponse<String> postForm(URI uri, String form) {
      return send(
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form))
              .build());
    }

    private HttpResponse<String> send(HttpRequest request) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static void perUserCredential(CallgateUnderTest on, String name, String provider) {
    on.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + "/")
            .put("protocol", "oauth2_authorization_code")
            .put("principal", "per_user")
            .put("provider", provider)
            .put(
                "allowedReturnUrls",
                new JsonArray()
                    .add("https://app.example.com/connected")
                    .add("http://localhost:3000/")));
  }

  private static Answer createLink(
      CallgateUnderTest on,
      String key,
      String credential,
      String user,
      Optional<String> returnUrl) {
    JsonObject body = new JsonObject().put("user", user);
    returnUrl.ifPresent(url -> body.put("returnUrl", url));
    Answer created =
        on.send(Optional.of(key), "POST", "/v1/credentials/" + credential + "/connect-links", body);
    if (created.status() == 201) {
      String url = created.json().getString("url");
      TestSecrets.register("a connect link's token", url.substring(url.lastIndexOf('/') + 1));
    }
    return created;
  }

  private static URI link(CallgateUnderTest on, String credential, String user) {
    Answer created =
        createLink(on, CallgateUnderTest.ADMIN_KEY, credential, user, Optional.of(RETURN_URL));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    URI url = URI.create(created.json().getString("url"));
    assertThat(url.getPath()).startsWith("/connect/");
    // the public URL names no port; the test reaches the port Callgate listens on
    return on.base().resolve(url.getRawPath());
  }

  private static String confirmation(HttpResponse<String> page) {
    Matcher matcher = CONFIRM.matcher(page.body());
    assertThat(matcher.find()).as(page.body()).isTrue();
    return matcher.group(1);
  }

  private static String confirmForm(String confirmation) {
    return "confirm=" + URLEncoder.encode(confirmation, StandardCharsets.UTF_8);
  }

  /** Opens the link's page, presses its button, and returns the answer to that. */
  private static HttpResponse<String> continueToSignIn(Browser browser, URI link) {
    HttpResponse<String> page = browser.get(link);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    return browser.postForm(link, confirmForm(confirmation(page)));
  }

  /** Signs in at the provider from where {@code continued} sent the browser. */
  private static Map<String, String> signIn(
      Browser browser, HttpResponse<String> continued, String login) {
    assertThat(continued.statusCode()).as(continued.body()).isEqualTo(303);
    URI provider = URI.create(continued.headers().firstValue("Location").orElseThrow());
    assertThat(provider.toString()).startsWith(idp.issuer().toString());
    return CallgateUnderTest.signIn(browser.cookies(), provider, REDIRECT_URI, login);
  }

  @Test
  void connectLinkWhenTheEndUserCompletesItThenTheirTokenIsActiveAndTheBrowserReturns() {
    perUserCredential(callgate, "reports", "idp");
    URI link = link(callgate, "reports", "dora");
    Browser browser = Browser.open();

    Map<String, String> redirect = signIn(browser, continueToSignIn(browser, link), "dora");
    Answer callback = callgate.callback(browser.cookies(), redirect);

    assertThat(callback.status()).as(callback.body()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).contains(RETURN_URL);
    JsonObject status = callgate.status("reports", Optional.of("dora"));
    assertThat(status.getString("state")).isEqualTo("ACTIVE");
    assertThat(status.getJsonObject("identity").getString("sub")).isEqualTo("dora");
    JsonArray events =
        callgate
            .admin(
                "GET",
                "/v1/events?credential=reports&type=audit.connect_link.created,connect_link.used")
            .json()
            .getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")))
        .containsExactly("audit.connect_link.created", "connect_link.used");
  }

  @Test
  void connectLinkWhenUsedThenASecondVisitOrPostIsGone() {
    perUserCredential(callgate, "ledger", "idp");
    URI link = link(callgate, "ledger", "erin");
    Browser browser = Browser.open();
    HttpResponse<String> page = browser.get(link);
    String confirm = confirmation(page);
    HttpResponse<String> first = browser.postForm(link, confirmForm(confirm));

    HttpResponse<String> again = browser.postForm(link, confirmForm(confirm));
    HttpResponse<String> revisit = browser.get(link);

    assertThat(first.statusCode()).isEqualTo(303);
    assertThat(again.statusCode()).isEqualTo(410);
    assertThat(again.headers().firstValue("Callgate-Error")).contains("CONNECT_LINK_USED");
    assertThat(revisit.statusCode()).isEqualTo(410);
    assertThat(revisit.headers().firstValue("Callgate-Error")).contains("CONNECT_LINK_USED");
    assertThat(revisit.body()).contains("ask whoever sent you the link for a new one");
  }

  @Test
  void connectLinkWhenItsLifetimeHasPassedThenGoneAndLaterPurged() throws Exception {
    try (CallgateUnderTest shortLived =
        CallgateUnderTest.start(Map.of(Configuration.CONNECT_LINK_TTL, "PT1S"))) {
      shortLived.provider("idp", idp);
      perUserCredential(shortLived, "brief", "idp");
      URI link = link(shortLived, "brief", "finn");
      Thread.sleep(1_500);

      HttpResponse<String> page = Browser.open().get(link);
      Thread.sleep(1_000);
      // the retention job drops links spent a lifetime ago, at start and then hourly
      shortLived.restart();
      HttpResponse<String> afterPurge =
          Browser.open().get(shortLived.base().resolve(link.getRawPath()));

      assertThat(page.statusCode()).isEqualTo(410);
      assertThat(page.headers().firstValue("Callgate-Error")).contains("CONNECT_LINK_EXPIRED");
      assertThat(page.body()).contains("new one");
      assertThat(afterPurge.statusCode()).isEqualTo(404);
      assertThat(afterPurge.headers().firstValue("Callgate-Error"))
          .contains("CONNECT_LINK_UNKNOWN");
    }
  }

  @Test
  void connectLinkWhenTheTokenIsUnknownThenNotFound() {
    HttpResponse<String> page =
        Browser.open().get(callgate.base().resolve("/connect/no-such-link-0123456789"));

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.headers().firstValue("Callgate-Error")).contains("CONNECT_LINK_UNKNOWN");
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
  }

  @Test
  void connectLinkWhenAnotherBrowserBringsTheProvidersRedirectThenRefusedAndNoToken() {
    perUserCredential(callgate, "wiki", "idp");
    URI link = link(callgate, "wiki", "gina");
    Browser opening = Browser.open();
    Map<String, String> redirect = signIn(opening, continueToSignIn(opening, link), "gina");

    Answer elsewhere = callgate.callback(new CookieManager(), redirect);

    assertThat(elsewhere.status()).isEqualTo(403);
    assertThat(elsewhere.error()).isEqualTo("AUTHORIZATION_BROWSER_MISMATCH");
    assertThat(callgate.status("wiki", Optional.of("gina")).getString("state"))
        .isNotIn("ACTIVE", "EXPIRING");
  }

  @Test
  void connectLinkWhenPostedFromAnotherSiteWithoutTheConfirmationCookieThenRefusedAndStillUsable() {
    perUserCredential(callgate, "mail", "idp");
    URI link = link(callgate, "mail", "hana");
    Browser victim = Browser.open();
    String confirm = confirmation(victim.get(link));

    // another site's form: the browser sends no SameSite=Strict cookie along
    HttpResponse<String> crossSite = Browser.open().postForm(link, confirmForm(confirm));
    HttpResponse<String> noField = victim.postForm(link, "");

    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.headers().firstValue("Callgate-Error")).contains("CSRF_TOKEN_INVALID");
    assertThat(crossSite.body()).contains("Open the link itself", "nothing was used up");
    assertThat(crossSite.body()).contains("ask whoever sent it to you for a new one");
    assertThat(noField.statusCode()).isEqualTo(403);
    assertThat(victim.get(link).statusCode()).isEqualTo(200);
  }

  @Test
  void connectLinkWhenTheFormIsLargerThanAKilobyteThenRefusedWithAPage() {
    perUserCredential(callgate, "bulky", "idp");
    URI link = link(callgate, "bulky", "ivan");

    HttpResponse<String> answer = Browser.open().postForm(link, "confirm=" + "x".repeat(4096));

    assertThat(answer.statusCode()).isEqualTo(413);
    assertThat(answer.headers().firstValue("Callgate-Error")).contains("REQUEST_TOO_LARGE");
  }

  @Test
  void createWhenTheReturnUrlIsOffTheAllowListThenRefusedHereAndAtAuthorizations() {
    perUserCredential(callgate, "crm", "idp");
    String admin = CallgateUnderTest.ADMIN_KEY;

    Answer otherHost =
        createLink(
            callgate, admin, "crm", "jack", Optional.of("https://evil.example.com/connected"));
    Answer siblingPath =
        createLink(
            callgate, admin, "crm", "jack", Optional.of("https://app.example.com/connected-evil"));
    Answer consoleForAnEndUser =
        createLink(callgate, admin, "crm", "jack", Optional.of("/console/#/credentials/crm"));
    Answer allowedBelow =
        createLink(callgate, admin, "crm", "jack", Optional.of("http://localhost:3000/app/done"));
    Answer authorization =
        callgate.admin(
            "POST",
            "/v1/credentials/crm/authorizations?user=jack",
            new JsonObject().put("returnUrl", "https://app.example.com:8443/connected"));

    for (Answer refused : List.of(otherHost, siblingPath, consoleForAnEndUser, authorization)) {
      assertThat(refused.status()).as(refused.body()).isEqualTo(400);
      assertThat(refused.error()).isEqualTo("RETURN_URL_NOT_ALLOWED");
    }
    assertThat(allowedBelow.status()).as(allowedBelow.body()).isEqualTo(201);
  }

  @Test
  void createWhenTheCallerIsNoAdminThenForbidden() {
    perUserCredential(callgate, "notes", "idp");
    String kate = callgate.callerKey("kate");

    Answer refused = createLink(callgate, kate, "notes", "kate", Optional.empty());

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error()).isEqualTo("FORBIDDEN");
  }

  @Test
  void createWhenTheCredentialIsNamedThenRefusedSayingWhy() {
    callgate.credential(
        new JsonObject()
            .put("name", "shared")
            .put("url", target.baseUrl() + "/")
            .put("protocol", "oauth2_authorization_code")
            .put("principal", "named")
            .put("provider", "idp"));

    Answer refused =
        createLink(callgate, CallgateUnderTest.ADMIN_KEY, "shared", "liam", Optional.empty());

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("CONNECT_LINK_NOT_SUPPORTED");
    assertThat(refused.json().getString("detail")).contains("per_user");
  }

  @Test
  void authorizeWhenTheReturnUrlIsAConsolePathThenTheCallbackSendsTheBrowserThere() {
    perUserCredential(callgate, "tasks", "idp");
    Answer started =
        callgate.admin(
            "POST",
            "/v1/credentials/tasks/authorizations?user=mona",
            new JsonObject().put("returnUrl", "/console/#/credentials/tasks"));
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    CookieManager browser = new CookieManager();
    Map<String, String> redirect =
        CallgateUnderTest.signIn(
            browser,
            callgate.reachable(URI.create(started.json().getString("authorizationUrl"))),
            REDIRECT_URI,
            "mona");

    Answer callback = callgate.callback(browser, redirect);

    assertThat(callback.status()).as(callback.body()).isEqualTo(303);
    assertThat(callback.headers().firstValue("Location")).contains("/console/#/credentials/tasks");
    assertThat(callgate.status("tasks", Optional.of("mona")).getString("state"))
        .isEqualTo("ACTIVE");
  }

  @Test
  void pageWhenOpenedThenNamesWhoAsksForWhatEscapedUnderAStrictPolicy() {
    callgate.provider(
        new JsonObject()
            .put("name", "markup-idp")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("<script>alert(1)</script>")));
    callgate.credential(
        new JsonObject()
            .put("name", "markup")
            .put("url", target.baseUrl() + "/")
            .put("protocol", "oauth2_authorization_code")
            .put("principal", "per_user")
            .put("provider", "markup-idp")
            .put("applicationName", "Acme <img src=x onerror=alert(1)>")
            .put("allowedReturnUrls", new JsonArray().add("https://app.example.com/")));
    URI link = link(callgate, "markup", "nora@example.com");

    HttpResponse<String> page = Browser.open().get(link);
    Answer markupUser =
        createLink(
            callgate,
            CallgateUnderTest.ADMIN_KEY,
            "markup",
            "<script>x</script>",
            Optional.empty());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("<html lang=\"en\">", "<title>", "<h1>", "<button type=\"submit\">")
        .contains("Continue to sign in")
        .contains("Acme &lt;img src=x onerror=alert(1)&gt;")
        .contains("<code>openid</code>", "&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("nora@example.com", "markup-idp", "127.0.0.1")
        .doesNotContain("<script>", "<img");
    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(policy)
        .contains("default-src 'none'", "frame-ancestors 'none'")
        .contains("form-action 'self' " + originOf(idp.issuer()));
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
    assertThat(markupUser.status()).isEqualTo(400);
    assertThat(markupUser.error()).isEqualTo("INVALID_VALUE");
  }

  private static String originOf(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  @Test
  void callbackWhenTheProviderRefusesAFlowWithAReturnUrlThenTheErrorPageLinksBack() {
    perUserCredential(callgate, "denied", "idp");
    URI link = link(callgate, "denied", "olga");
    Browser browser = Browser.open();
    HttpResponse<String> continued = continueToSignIn(browser, link);
    URI provider = URI.create(continued.headers().firstValue("Location").orElseThrow());
    String state =
        Arrays.stream(provider.getRawQuery().split("&"))
            .filter(p -> p.startsWith("state="))
            .map(p -> p.substring("state=".length()))
            .findFirst()
            .orElseThrow();

    Answer failed =
        callgate.callback(
            browser.cookies(),
            Map.of(
                "state",
                URLDecoder.decode(state, StandardCharsets.UTF_8),
                "error",
                "access_denied"));

    assertThat(failed.status()).isEqualTo(400);
    assertThat(failed.error()).isEqualTo("AUTHORIZATION_DENIED");
    assertThat(failed.body()).contains("href=\"https://app.example.com/connected?from=callgate\"");
  }
}
