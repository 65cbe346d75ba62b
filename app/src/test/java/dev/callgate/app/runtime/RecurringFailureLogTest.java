package dev.callgate.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.callgate.adapter.http.CapturedLog;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class RecurringFailureLogTest {
  private final RecurringFailureLog failures =
      new RecurringFailureLog(
          LoggerFactory.getLogger(RecurringFailureLogTest.class),
          Level.ERROR,
          "claiming due refreshes",
          "refresh.schedule");

  @Test
  void failedWhenTheSameReasonRepeatsThenLoggedOnceAndItsRecoveryOnce() {
    try (CapturedLog log = new CapturedLog()) {
      failures.recovered();
      failures.failed(new IOException("connection refused"));
      failures.failed(new IOException("connection refused"));
      failures.failed(new IllegalStateException(new IOException("connection refused")));
      failures.failed(new IOException("timed out"));
      failures.recovered();
      failures.recovered();

      assertThat(log.events())
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "claiming due refreshes failed (until it recovers): IOException: connection refused",
              "claiming due refreshes failed (until it recovers): IOException: timed out",
              "claiming due refreshes works again");
      assertThat(log.events())
          .extracting(e -> e.getLevel().toString())
          .containsExactly("ERROR", "ERROR", "INFO");
      assertThat(log.text())
          .contains("event=\"refresh.schedule.failed\"")
          .contains("event=\"refresh.schedule.recovered\"");
    }
  }
}
