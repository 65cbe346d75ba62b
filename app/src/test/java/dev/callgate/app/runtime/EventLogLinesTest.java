package dev.callgate.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.metrics.CallgateMetrics;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class EventLogLinesTest {
  private static final RecordedEvent GRANT_LOST =
      new RecordedEvent(
          42,
          new Event(
              EventType.GRANT_LOST,
              Instant.parse("2030-01-01T00:00:00Z"),
              Optional.of("crm"),
              Optional.of("alice"),
              "callgate-1",
              Optional.of(
                  Diagnosis.of(
                      DiagnosisCode.NOT_AUTHORIZED_YET, "credential", "crm", "principal", "alice")),
              Optional.empty(),
              Map.of("cause", "revoked")));

  private static final RecordedEvent KEY_CREATED =
      new RecordedEvent(
          43,
          new Event(
              EventType.AUDIT_KEY_CREATED,
              Instant.parse("2030-01-01T00:00:01Z"),
              Optional.empty(),
              Optional.empty(),
              "callgate-1",
              Optional.empty(),
              Optional.of(new Actor("ops", "k_1", "req-1")),
              Map.of("keyId", "k_2", "subject", "billing")));

  @Test
  void keyValuesWhenAnEventHasEveryFactThenEachInOrderAndNoDetail() {
    assertThat(EventLogLines.keyValues(GRANT_LOST))
        .containsExactly(
            Map.entry("eventId", "42"),
            Map.entry("eventType", "grant.lost"),
            Map.entry("credential", "crm"),
            Map.entry("user", "alice"),
            Map.entry("diagnosisCode", "NOT_AUTHORIZED_YET"));
    assertThat(EventLogLines.keyValues(KEY_CREATED))
        .containsExactly(
            Map.entry("eventId", "43"),
            Map.entry("eventType", "audit.key.created"),
            Map.entry("actorSubject", "ops"));
  }

  @Test
  void messageWhenReadWithoutFieldsThenSaysWhatHappenedToWhat() {
    assertThat(EventLogLines.message(GRANT_LOST))
        .isEqualTo("event grant.lost credential=crm user=alice code=NOT_AUTHORIZED_YET");
    assertThat(EventLogLines.message(KEY_CREATED)).isEqualTo("event audit.key.created by=ops");
  }

  @Test
  void levelWhenAPersonMustActThenWarnElseInfo() {
    assertThat(EventLogLines.level(EventType.GRANT_LOST)).isEqualTo(Level.WARN);
    assertThat(EventLogLines.level(EventType.EXPIRY_AHEAD)).isEqualTo(Level.WARN);
    assertThat(EventLogLines.level(EventType.TOKEN_REFRESHED)).isEqualTo(Level.INFO);
    assertThat(EventLogLines.level(EventType.AUDIT_KEY_CREATED)).isEqualTo(Level.INFO);
  }

  @Test
  void acceptWhenAnEventIsLoggedThenCountedUnderItsTypeAndEveryTypeHasASeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EventLogLines lines = new EventLogLines(new CallgateMetrics(registry));

    lines.accept(GRANT_LOST);
    lines.accept(GRANT_LOST);

    String scrape = registry.scrape();
    assertThat(scrape).contains("callgate_events_total{type=\"grant.lost\"} 2.0");
    assertThat(scrape).contains("callgate_events_total{type=\"audit.webhook.deleted\"} 0.0");
  }
}
