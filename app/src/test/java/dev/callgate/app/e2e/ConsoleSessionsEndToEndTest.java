package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console's sessions on Callgate as it runs: an admin key signs in once, the browser's cookie
 * then stands for it on the API (changes only with the session's CSRF token), and the session ends
 * at sign-out, at its expiry or with its key — and outlives a restart.
 */
class ConsoleSessionsEndToEndTest {
  private static final String COOKIE = "callgate_console";

  private CallgateUnderTest callgate;

  @AfterEach
  void stop() {
    if (callgate != null) {
      callgate.close();
    }
  }

  /** A browser's session: the cookie it holds, the Set-Cookie that gave it, and the CSRF token. */
  private record Session(String cookie, String setCookie, JsonObject body) {
    String csrfToken() {
      return body.getString("csrfToken");
    }
  }

  /** A sign-in as a page would post it, with {@code body} of {@code contentType}. */
  private Answer signInAnswer(String contentType, String body) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(callgate.base().resolve("/console/session"))
                      .header("Content-Type", contentType)
                      .timeout(Duration.ofSeconds(30))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Answer signInAnswer(String key) {
    return signInAnswer("application/json", new JsonObject().put("key", key).encode());
  }

  private Session signIn(String key) {
    Answer answer =
        callgate.send(
            Optional.empty(),
            "POST",
            "/console/session",
            new JsonObject().put("key", key),
            Map.of());
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    String setCookie =
        answer.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith(COOKIE + "="))
            .findFirst()
            .orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    TestSecrets.register("a console session cookie", cookie.substring(COOKIE.length() + 1));
    TestSecrets.register("a console session's CSRF token", answer.json().getString("csrfToken"));
    return new Session(cookie, setCookie, answer.json());
  }

  private Answer withCookie(Session session, String method, String path) {
    return withCookie(session, method, path, null, Map.of());
  }

  private Answer withCookie(
      Session session, String method, String path, JsonObject body, Map<String, String> headers) {
    Map<String, String> all = new HashMap<>(headers);
    all.put("Cookie", session.cookie());
    return callgate.send(Optional.empty(), method, path, body, all);
  }

  private Answer createKey(Session session, Map<String, String> headers) {
    return withCookie(
        session,
        "POST",
        "/v1/keys",
        new JsonObject().put("subject", "billing").put("roles", new JsonArray().add("caller")),
        headers);
  }

  private List<String> keySubjects() {
    return new JsonArray(callgate.admin("GET", "/v1/keys").body())
        .stream().map(k -> ((JsonObject) k).getString("subject")).toList();
  }

  private Answer signOut(Session session) {
    return withCookie(
        session, "DELETE", "/console/session", null, Map.of("X-CSRF-Token", session.csrfToken()));
  }

  private Answer sessionOf(Session session) {
    return withCookie(session, "GET", "/console/session");
  }

  @Test
  void signInWhenAdminKeyThenAStrictHttpOnlyCookieThatReadsTheApi() {
    callgate = CallgateUnderTest.start();

    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    assertThat(session.setCookie())
        .contains("; Path=/")
        .containsIgnoringCase("; HttpOnly")
        .contains("; SameSite=Strict")
        .contains("; Max-Age=28800")
        .doesNotContain("Secure");
    assertThat(session.cookie().substring(COOKIE.length() + 1)).hasSize(43);
    assertThat(session.body().getString("subject")).isEqualTo("admin");
    assertThat(session.body().getString("keyId")).startsWith("configured-");
    assertThat(session.body().getString("expiresAt")).endsWith("Z");
    assertThat(session.csrfToken()).isNotBlank();
    Answer current = sessionOf(session);
    assertThat(current.status()).isEqualTo(200);
    assertThat(current.json()).isEqualTo(session.body());
    assertThat(current.headers().firstValue("Cache-Control")).contains("no-store");
    Answer credentials = withCookie(session, "GET", "/v1/credentials");
    assertThat(credentials.status()).as(credentials.body()).isEqualTo(200);
  }

  @Test
  void changeWithCookieWhenCsrfTokenIsMissingOrWrongThenForbiddenAndNothingChanged() {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);
    Session other = signIn(CallgateUnderTest.ADMIN_KEY);

    Answer missing = createKey(session, Map.of());
    Answer wrong = createKey(session, Map.of("X-CSRF-Token", other.csrfToken()));

    assertThat(missing.status()).isEqualTo(403);
    assertThat(missing.error()).isEqualTo("CSRF_TOKEN_INVALID");
    assertThat(missing.json().getString("detail")).contains("no X-CSRF-Token header");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.error()).isEqualTo("CSRF_TOKEN_INVALID");
    assertThat(keySubjects()).containsExactly("admin");
  }

  @Test
  void changeWithCookieAndCsrfTokenThenDoneAndAuditedAsTheSessionsKey() {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    Answer created = createKey(session, Map.of("X-CSRF-Token", session.csrfToken()));

    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(keySubjects()).containsExactly("admin", "billing");
    JsonArray events =
        callgate
            .admin("GET", "/v1/events?type=audit.console.signed_in,audit.key.created")
            .json()
            .getJsonArray("events");
    assertThat(events).hasSize(2);
    for (Object event : events) {
      JsonObject actor = ((JsonObject) event).getJsonObject("actor");
      assertThat(actor.getString("subject")).isEqualTo("admin");
      assertThat(actor.getString("keyId")).isEqualTo(session.body().getString("keyId"));
    }
    assertThat(((JsonObject) events.getValue(0)).getString("type"))
        .isEqualTo("audit.console.signed_in");
  }

  @Test
  void signInWhenKeyIsWrongOrNotAnAdminsOrNotJsonThenRefusedWithoutEchoingIt() {
    callgate = CallgateUnderTest.start();
    String callerKey = callgate.callerKey("billing");
    String wrongKey = TestSecrets.register("a wrong key", "cg.0123456789abcdef.not-the-secret");

    Answer unknown = signInAnswer(wrongKey);
    Answer notAdmin = signInAnswer(callerKey);
    Answer form =
        signInAnswer("application/x-www-form-urlencoded", "key=" + CallgateUnderTest.ADMIN_KEY);

    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.error()).isEqualTo("UNAUTHENTICATED");
    assertThat(notAdmin.status()).isEqualTo(403);
    assertThat(notAdmin.error()).isEqualTo("FORBIDDEN");
    assertThat(form.status()).isEqualTo(415);
    for (Answer refused : List.of(unknown, notAdmin, form)) {
      assertThat(refused.headers().allValues("Set-Cookie")).isEmpty();
      assertThat(refused.body())
          .doesNotContain(wrongKey)
          .doesNotContain(callerKey)
          .doesNotContain(CallgateUnderTest.ADMIN_KEY)
          .doesNotContain("not-the-secret");
    }
    assertThat(callgate.anonymous("GET", "/console/session").status()).isEqualTo(401);
  }

  @Test
  void signOutWhenCsrfTokenIsSentThenTheCookieIsClearedAndRefusedEverywhere() {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    Answer forged = withCookie(session, "DELETE", "/console/session");
    assertThat(forged.status()).isEqualTo(403);
    assertThat(forged.error()).isEqualTo("CSRF_TOKEN_INVALID");
    assertThat(sessionOf(session).status()).isEqualTo(200);

    Answer signedOut = signOut(session);

    assertThat(signedOut.status()).isEqualTo(204);
    assertThat(signedOut.headers().allValues("Set-Cookie"))
        .anySatisfy(
            c -> assertThat(c).startsWith(COOKIE + "=;").contains("Max-Age=0").contains("Path=/"));
    assertThat(sessionOf(session).status()).isEqualTo(401);
    assertThat(sessionOf(session).error()).isEqualTo("UNAUTHENTICATED");
    assertThat(withCookie(session, "GET", "/v1/credentials").status()).isEqualTo(401);
    assertThat(
            callgate
                .admin("GET", "/v1/events?type=audit.console.signed_out")
                .json()
                .getJsonArray("events"))
        .hasSize(1);
  }

  @Test
  void cookieWhenTheSessionHasExpiredThenRefused() {
    callgate = CallgateUnderTest.start(Map.of(Configuration.CONSOLE_SESSION_TTL, "PT1S"));
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);
    assertThat(session.setCookie()).contains("Max-Age=1");
    assertThat(withCookie(session, "GET", "/v1/credentials").status()).isEqualTo(200);

    CallgateUnderTest.await(
        "the session to expire",
        Duration.ofSeconds(10),
        () -> withCookie(session, "GET", "/v1/credentials").status() == 401);

    assertThat(sessionOf(session).status()).isEqualTo(401);
  }

  @Test
  void cookieWhenItsKeyWasDeletedThenRefused() {
    callgate = CallgateUnderTest.start();
    Answer issued =
        callgate.admin(
            "POST",
            "/v1/keys",
            new JsonObject().put("subject", "ops").put("roles", new JsonArray().add("admin")));
    Session session = signIn(issued.json().getString("key"));
    assertThat(session.body().getString("subject")).isEqualTo("ops");
    assertThat(withCookie(session, "GET", "/v1/credentials").status()).isEqualTo(200);

    Answer deleted = callgate.admin("DELETE", "/v1/keys/" + issued.json().getString("id"));
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);

    assertThat(withCookie(session, "GET", "/v1/credentials").status()).isEqualTo(401);
    assertThat(sessionOf(session).status()).isEqualTo(401);
  }

  @Test
  void cookieWhenTheServiceRestartedThenTheSessionLastsOn() {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    callgate.restart();

    assertThat(sessionOf(session).json()).isEqualTo(session.body());
    assertThat(createKey(session, Map.of("X-CSRF-Token", session.csrfToken())).status())
        .isEqualTo(201);
  }

  @Test
  void cookieWhenOnACalloutOrBesideABearerKeyThenOnlyTheKeyCounts() {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);
    String callerKey = callgate.callerKey("billing");

    Answer callout = withCookie(session, "GET", "/v1/callout/crm/accounts");
    Answer asCaller =
        callgate.send(
            Optional.of(callerKey), "GET", "/v1/keys", null, Map.of("Cookie", session.cookie()));

    assertThat(callout.status()).isEqualTo(401);
    assertThat(callout.error()).isEqualTo("UNAUTHENTICATED");
    assertThat(asCaller.status()).isEqualTo(403);
    assertThat(asCaller.error()).isEqualTo("FORBIDDEN");
  }

  @Test
  void eventStreamWhenOpenedWithTheCookieThenStreams() throws Exception {
    callgate = CallgateUnderTest.start();
    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    HttpResponse<InputStream> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(callgate.base().resolve("/v1/events"))
                    .header("Accept", "text/event-stream")
                    .header("Cookie", session.cookie())
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = stream.body()) {
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    } catch (IOException ignored) {
      // the stream is closed while it is open: what was checked was checked
    }
  }

  @Test
  void signInWhenThePublicUrlIsHttpsThenTheCookieIsSecure() {
    callgate =
        CallgateUnderTest.start(Map.of(Configuration.PUBLIC_URL, "https://callgate.example"));

    Session session = signIn(CallgateUnderTest.ADMIN_KEY);

    assertThat(session.setCookie()).contains("; Secure");
    Answer cleared = signOut(session);
    assertThat(cleared.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).contains("; Secure"));
  }
}
