package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What the service logs when it starts and serves its first requests: nothing alarming. */
class StartupLogTest {

  @Test
  void startWhenTheFirstRequestsArriveThenNoMeterRegistrationWarning() {
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()
                && (getFilter() == null || getFilter().isLoggable(record))) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try (CallgateUnderTest callgate = CallgateUnderTest.start()) {
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
    } finally {
      root.removeHandler(capture);
    }

    assertThat(warnings)
        .extracting(record -> record.getLoggerName() + ": " + record.getMessage())
        .noneMatch(line -> line.contains("already registered"));
  }
}
