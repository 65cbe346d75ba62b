package dev.callgate.app.runtime;

import org.slf4j.Logger;

/**
 * The log of a job that runs again and again (reading the event log, sending webhooks): a failure
 * is logged once per distinct reason and the recovery once, not every try of an outage.
 */
final class RecurringFailureLog {
  private final Logger log;
  private final String job;
  private final String event;
  private String lastFailure;

  /**
   * {@code job} says what fails in words ("sending webhooks"); {@code event} is the lines' stable
   * key, suffixed {@code .failed} and {@code .recovered}.
   */
  RecurringFailureLog(Logger log, String job, String event) {
    this.log = log;
    this.job = job;
    this.event = event;
  }

  void failed(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (!reason.equals(lastFailure)) {
      log.atWarn()
          .setMessage("{} failed (until it recovers): {}")
          .addArgument(job)
          .addArgument(reason)
          .addKeyValue("event", event + ".failed")
          .log();
    }
    lastFailure = reason;
  }

  void recovered() {
    if (lastFailure != null) {
      log.atInfo()
          .setMessage("{} works again")
          .addArgument(job)
          .addKeyValue("event", event + ".recovered")
          .log();
      lastFailure = null;
    }
  }
}
