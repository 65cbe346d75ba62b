package dev.callgate.app.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The log of a job that runs again and again (claiming due refreshes, reading the event log,
 * sending webhooks): a failure is logged once per distinct reason and the recovery once, not every
 * try of an outage. Its outcomes may be reported from any thread.
 */
final class RecurringFailureLog {
  private final Logger log;
  private final Level level;
  private final String job;
  private final String event;
  private final AtomicReference<String> lastFailure = new AtomicReference<>();

  /**
   * {@code job} says what fails in words ("sending webhooks"); {@code event} is the lines' stable
   * key, suffixed {@code .failed} and {@code .recovered}; a failure is logged at {@code level}.
   */
  RecurringFailureLog(Logger log, Level level, String job, String event) {
    this.log = log;
    this.level = level;
    this.job = job;
    this.event = event;
  }

  void failed(Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    String reason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (!reason.equals(lastFailure.getAndSet(reason))) {
      log.atLevel(level)
          .setMessage("{} failed (until it recovers): {}")
          .addArgument(job)
          .addArgument(reason)
          .addKeyValue("event", event + ".failed")
          .log();
    }
  }

  void recovered() {
    if (lastFailure.getAndSet(null) != null) {
      log.atInfo()
          .setMessage("{} works again")
          .addArgument(job)
          .addKeyValue("event", event + ".recovered")
          .log();
    }
  }
}
