package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.http.SseClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The events API, live views, the events counter and the fleet status of Callgate as it runs — its
 * embedded store, its log reader — with events that real admin actions recorded.
 */
class EventsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private CallgateUnderTest callgate;

  @BeforeEach
  void start() {
    callgate = CallgateUnderTest.start();
  }

  @AfterEach
  void stop() {
    callgate.close();
  }

  @Test
  void eventsWhenAdminsActThenEveryAuditEventIsReadPageByPageAndByFilter() {
    callgate.callerKey("alice");
    callgate.callerKey("bob");
    callgate.callerKey("carol");
    provider();
    credential("crm", "named");

    List<JsonObject> all = new ArrayList<>();
    String next = "0";
    for (int page = 0; page < 3; page++) {
      JsonObject answer = ok(callgate.admin("GET", "/v1/events?limit=2&after=" + next));
      answer.getJsonArray("events").forEach(e -> all.add((JsonObject) e));
      next = answer.getString("next");
    }
    assertThat(all)
        .extracting(e -> e.getString("type"))
        .containsExactly(
            "audit.key.created",
            "audit.key.created",
            "audit.key.created",
            "audit.provider.saved",
            "audit.credential.saved");
    assertThat(all).extracting(e -> e.getString("id")).isSorted().doesNotHaveDuplicates();
    JsonObject firstKey = all.get(0);
    assertThat(firstKey.getJsonObject("details").getString("subject")).isEqualTo("alice");
    assertThat(firstKey.getJsonObject("actor").getString("subject")).isNotBlank();
    assertThat(firstKey.getJsonObject("actor").getString("requestId")).isNotBlank();
    assertThat(firstKey.getString("time")).endsWith("Z");
    assertThat(firstKey.getString("instance")).isNotBlank();
    assertThat(firstKey.encode()).doesNotContain("cg_").doesNotContain("client-secret-value");
    // polling on from the last cursor finds nothing new, and keeps the cursor
    JsonObject after = ok(callgate.admin("GET", "/v1/events?after=" + next));
    assertThat(after.getJsonArray("events")).isEmpty();
    assertThat(after.getString("next")).isEqualTo(next);

    assertThat(types("/v1/events?type=audit.key.created")).hasSize(3);
    assertThat(types("/v1/events?credential=crm")).containsExactly("audit.credential.saved");
    assertThat(types("/v1/events?type=audit.provider.saved,audit.credential.saved"))
        .containsExactly("audit.provider.saved", "audit.credential.saved");
    assertThat(types("/v1/events?type=audit.key.created&type=audit.provider.saved&limit=1"))
        .containsExactly("audit.key.created");
  }

  @Test
  void eventsWhenUsersStartAuthorizationsThenTheUserFilterFindsEachOnesOwn() throws Exception {
    JsonArray alices;
    try (NodeOidcProvider idp =
        NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(60), Duration.ofSeconds(120))) {
      callgate.provider(
          new JsonObject()
              .put("name", "idp")
              .put("issuer", idp.issuer().toString())
              .put("clientId", NodeOidcProvider.CLIENT_ID)
              .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
              .put("scopes", new JsonArray().add("openid").add("offline_access")));
      credential("team", "per_user");
      String alice = callgate.callerKey("alice");
      String bob = callgate.callerKey("bob");
      callgate.authorizationUrl(alice, "team", Optional.empty());
      callgate.authorizationUrl(bob, "team", Optional.empty());

      alices = ok(callgate.admin("GET", "/v1/events?user=alice")).getJsonArray("events");
    }

    assertThat(alices).isNotEmpty();
    alices.forEach(
        e -> {
          assertThat(((JsonObject) e).getString("user")).isEqualTo("alice");
          assertThat(((JsonObject) e).getString("credential")).isEqualTo("team");
        });
    assertThat(alices.stream().map(e -> ((JsonObject) e).getString("type")))
        .contains("authorization.started");
  }

  @Test
  void eventsWhenTheRequestIsWrongThenProblemsNotPages() {
    String caller = callgate.callerKey("alice");

    Answer unknownType = callgate.admin("GET", "/v1/events?type=grant.found");
    Answer badCursor = callgate.admin("GET", "/v1/events?after=yesterday");
    Answer tooMany = callgate.admin("GET", "/v1/events?limit=100000");
    Answer notAdmin = callgate.as(caller, "GET", "/v1/events");

    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(unknownType.error()).isEqualTo("INVALID_VALUE");
    assertThat(unknownType.json().getString("detail")).contains("'grant.found'");
    assertThat(badCursor.status()).isEqualTo(400);
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(notAdmin.status()).isEqualTo(403);
    assertThat(notAdmin.error()).isEqualTo("FORBIDDEN");
  }

  @Test
  void streamWhenOpenedThenStoredEventsThenEachNewOneAsAnAdminActs() {
    callgate.callerKey("alice");
    Map<String, String> admin = Map.of("Authorization", "Bearer " + CallgateUnderTest.ADMIN_KEY);

    try (SseClient stream =
        SseClient.open(callgate.base().getPort(), "/v1/events?type=audit.key.created", admin)
            .reading()) {
      Map<String, String> stored = stream.events(1, WAIT).get(0);
      assertThat(stored).containsEntry("event", "audit.key.created");
      assertThat(new JsonObject(stored.get("data")).getJsonObject("details").getString("subject"))
          .isEqualTo("alice");

      provider();
      callgate.callerKey("bob");

      Map<String, String> live = stream.events(1, WAIT).get(0);
      assertThat(live).containsEntry("event", "audit.key.created");
      assertThat(Long.parseLong(live.get("id"))).isGreaterThan(Long.parseLong(stored.get("id")));
      JsonObject data = new JsonObject(live.get("data"));
      assertThat(data.getString("id")).isEqualTo(live.get("id"));
      assertThat(data.getJsonObject("details").getString("subject")).isEqualTo("bob");
    }
  }

  @Test
  void metricsWhenEventsAreRecordedThenCountedByTypeOnceEach() {
    assertThat(callgate.metrics()).contains("callgate_events_total{type=\"grant.lost\"} 0.0");

    callgate.callerKey("alice");
    callgate.callerKey("bob");

    CallgateUnderTest.await(
        "two key creations counted",
        WAIT,
        () -> callgate.metrics().contains("callgate_events_total{type=\"audit.key.created\"} 2.0"));
  }

  @Test
  void statusWhenFilteredByStateThenWhatNeedsAHumanInOneCall() {
    provider();
    credential("crm", "named");
    credential("team", "per_user");
    callgate.credential(
        new JsonObject()
            .put("name", "plain")
            .put("url", "https://api.example.com")
            .put("protocol", "basic")
            .put("username", "svc")
            .put("password", "a-password"));

    JsonObject all = ok(callgate.admin("GET", "/v1/status"));
    JsonObject needsHuman = ok(callgate.admin("GET", "/v1/status?state=UNAUTHORIZED"));
    JsonObject active = ok(callgate.admin("GET", "/v1/status?state=ACTIVE&state=REFRESH_FAILED"));
    Answer unknown = callgate.admin("GET", "/v1/status?state=DEAD");

    JsonArray credentials = all.getJsonArray("credentials");
    assertThat(credentials.stream().map(c -> ((JsonObject) c).getString("name")))
        .containsExactly("crm", "plain", "team");
    JsonObject crm = credentials.getJsonObject(0);
    assertThat(crm.getString("principal")).isEqualTo("named");
    assertThat(crm.getJsonArray("tokens").getJsonObject(0).getString("state"))
        .isEqualTo("UNAUTHORIZED");
    assertThat(credentials.getJsonObject(1).getJsonArray("tokens")).isEmpty();
    assertThat(credentials.getJsonObject(2).getJsonArray("tokens")).isEmpty();
    assertThat(needsHuman.getJsonArray("credentials")).hasSize(1);
    assertThat(needsHuman.getJsonArray("credentials").getJsonObject(0).getString("name"))
        .isEqualTo("crm");
    assertThat(active.getJsonArray("credentials")).isEmpty();
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.error()).isEqualTo("INVALID_VALUE");
  }

  private void provider() {
    // endpoints given, so saving asks no identity provider anything
    callgate.provider(
        new JsonObject()
            .put("name", "idp")
            .put("issuer", "http://127.0.0.1:9/idp")
            .put("authorizationEndpoint", "http://127.0.0.1:9/idp/authorize")
            .put("tokenEndpoint", "http://127.0.0.1:9/idp/token")
            .put("clientId", "callgate")
            .put("clientSecret", "client-secret-value")
            .put("scopes", new JsonArray().add("openid").add("offline_access")));
  }

  private void credential(String name, String principal) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", "https://api.example.com")
            .put("protocol", "oauth2_authorization_code")
            .put("principal", principal)
            .put("provider", "idp")
            .put("allowedCallers", new JsonArray().add("alice").add("bob")));
  }

  private List<String> types(String path) {
    List<String> types = new ArrayList<>();
    ok(callgate.admin("GET", path))
        .getJsonArray("events")
        .forEach(e -> types.add(((JsonObject) e).getString("type")));
    return types;
  }

  private static JsonObject ok(Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }
}
