package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.runtime.EventTail;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.AuthProviderDraft;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.EventFeed;
import dev.callgate.core.service.FleetStatus;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/events} as JSON pages and as a live view, and {@code GET /v1/status}, over the
 * in-memory stores, a real HTTP server and the instance's real log reader ({@link EventTail}).
 */
class EventsApiTest {
  private static final String ADMIN_KEY = "an-admin-key-for-the-events-tests";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private final ManualClock clock = new ManualClock();
  private final InMemoryTokenStore tokens = new InMemoryTokenStore();
  private final InMemoryCredentialStore credentials = new InMemoryCredentialStore(tokens);
  private final InMemoryEventLog log = tokens.eventLog();
  private final HeardChanges changes = new HeardChanges();
  private final List<RecordedEvent> ownEvents = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private EventTail tail;
  private HttpServer server;
  private String callerKey;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    ApiKeys keys =
        new ApiKeys(
            new InMemoryApiKeyStore(),
            new EventSource("instance-1", clock),
            new SplittableRandom(1),
            Optional.of(Secret.of(ADMIN_KEY)));
    keys.bootstrap().toCompletableFuture().join();
    callerKey =
        keys.create("app", Set.of(Caller.Role.CALLER)).toCompletableFuture().join().key().reveal();
    tail =
        new EventTail(
            vertx,
            log,
            changes,
            "instance-1",
            ownEvents::add,
            // while the feed listens, only its news wakes the reader in these tests
            new EventTail.Settings(Duration.ofMinutes(10), Duration.ofMillis(100)));
    tail.start().await();
    Router router = Router.router(vertx);
    router.route("/v1/*").handler(Http.authenticate(keys, false));
    new EventRoutes(new EventFeed(log), tail, new EventStream.Settings(Duration.ofMillis(300), 5))
        .mount(router);
    new FleetStatusRoute(
            new FleetStatus(credentials, tokens, new TokenStatuses(credentials, tokens, clock)))
        .mount(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    tail.stop();
    vertx.close().await();
  }

  @Test
  void eventsWhenReadAsJsonThenEachEventHasTheContractShape() throws Exception {
    append(
        new Event(
            EventType.GRANT_LOST,
            T0,
            Optional.of("crm"),
            Optional.of("alice"),
            "instance-1",
            Optional.of(
                Diagnosis.of(
                    DiagnosisCode.NOT_AUTHORIZED_YET, "credential", "crm", "principal", "alice")),
            Optional.empty(),
            Map.of("cause", "revoked", "attempts", "3")),
        new Event(
            EventType.AUDIT_KEY_CREATED,
            T0.plusSeconds(1),
            Optional.empty(),
            Optional.empty(),
            "instance-2",
            Optional.empty(),
            Optional.of(new Actor("ops", "k_123", "req-9")),
            Map.of("keyId", "k_456")));

    JsonObject page = get("/v1/events", ADMIN_KEY).json();

    Diagnosis notYet =
        Diagnosis.of(DiagnosisCode.NOT_AUTHORIZED_YET, "credential", "crm", "principal", "alice");
    assertThat(page)
        .isEqualTo(
            new JsonObject()
                .put(
                    "events",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("id", "1")
                                .put("type", "grant.lost")
                                .put("time", "2030-01-01T00:00:00Z")
                                .put("credential", "crm")
                                .put("user", "alice")
                                .put("instance", "instance-1")
                                .put(
                                    "diagnosis",
                                    new JsonObject()
                                        .put("code", "NOT_AUTHORIZED_YET")
                                        .put("message", notYet.message())
                                        .put("remedy", notYet.remedy()))
                                .put(
                                    "details",
                                    new JsonObject().put("attempts", "3").put("cause", "revoked")))
                        .add(
                            new JsonObject()
                                .put("id", "2")
                                .put("type", "audit.key.created")
                                .put("time", "2030-01-01T00:00:01Z")
                                .put("credential", null)
                                .put("user", null)
                                .put("instance", "instance-2")
                                .put(
                                    "actor",
                                    new JsonObject()
                                        .put("subject", "ops")
                                        .put("keyId", "k_123")
                                        .put("requestId", "req-9"))
                                .put("details", new JsonObject().put("keyId", "k_456"))))
                .put("next", "2"));
  }

  @Test
  void eventsWhenPagedThenNextLeadsThroughEveryEventAndThenStays() throws Exception {
    for (int i = 0; i < 5; i++) {
      append(event(EventType.TOKEN_REFRESHED, "crm", ""));
    }
    List<String> ids = new ArrayList<>();
    String next = "0";
    for (int pages = 0; pages < 3; pages++) {
      JsonObject page = get("/v1/events?limit=2&after=" + next, ADMIN_KEY).json();
      page.getJsonArray("events").forEach(e -> ids.add(((JsonObject) e).getString("id")));
      next = page.getString("next");
    }

    assertThat(ids).containsExactly("1", "2", "3", "4", "5");
    assertThat(next).isEqualTo("5");
    JsonObject empty = get("/v1/events?after=5", ADMIN_KEY).json();
    assertThat(empty.getJsonArray("events")).isEmpty();
    assertThat(empty.getString("next")).isEqualTo("5");
  }

  @Test
  void eventsWhenFilteredByCredentialUserAndTypesThenOnlyThoseMatching() throws Exception {
    append(
        event(EventType.GRANT_LOST, "crm", "alice"),
        event(EventType.GRANT_LOST, "crm", "bob"),
        event(EventType.TOKEN_REFRESHED, "crm", "alice"),
        event(EventType.GRANT_RECOVERED, "erp", "alice"),
        event(EventType.EXPIRY_AHEAD, "crm", "alice"));

    assertThat(ids("/v1/events?credential=crm")).containsExactly("1", "2", "3", "5");
    assertThat(ids("/v1/events?user=alice&credential=crm")).containsExactly("1", "3", "5");
    assertThat(ids("/v1/events?type=grant.lost,grant.recovered")).containsExactly("1", "2", "4");
    assertThat(ids("/v1/events?type=grant.lost&type=expiry.ahead&user=alice"))
        .containsExactly("1", "5");
    JsonObject filtered = get("/v1/events?type=grant.recovered", ADMIN_KEY).json();
    assertThat(filtered.getJsonArray("events")).hasSize(1);
    // the cursor moves past what the filter skipped, so the next poll does not read it again
    assertThat(filtered.getString("next")).isEqualTo("5");
  }

  @Test
  void eventsWhenTheQueryIsBadThenProblemsWithACodeNeverA500() throws Exception {
    assertProblem(get("/v1/events?type=grant.found", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/events?after=abc", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/events?after=-3", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/events?limit=501", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/events?limit=0", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/events", callerKey), 403, "FORBIDDEN");
    try (SseClient stream = SseClient.open(port(), "/v1/events?type=nope", admin())) {
      assertThat(stream.status()).isEqualTo(400);
      assertThat(stream.head()).contains("Callgate-Error: INVALID_VALUE");
    }
    try (SseClient stream =
        SseClient.open(port(), "/v1/events", Map.of("Authorization", "Bearer " + callerKey))) {
      assertThat(stream.status()).isEqualTo(403);
    }
  }

  @Test
  void streamWhenOpenedThenStoredEventsThenLiveOnesAsTheyAreRecorded() {
    append(event(EventType.GRANT_LOST, "crm", ""), event(EventType.TOKEN_REFRESHED, "erp", ""));

    try (SseClient stream = SseClient.open(port(), "/v1/events?credential=crm", admin())) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.head()).containsIgnoringCase("Content-Type: text/event-stream");
      stream.reading();
      List<Map<String, String>> stored = stream.events(1, WAIT);
      assertThat(stored.get(0)).containsEntry("id", "1").containsEntry("event", "grant.lost");
      assertThat(new JsonObject(stored.get(0).get("data")))
          .isEqualTo(EventJson.of(new RecordedEvent(1, log.all().get(0))));

      append(
          event(EventType.TOKEN_REFRESHED, "erp", ""), event(EventType.GRANT_RECOVERED, "crm", ""));
      changes.announce(new StoreChange.EventsAppended());

      List<Map<String, String>> live = stream.events(1, WAIT);
      assertThat(live.get(0)).containsEntry("id", "4").containsEntry("event", "grant.recovered");
    }
  }

  @Test
  void streamWhenLastEventIdIsSentThenResumesAfterItRatherThanAfter() {
    append(
        event(EventType.TOKEN_REFRESHED, "crm", ""),
        event(EventType.TOKEN_REFRESHED, "crm", ""),
        event(EventType.TOKEN_REFRESHED, "crm", ""));

    Map<String, String> headers = new java.util.HashMap<>(admin());
    headers.put("Last-Event-ID", "2");
    try (SseClient stream = SseClient.open(port(), "/v1/events?after=0", headers).reading()) {
      assertThat(stream.events(1, WAIT).get(0)).containsEntry("id", "3");
    }
  }

  @Test
  void streamWhenNothingHappensThenHeartbeatCommentsKeepItOpen() {
    try (SseClient stream = SseClient.open(port(), "/v1/events", admin()).reading()) {
      assertThat(stream.until(": heartbeat"::equals, WAIT)).isEqualTo(": heartbeat");
      assertThat(stream.until(": heartbeat"::equals, WAIT)).isEqualTo(": heartbeat");
    }
  }

  @Test
  void streamWhenTheClientGoesAwayThenTheViewStopsFollowing() {
    SseClient stream = SseClient.open(port(), "/v1/events", admin()).reading();
    stream.until(line -> line.startsWith(": events after"), WAIT);
    eventually(() -> tail.followers() == 1);

    stream.close();

    eventually(() -> tail.followers() == 0);
  }

  @Test
  void streamWhenTheClientCannotKeepUpThenItIsEndedWithAFinalComment() {
    SseClient stream = SseClient.open(port(), "/v1/events", admin());
    eventually(() -> tail.followers() == 1);
    // the client reads nothing: once the socket's buffers are full, live events queue up in the
    // view, and more than five end it
    for (int batch = 0; batch < 400 && tail.followers() > 0; batch++) {
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        events.add(
            new Event(
                EventType.TOKEN_REFRESHED,
                T0,
                Optional.of("crm"),
                Optional.empty(),
                "instance-2",
                Optional.empty(),
                Optional.empty(),
                Map.of("padding", "x".repeat(1000))));
      }
      append(events.toArray(Event[]::new));
      changes.announce(new StoreChange.EventsAppended());
      sleep(5);
    }
    eventually(() -> tail.followers() == 0);

    stream.reading();
    assertThat(stream.until(line -> line.startsWith(": this view fell"), Duration.ofSeconds(30)))
        .isEqualTo(": this view fell more than 5 events behind; reconnect");
    assertThat(stream.line(WAIT)).isEmpty();
    assertThat(stream.line(WAIT)).isEqualTo(SseClient.ENDED);
    stream.close();
  }

  @Test
  void tailWhenEventsAreRecordedThenHandsOnlyThisInstancesNewOnesToItsLogLines() {
    // recorded before the reader reached the end of the log at start: a predecessor's to log
    assertThat(ownEvents).isEmpty();
    append(
        event(EventType.GRANT_LOST, "crm", ""),
        new Event(
            EventType.GRANT_LOST,
            T0,
            Optional.of("erp"),
            Optional.empty(),
            "instance-2",
            Optional.empty(),
            Optional.empty(),
            Map.of()));
    changes.announce(new StoreChange.EventsAppended());

    eventually(() -> ownEvents.size() == 1);
    assertThat(ownEvents.get(0).event().credential()).contains("crm");
  }

  @Test
  void tailWhenStartedOnAKeptLogThenBeginsAtItsEndAndLogsOnlyWhatFollows() {
    append(
        event(EventType.GRANT_LOST, "crm", ""),
        event(EventType.GRANT_LOST, "crm", ""),
        event(EventType.GRANT_LOST, "crm", ""));
    List<RecordedEvent> logged = new CopyOnWriteArrayList<>();
    List<List<RecordedEvent>> batches = new CopyOnWriteArrayList<>();
    EventTail restarted =
        new EventTail(
            vertx,
            log,
            changes,
            "instance-1",
            logged::add,
            new EventTail.Settings(Duration.ofMinutes(10), Duration.ofMinutes(10)));
    restarted.follow(batches::add);
    restarted.start().await();
    try {
      append(event(EventType.GRANT_RECOVERED, "crm", ""));
      changes.announce(new StoreChange.EventsAppended());

      eventually(() -> logged.size() == 1);
      assertThat(logged.get(0).id()).isEqualTo(4);
      // the reader never read the kept events: its first batch is the new one
      assertThat(batches.get(0)).extracting(RecordedEvent::id).containsExactly(4L);
    } finally {
      restarted.stop();
    }
  }

  @Test
  void tailWhenTheFeedIsDeafThenReadsOnItsOwnTimer() {
    changes.listening(false);
    // the reader's next wait is chosen after a read: one announcement, then silence
    changes.announce(new StoreChange.EventsAppended());
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    tail.follow(seen::addAll);

    append(event(EventType.GRANT_LOST, "crm", ""));

    eventually(() -> seen.size() == 1);
  }

  @Test
  void statusWhenFilteredByStateThenOnlyCredentialsWithSuchTokens() throws Exception {
    AuthProvider provider =
        valid(
            new AuthProviderDraft(
                    "idp",
                    InMemoryIdentityProvider.ISSUER,
                    null,
                    null,
                    null,
                    "callgate-client",
                    "client-secret",
                    null,
                    List.of("openid"),
                    null)
                .validate());
    credentials.saveProvider(provider).toCompletableFuture().join();
    NamedCredential crm =
        valid(
            new CredentialDraft(
                    "crm",
                    "https://api.test/v1",
                    "oauth2_authorization_code",
                    "named",
                    "idp",
                    true,
                    false,
                    false,
                    List.of("app"),
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null)
                .validate());
    credentials.saveCredential(crm).toCompletableFuture().join();

    JsonObject all = get("/v1/status", ADMIN_KEY).json();
    JsonObject first = all.getJsonArray("credentials").getJsonObject(0);
    assertThat(first.getString("name")).isEqualTo("crm");
    assertThat(first.getString("principal")).isEqualTo("named");
    assertThat(first.getString("protocol")).isEqualTo("oauth2_authorization_code");
    JsonObject token = first.getJsonArray("tokens").getJsonObject(0);
    assertThat(token.getString("state")).isEqualTo("UNAUTHORIZED");
    assertThat(token.fieldNames())
        .contains(
            "accessTokenExpiresAt",
            "refreshTokenExpiresAt",
            "lastRefreshAt",
            "nextRefreshAt",
            "diagnoses");
    assertThat(get("/v1/status?state=UNAUTHORIZED", ADMIN_KEY).json()).isEqualTo(all);
    assertThat(get("/v1/status?state=ACTIVE,REFRESH_FAILED", ADMIN_KEY).json())
        .isEqualTo(new JsonObject().put("credentials", new JsonArray()));
    assertProblem(get("/v1/status?state=BROKEN", ADMIN_KEY), 400, "INVALID_VALUE");
    assertProblem(get("/v1/status", callerKey), 403, "FORBIDDEN");
  }

  private record Answer(int status, String contentType, String error, String body) {
    JsonObject json() {
      assertThat(status).as(body).isEqualTo(200);
      return new JsonObject(body);
    }
  }

  private Answer get(String path, String key) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .header("Authorization", "Bearer " + key)
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.headers().firstValue("Callgate-Error").orElse("none"),
        response.body());
  }

  private List<String> ids(String path) throws Exception {
    List<String> ids = new ArrayList<>();
    get(path, ADMIN_KEY)
        .json()
        .getJsonArray("events")
        .forEach(e -> ids.add(((JsonObject) e).getString("id")));
    return ids;
  }

  private static void assertProblem(Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.contentType()).isEqualTo("application/problem+json");
    assertThat(answer.error()).isEqualTo(code);
    assertThat(new JsonObject(answer.body()).getString("code")).isEqualTo(code);
  }

  private void append(Event... events) {
    log.record(List.of(events));
  }

  private static Event event(EventType type, String credential, String user) {
    return new Event(
        type,
        T0,
        Optional.of(credential),
        user.isEmpty() ? Optional.empty() : Optional.of(user),
        "instance-1",
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }

  private int port() {
    return server.actualPort();
  }

  private static Map<String, String> admin() {
    return Map.of("Authorization", "Bearer " + ADMIN_KEY);
  }

  private static <T> T valid(Validated<T> validated) {
    assertThat(validated.problems()).isEmpty();
    return ((Validated.Valid<T>) validated).value();
  }

  private static void eventually(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the condition did not come true within 10 s");
      }
      sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
