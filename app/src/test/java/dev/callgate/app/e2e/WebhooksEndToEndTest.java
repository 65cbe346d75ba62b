package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks of Callgate as it runs, to a real receiver on loopback: subscribed through the API, sent
 * from the events real admin actions record, retried while the receiver answers 503 and while it is
 * gone, and received — every event, in order per credential, once accepted — when it is back. Every
 * request is verified by an independent Standard Webhooks implementation (the npm package).
 */
class WebhooksEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** How the receiver answers: it takes deliveries, refuses them with 503, or is not there. */
  enum Mode {
    UP,
    REFUSING,
    CLOSED
  }

  private CallgateUnderTest callgate;
  private Vertx vertx;
  private HttpServer receiver;
  private int port;
  private volatile Mode mode = Mode.UP;
  private final List<StandardWebhooksVerifier.Delivery> received = new CopyOnWriteArrayList<>();
  private final List<JsonObject> accepted = new CopyOnWriteArrayList<>();
  private final Set<String> created = new java.util.HashSet<>();

  @BeforeEach
  void start() throws Exception {
    callgate = CallgateUnderTest.start();
    vertx = Vertx.vertx();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    openReceiver();
  }

  @AfterEach
  void stop() throws Exception {
    callgate.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void openReceiver() throws Exception {
    receiver =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              Map<String, String> headers = new HashMap<>();
                              request
                                  .headers()
                                  .forEach(
                                      h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                              received.add(
                                  new StandardWebhooksVerifier.Delivery(headers, body.toString()));
                              if (mode == Mode.UP) {
                                accepted.add(
                                    new JsonObject(body.toString())
                                        .put("webhookId", headers.get("webhook-id")));
                                request.response().setStatusCode(204).end();
                              } else {
                                request.response().setStatusCode(503).end("down for maintenance");
                              }
                            }))
            .listen(port, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  private void closeReceiver() throws Exception {
    receiver.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void webhookWhenTheReceiverIsDownThenItReceivesEveryEventInOrderPerCredentialAndVerified()
      throws Exception {
    Answer created =
        callgate.admin(
            "POST",
            "/v1/webhooks",
            new JsonObject().put("url", "http://127.0.0.1:" + port + "/hooks/callgate"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String id = created.json().getString("id");
    String secret = created.json().getString("secret");
    assertThat(secret).startsWith("whsec_");
    CallgateUnderTest.await(
        "the webhook's own creation is delivered", WAIT, () -> accepted.size() == 1);
    assertThat(accepted.get(0).getString("type")).isEqualTo("audit.webhook.created");

    mode = Mode.REFUSING;
    provider();
    credential("crm", List.of("alice"));
    credential("billing", List.of("alice"));
    callgate.callerKey("bob");
    credential("crm", List.of("alice", "bob"));
    CallgateUnderTest.await("deliveries are refused and retried", WAIT, () -> received.size() >= 4);
    JsonObject failing = webhook(id);
    assertThat(failing.getString("failingSince")).isNotNull();
    assertThat(failing.getString("lastError")).isEqualTo("HTTP 503");
    assertThat(failing.getLong("pending")).isPositive();
    assertThat(failing.encode()).doesNotContain(secret);

    mode = Mode.CLOSED;
    closeReceiver();
    credential("billing", List.of("bob"));
    credential("crm", List.of("bob"));
    Thread.sleep(3000);
    mode = Mode.UP;
    openReceiver();

    List<JsonObject> events = eventsFrom(accepted.get(0).getJsonObject("data").getString("id"));
    Set<String> expected = events.stream().map(e -> e.getString("id")).collect(Collectors.toSet());
    assertThat(expected).hasSizeGreaterThanOrEqualTo(8);
    CallgateUnderTest.await(
        "every event is delivered once the receiver is back",
        WAIT,
        () ->
            accepted.stream()
                .map(a -> a.getString("webhookId"))
                .collect(Collectors.toSet())
                .containsAll(expected));

    List<String> acceptedIds = accepted.stream().map(a -> a.getString("webhookId")).toList();
    assertThat(acceptedIds).as("each event accepted exactly once").doesNotHaveDuplicates();
    Map<String, List<Long>> perCredential = new LinkedHashMap<>();
    for (JsonObject delivery : accepted) {
      JsonObject data = delivery.getJsonObject("data");
      assertThat(data.getString("id")).isEqualTo(delivery.getString("webhookId"));
      assertThat(delivery.getString("type")).isEqualTo(data.getString("type"));
      assertThat(delivery.getString("timestamp")).isEqualTo(data.getString("time"));
      perCredential
          .computeIfAbsent(String.valueOf(data.getString("credential")), c -> new ArrayList<>())
          .add(Long.parseLong(data.getString("id")));
    }
    assertThat(perCredential).containsKeys("crm", "billing", "null");
    perCredential.forEach((credential, ids) -> assertThat(ids).as(credential).isSorted());
    assertThat(accepted)
        .filteredOn(a -> "audit.credential.saved".equals(a.getString("type")))
        .allMatch(a -> a.getJsonObject("data").getJsonObject("actor") != null);

    List<StandardWebhooksVerifier.Verdict> verdicts =
        StandardWebhooksVerifier.verify(secret, received);
    assertThat(verdicts)
        .hasSize(received.size())
        .allMatch(StandardWebhooksVerifier.Verdict::verified);

    JsonArray deliveries =
        callgate
            .admin("GET", "/v1/webhooks/" + id + "/deliveries")
            .json()
            .getJsonArray("deliveries");
    assertThat(deliveries).hasSize(expected.size());
    List<JsonObject> rows = deliveries.stream().map(d -> (JsonObject) d).toList();
    assertThat(rows).allMatch(d -> d.getString("status").equals("delivered"));
    assertThat(rows).anyMatch(d -> d.getInteger("attempts") > 1);
    assertThat(rows).allMatch(d -> d.getString("nextAttemptAt") == null);
    CallgateUnderTest.await(
        "the webhook is healthy again", WAIT, () -> webhook(id).getString("failingSince") == null);
    assertThat(webhook(id).getLong("pending")).isZero();

    String metrics = callgate.anonymous("GET", "/metrics").body();
    assertThat(metrics).contains("callgate_webhook_pending ");
    assertThat(counter(metrics, "delivered")).isGreaterThanOrEqualTo(expected.size());
    assertThat(counter(metrics, "retried")).isPositive();
    assertThat(metrics).contains("callgate_webhook_deliveries_total{outcome=\"failed\"}");

    assertThat(callgate.admin("DELETE", "/v1/webhooks/" + id).status()).isEqualTo(204);
    Answer again = callgate.admin("DELETE", "/v1/webhooks/" + id);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().getString("code")).isEqualTo("WEBHOOK_NOT_FOUND");
    assertThat(callgate.admin("GET", "/v1/webhooks/" + id + "/deliveries").status()).isEqualTo(404);
  }

  @Test
  void subscribeWhenTheUrlOrAnEventTypeIsRefusedThenProblemsWithDiagnosisCodes() {
    Answer unknownType =
        callgate.admin(
            "POST",
            "/v1/webhooks",
            new JsonObject()
                .put("url", "https://hooks.example.com/in")
                .put("events", new JsonArray().add("grant.lost").add("grant.found")));
    assertThat(unknownType.status()).isEqualTo(400);
    assertThat(unknownType.json().getString("code")).isEqualTo("INVALID_VALUE");
    assertThat(unknownType.json().getString("detail")).contains("grant.found");

    for (String url :
        List.of(
            "http://hooks.example.com/in",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.7/in",
            "ftp://hooks.example.com/in")) {
      Answer refused = callgate.admin("POST", "/v1/webhooks", new JsonObject().put("url", url));
      assertThat(refused.status()).as(url).isEqualTo(400);
      assertThat(refused.json().getString("code")).as(url).isEqualTo("INVALID_URL");
    }
    Answer typed =
        callgate.admin(
            "POST",
            "/v1/webhooks",
            new JsonObject()
                .put("url", "https://hooks.example.com/in")
                .put("events", new JsonArray().add("grant.lost")));
    assertThat(typed.status()).isEqualTo(201);
    JsonArray listed = new JsonArray(callgate.admin("GET", "/v1/webhooks").body());
    assertThat(listed).hasSize(1);
    JsonObject webhook = listed.getJsonObject(0);
    assertThat(webhook.getJsonArray("events")).containsExactly("grant.lost");
    assertThat(webhook.containsKey("secret")).isFalse();
    assertThat(webhook.getString("createdAt")).endsWith("Z");
  }

  private JsonObject webhook(String id) {
    JsonArray all = new JsonArray(callgate.admin("GET", "/v1/webhooks").body());
    return all.stream()
        .map(w -> (JsonObject) w)
        .filter(w -> w.getString("id").equals(id))
        .findFirst()
        .orElseThrow();
  }

  /** The events from {@code firstId} on, as the events API lists them. */
  private List<JsonObject> eventsFrom(String firstId) {
    List<JsonObject> events = new ArrayList<>();
    String next = Long.toString(Long.parseLong(firstId) - 1);
    while (true) {
      JsonObject page = callgate.admin("GET", "/v1/events?after=" + next).json();
      page.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
      if (page.getJsonArray("events").isEmpty()) {
        return events;
      }
      next = page.getString("next");
    }
  }

  private static double counter(String metrics, String outcome) {
    return CallgateUnderTest.metric(
            metrics, "callgate_webhook_deliveries_total{outcome=\"" + outcome + "\"}")
        .orElse(-1);
  }

  private void provider() {
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

  private void credential(String name, List<String> callers) {
    boolean exists = !created.add(name);
    Answer saved =
        callgate.admin(
            exists ? "PUT" : "POST",
            exists ? "/v1/credentials/" + name : "/v1/credentials",
            new JsonObject()
                .put("name", name)
                .put("url", "https://api.example.com")
                .put("protocol", "oauth2_authorization_code")
                .put("principal", "named")
                .put("provider", "idp")
                .put("allowedCallers", new JsonArray(callers)));
    assertThat(saved.status()).as(saved.body()).isIn(200, 201);
  }
}
