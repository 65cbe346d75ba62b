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

  public static void main(String[] args) {
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
