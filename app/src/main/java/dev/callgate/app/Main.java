package dev.callgate.app;

import dev.callgate.app.config.Configuration;
import dev.callgate.app.logging.Logging;
import dev.callgate.app.runtime.CallgateService;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Callgate from its {@code CALLGATE_*} environment; stops it cleanly on SIGTERM. Its log is
 * one JSON object per line on stdout; only a generated admin key is printed, once, on stderr.
 */
public final class Main {
  private Main() {}

  /** Netty reads it once, when its platform class loads. */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  public static void main(String[] args) {
    // Netty's buffer allocator reports to JFR; the first buffer of the first request would register
    // those event types, a tenth of the start. Whoever records Netty's events sets it to true.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    // before anything loads Vert.x, whose logger factory reads its choice once
    Logging.routeLibraries();
    Logger log = LoggerFactory.getLogger(Main.class);
    Validated<Configuration> config = Configuration.fromEnvironment(System.getenv());
    if (!config.problems().isEmpty()) {
      for (Diagnosis problem : config.problems()) {
        log.atError()
            .setMessage("Callgate cannot start: {} {}")
            .addArgument(problem.message())
            .addArgument(problem.remedy())
            .addKeyValue("event", "service.start.failed")
            .addKeyValue("code", problem.code().name())
            .log();
      }
      System.exit(2);
    }
    CallgateService service;
    try {
      service =
          CallgateService.start(((Validated.Valid<Configuration>) config).value(), System.err)
              .join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.atError()
          .setMessage("Callgate cannot start: {}")
          .addArgument(cause.getMessage())
          .addKeyValue("event", "service.start.failed")
          .setCause(cause)
          .log();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(service::stop));
  }
}
