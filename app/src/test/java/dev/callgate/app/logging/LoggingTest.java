package dev.callgate.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.CapturedLog;
import org.junit.jupiter.api.Test;

/** Whatever a library logs, and however, ends up as a line of Callgate's log. */
class LoggingTest {

  @Test
  void routeLibrariesWhenALibraryLogsThroughJavaUtilLoggingThenItBecomesALogbackEvent() {
    Logging.routeLibraries();
    try (CapturedLog log = new CapturedLog()) {
      java.util.logging.Logger.getLogger("some.library")
          .warning("a library's warning through java.util.logging");

      assertThat(log.events())
          .anySatisfy(
              event -> {
                assertThat(event.getLoggerName()).isEqualTo("some.library");
                assertThat(event.getFormattedMessage())
                    .isEqualTo("a library's warning through java.util.logging");
              });
    }
  }

  @Test
  void routeLibrariesWhenNothingChoseVertxsLoggingThenChoosesSlf4j() {
    // the build chooses it for the tests' JVMs already: take that choice away for the test
    String chosen = System.clearProperty(Logging.VERTX_LOGGER_FACTORY);
    try {
      Logging.routeLibraries();

      assertThat(System.getProperty(Logging.VERTX_LOGGER_FACTORY))
          .isEqualTo("io.vertx.core.logging.SLF4JLogDelegateFactory");
    } finally {
      if (chosen != null) {
        System.setProperty(Logging.VERTX_LOGGER_FACTORY, chosen);
      }
    }
  }
}
