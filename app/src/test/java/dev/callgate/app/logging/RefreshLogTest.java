package dev.callgate.app.logging;

import static dev.callgate.core.diagnosis.DiagnosisCode.REFRESH_FAILED_TRANSIENT;
import static dev.callgate.core.diagnosis.DiagnosisCode.REFRESH_TOKEN_REVOKED;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.callgate.adapter.http.CapturedLog;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.service.RefreshOutcome;
import dev.callgate.core.token.TokenKey;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every refresh that reached the provider and failed is one WARN line an operator can filter. */
class RefreshLogTest {
  private static final Instant NEXT = Instant.parse("2026-12-05T07:00:00Z");

  private static Diagnosis outage() {
    return Diagnosis.of(
        REFRESH_FAILED_TRANSIENT, "reason", "connection refused", "nextAttemptAt", NEXT);
  }

  private static Diagnosis revoked() {
    return Diagnosis.of(
        REFRESH_TOKEN_REVOKED,
        "error",
        "invalid_grant",
        "errorDescription",
        "grant request is invalid",
        "evidence",
        "its known lifetime had not passed",
        "credential",
        "crm");
  }

  private static ILoggingEvent only(RefreshTrigger trigger, TokenKey key, RefreshOutcome outcome) {
    try (CapturedLog log = new CapturedLog()) {
      new RefreshLog().settled(key, trigger, outcome);
      assertThat(log.events()).hasSize(1);
      return log.events().get(0);
    }
  }

  private static Map<String, String> fields(ILoggingEvent event) {
    return event.getKeyValuePairs().stream()
        .collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
  }

  @Test
  void settledWhenTheProviderWasDownThenWarnsWithCodeCredentialAndNextAttempt() {
    ILoggingEvent line =
        only(
            RefreshTrigger.KEEP_ALIVE,
            TokenKey.named("crm"),
            new RefreshOutcome.Deferred(outage(), NEXT, true));

    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(fields(line))
        .containsEntry("event", "refresh.deferred")
        .containsEntry("code", "REFRESH_FAILED_TRANSIENT")
        .containsEntry("credential", "crm")
        .containsEntry("trigger", "keep_alive")
        .containsEntry("nextAttemptAt", NEXT.toString())
        .doesNotContainKey("user");
  }

  @Test
  void settledWhenTheGrantIsLostThenWarnsNamingTheUser() {
    ILoggingEvent line =
        only(
            RefreshTrigger.PROACTIVE,
            TokenKey.perUser("crm", "alice"),
            new RefreshOutcome.Rejected(revoked(), true));

    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(fields(line))
        .containsEntry("event", "refresh.rejected")
        .containsEntry("code", "REFRESH_TOKEN_REVOKED")
        .containsEntry("credential", "crm")
        .containsEntry("user", "alice");
    assertThat(line.getFormattedMessage()).contains("crm/alice", "revoked");
  }

  @Test
  void settledWhenAnsweredFromAStoredDiagnosisThenOnlyDebug() {
    ILoggingEvent line =
        only(
            RefreshTrigger.ON_DEMAND,
            TokenKey.named("crm"),
            new RefreshOutcome.Rejected(revoked(), false));

    assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
  }
}
