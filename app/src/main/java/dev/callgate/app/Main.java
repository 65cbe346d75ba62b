package dev.callgate.app;

import dev.callgate.app.config.Configuration;
import dev.callgate.app.runtime.CallgateService;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.util.concurrent.CompletionException;

/** Starts Callgate from its {@code CALLGATE_*} environment; stops it cleanly on SIGTERM. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Validated<Configuration> config = Configuration.fromEnvironment(System.getenv());
    if (!config.problems().isEmpty()) {
      for (Diagnosis problem : config.problems()) {
        System.err.println("Callgate cannot start: " + problem.message() + " " + problem.remedy());
      }
      System.exit(2);
    }
    CallgateService service;
    try {
      service =
          CallgateService.start(((Validated.Valid<Configuration>) config).value(), System.out)
              .join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("Callgate cannot start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(service::stop));
  }
}
