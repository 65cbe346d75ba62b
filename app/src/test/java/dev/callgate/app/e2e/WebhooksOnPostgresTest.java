package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.cluster.PostgresServer;
import dev.callgate.app.config.Configuration;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL (a private server) and one receiver: the instance that holds the
 * dispatch lease sends every event, whichever instance recorded it, each once; when it stops, the
 * other takes the lease over once it runs out and sends on.
 */
class WebhooksOnPostgresTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PostgresServer postgres;
  private CallgateUnderTest a;
  private CallgateUnderTest b;
  private Vertx vertx;
  private final List<JsonObject> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    postgres = PostgresServer.create();
    String url = postgres.createDatabase("webhooks");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String masterKey = Base64.getEncoder().encodeToString(key);
    a = CallgateUnderTest.start(settings(url, masterKey, "callgate-a"));
    b = CallgateUnderTest.start(settings(url, masterKey, "callgate-b"));
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void webhookWhenTwoInstancesRunThenTheLeaseHolderSendsEachEventOnceAndTheOtherTakesOver()
      throws Exception {
    int port =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              accepted.add(
                                  new JsonObject(body.toString())
                                      .put("webhookId", request.getHeader("webhook-id")));
                              request.response().setStatusCode(204).end();
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .actualPort();
    assertThat(
            a.admin(
                    "POST",
                    "/v1/webhooks",
                    new JsonObject().put("url", "http://127.0.0.1:" + port + "/in"))
                .status())
        .isEqualTo(201);
    a.callerKey("alice");
    b.callerKey("bob");
    a.callerKey("carol");
    b.callerKey("dave");
    CallgateUnderTest.await("every event is delivered", WAIT, () -> accepted.size() >= 5);
    Thread.sleep(2000); // a second sender, were there one, would have sent by now
    assertThat(accepted).hasSize(5);
    assertThat(accepted.stream().map(e -> e.getString("webhookId")).toList())
        .doesNotHaveDuplicates();
    assertThat(accepted)
        .extracting(e -> e.getJsonObject("data").getString("instance"))
        .contains("callgate-a", "callgate-b");
    double sentByA = delivered(a);
    double sentByB = delivered(b);
    assertThat(sentByA + sentByB).isEqualTo(5.0);
    assertThat(sentByA == 0 || sentByB == 0)
        .as("one instance sends: a %s, b %s", sentByA, sentByB)
        .isTrue();

    CallgateUnderTest holder = sentByA > 0 ? a : b;
    CallgateUnderTest other = holder == a ? b : a;
    holder.close();
    if (holder == a) {
      a = null;
    } else {
      b = null;
    }
    other.callerKey("erin");
    CallgateUnderTest.await(
        "the other instance takes the lease over and sends", WAIT, () -> accepted.size() >= 6);
    assertThat(accepted.get(5).getJsonObject("data").getJsonObject("details").getString("subject"))
        .isEqualTo("erin");
    assertThat(delivered(other)).isEqualTo(1.0);
  }

  private static double delivered(CallgateUnderTest callgate) {
    return callgate.metric("callgate_webhook_deliveries_total{outcome=\"delivered\"}").orElse(-1);
  }

  private static Map<String, String> settings(String url, String masterKey, String instance) {
    return Map.of(
        Configuration.DB_URL,
        url,
        Configuration.MASTER_KEY,
        masterKey,
        Configuration.INSTANCE_ID,
        instance,
        // the dispatch lease lasts six timeouts: a stopped holder's runs out in 6 s
        Configuration.WEBHOOK_TIMEOUT,
        "PT1S");
  }
}
