package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.callgate.adapter.http.CapturedLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the service logs when it starts and serves its first requests: nothing alarming. */
class StartupLogTest {

  @Test
  void startWhenTheFirstRequestsArriveThenNoMeterRegistrationWarning() {
    try (CapturedLog log = new CapturedLog();
        CallgateUnderTest callgate = CallgateUnderTest.start()) {
      for (int i = 0; i < 3; i++) {
        callgate.admin("GET", "/v1/credentials");
        callgate.admin(
            "POST",
            "/v1/keys",
            new JsonObject()
                .put("subject", "app-" + i)
                .put("roles", new JsonArray().add("caller")));
      }
      callgate.metrics();

      assertThat(log.events())
          .as("the service's own start line, so the capture is known to see the log")
          .anyMatch(event -> event.getFormattedMessage().startsWith("Callgate listening on"));
      assertThat(log.events())
          .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(event -> event.getLoggerName() + ": " + event.getFormattedMessage())
          .noneMatch(line -> line.contains("already registered"));
    }
  }
}
