package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.cluster.PostgresServer;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.http.SseClient;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL (a private server): an event one of them records reaches a live
 * view on the other, and is logged and counted by the instance that recorded it alone.
 */
class EventsOnPostgresTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private PostgresServer postgres;
  private CallgateUnderTest a;
  private CallgateUnderTest b;

  @BeforeEach
  void start() throws Exception {
    postgres = PostgresServer.create();
    String url = postgres.createDatabase("events");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String masterKey = Base64.getEncoder().encodeToString(key);
    a = CallgateUnderTest.start(settings(url, masterKey, "callgate-a"));
    b = CallgateUnderTest.start(settings(url, masterKey, "callgate-b"));
  }

  @AfterEach
  void stop() throws Exception {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void eventWhenRecordedByOneInstanceThenLiveOnTheOtherAndCountedOnceInTheCluster() {
    Map<String, String> admin = Map.of("Authorization", "Bearer " + CallgateUnderTest.ADMIN_KEY);
    try (SseClient onB =
        SseClient.open(b.base().getPort(), "/v1/events?type=audit.key.created", admin).reading()) {
      onB.until(line -> line.startsWith(": events after"), WAIT);

      a.callerKey("alice");

      Map<String, String> live = onB.events(1, WAIT).get(0);
      JsonObject event = new JsonObject(live.get("data"));
      assertThat(event.getString("instance")).isEqualTo("callgate-a");
      assertThat(event.getJsonObject("details").getString("subject")).isEqualTo("alice");
    }
    CallgateUnderTest.await(
        "instance a counts the event it recorded",
        WAIT,
        () -> a.metrics().contains("callgate_events_total{type=\"audit.key.created\"} 1.0"));
    // b read the event (its live view had it) but did not record it: not b's to count
    assertThat(b.metrics()).contains("callgate_events_total{type=\"audit.key.created\"} 0.0");
    assertThat(b.admin("GET", "/v1/events").json().getJsonArray("events")).hasSize(1);
  }

  private static Map<String, String> settings(String url, String masterKey, String instance) {
    return Map.of(
        Configuration.DB_URL,
        url,
        Configuration.MASTER_KEY,
        masterKey,
        Configuration.INSTANCE_ID,
        instance);
  }
}
