package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.callgate.adapter.http.CapturedLog;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A request's id comes in or is made up, goes back out, and names the request's log lines. */
class RequestIdTest {
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() {
    callgate = CallgateUnderTest.start();
  }

  @AfterAll
  static void stop() {
    callgate.close();
  }

  private static Optional<String> requestIdOf(ILoggingEvent event) {
    return event.getKeyValuePairs() == null
        ? Optional.empty()
        : event.getKeyValuePairs().stream()
            .filter(pair -> pair.key.equals("requestId"))
            .map(pair -> String.valueOf(pair.value))
            .findFirst();
  }

  @Test
  void requestWhenTheCallerSendsAnIdThenTheAnswerAndTheLogLineCarryIt() {
    try (CapturedLog log = new CapturedLog()) {
      CallgateUnderTest.Answer answer =
          callgate.admin(
              "GET", "/v1/credentials/missing/status", Map.of("X-Request-Id", "trace-42.a:b_c"));

      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("trace-42.a:b_c");
      assertThat(log.events())
          .filteredOn(event -> event.getLoggerName().equals("callgate.problems"))
          .extracting(RequestIdTest::requestIdOf)
          .containsExactly(Optional.of("trace-42.a:b_c"));
    }
  }

  @Test
  void requestWhenTheCallersIdCouldSmuggleTextThenAnotherIsMadeUp() {
    String made =
        callgate
            .admin("GET", "/v1/credentials", Map.of("X-Request-Id", "a\"b{}"))
            .headers()
            .firstValue("X-Request-Id")
            .orElseThrow();
    String tooLong =
        callgate
            .admin("GET", "/v1/credentials", Map.of("X-Request-Id", "x".repeat(129)))
            .headers()
            .firstValue("X-Request-Id")
            .orElseThrow();
    String none =
        callgate
            .anonymous("GET", "/health/live")
            .headers()
            .firstValue("X-Request-Id")
            .orElseThrow();

    assertThat(java.util.List.of(made, tooLong, none))
        .allMatch(id -> id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
        .doesNotHaveDuplicates();
  }
}
