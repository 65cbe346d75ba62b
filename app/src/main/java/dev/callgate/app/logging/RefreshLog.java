package dev.callgate.app.logging;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.service.RefreshObserver;
import dev.callgate.core.service.RefreshOutcome;
import dev.callgate.core.token.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per settled refresh. What reached the identity provider is logged at INFO (a new
 * token) or WARN (a deferral — the provider is down or slow — or a rejection — the grant is lost,
 * the client refused); an answer given from what was already known (a stored diagnosis, a back-off,
 * a result another caller brought) repeats an earlier line and is logged at DEBUG only, so a burst
 * of callouts to a dead credential does not flood the log.
 */
public final class RefreshLog implements RefreshObserver {
  private static final Logger LOG = LoggerFactory.getLogger("callgate.refresh");

  @Override
  public void settled(TokenKey key, RefreshTrigger trigger, RefreshOutcome outcome) {
    outcome.fold(
        refreshed -> {
          line(
                  refreshed.calledProvider() ? Level.INFO : Level.DEBUG,
                  key,
                  trigger,
                  "token.refreshed")
              .setMessage(
                  refreshed.calledProvider()
                      ? "refreshed the token of " + key
                      : "the token of " + key + " was refreshed by another caller")
              .addKeyValue("calledProvider", refreshed.calledProvider())
              .log();
          return null;
        },
        rejected -> {
          failure(rejected.calledProvider(), key, trigger, "refresh.rejected", rejected.diagnosis())
              .setMessage(
                  "the token of " + key + " cannot be refreshed: " + rejected.diagnosis().message())
              .log();
          return null;
        },
        deferred -> {
          failure(deferred.calledProvider(), key, trigger, "refresh.deferred", deferred.diagnosis())
              .setMessage(
                  "the refresh of "
                      + key
                      + " is deferred to "
                      + deferred.nextAttemptAt()
                      + ": "
                      + deferred.diagnosis().message())
              .addKeyValue("nextAttemptAt", deferred.nextAttemptAt().toString())
              .log();
          return null;
        });
  }

  private static LoggingEventBuilder failure(
      boolean calledProvider,
      TokenKey key,
      RefreshTrigger trigger,
      String event,
      Diagnosis diagnosis) {
    return line(calledProvider ? Level.WARN : Level.DEBUG, key, trigger, event)
        .addKeyValue("code", diagnosis.code().name())
        .addKeyValue("calledProvider", calledProvider);
  }

  private static LoggingEventBuilder line(
      Level level, TokenKey key, RefreshTrigger trigger, String event) {
    LoggingEventBuilder line =
        LOG.atLevel(level)
            .addKeyValue("event", event)
            .addKeyValue("credential", key.credentialName())
            .addKeyValue("trigger", trigger.wireName());
    return key.isNamedPrincipal() ? line : line.addKeyValue("user", key.userSubject());
  }
}
