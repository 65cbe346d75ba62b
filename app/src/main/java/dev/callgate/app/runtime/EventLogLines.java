package dev.callgate.app.runtime;

import dev.callgate.app.metrics.CallgateMetrics;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per event this instance recorded, through the logger {@code callgate.events}, its
 * facts as key-values a JSON encoder writes as fields — event id, type, credential, user, diagnosis
 * code, acting subject — and the event counted in {@code callgate_events_total}. Only names, ids
 * and codes: an event holds no secret, and the diagnosis's message is left to the events API.
 */
public final class EventLogLines implements Consumer<RecordedEvent> {
  /** The logger's name, which log routing and alerts select on. */
  public static final String LOGGER = "callgate.events";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final CallgateMetrics metrics;

  public EventLogLines(CallgateMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void accept(RecordedEvent recorded) {
    metrics.event(recorded.event().type());
    LoggingEventBuilder line = LOG.atLevel(level(recorded.event().type()));
    keyValues(recorded).forEach(line::addKeyValue);
    line.log(message(recorded));
  }

  /** The line's fields, in order; absent facts are left out. */
  static Map<String, String> keyValues(RecordedEvent recorded) {
    Event event = recorded.event();
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("eventId", Long.toString(recorded.id()));
    fields.put("eventType", event.type().wireName());
    event.credential().ifPresent(c -> fields.put("credential", c));
    event.user().ifPresent(u -> fields.put("user", u));
    event.diagnosis().map(d -> d.code().name()).ifPresent(c -> fields.put("diagnosisCode", c));
    event.actor().map(Actor::subject).ifPresent(s -> fields.put("actorSubject", s));
    return fields;
  }

  /** A line a person reads without the fields: what happened, to what, and the code. */
  static String message(RecordedEvent recorded) {
    Event event = recorded.event();
    StringBuilder message = new StringBuilder("event ").append(event.type().wireName());
    event.credential().ifPresent(c -> message.append(" credential=").append(c));
    event.user().ifPresent(u -> message.append(" user=").append(u));
    event.diagnosis().map(Diagnosis::code).ifPresent(c -> message.append(" code=").append(c));
    event.actor().ifPresent(a -> message.append(" by=").append(a.subject()));
    return message.toString();
  }

  /** Warnings for what needs a person; the rest is the ordinary course of things. */
  static Level level(EventType type) {
    return switch (type) {
      case GRANT_LOST, CLIENT_REJECTED, EXPIRY_AHEAD, AUTHORIZATION_FAILED -> Level.WARN;
      case AUTHORIZATION_STARTED,
          AUTHORIZATION_COMPLETED,
          TOKEN_REFRESHED,
          REFRESH_DEFERRED,
          GRANT_RECOVERED,
          GRANT_REVOKED,
          CREDENTIAL_DELETED,
          PROVIDER_REARMED,
          CONNECT_LINK_USED,
          AUDIT_KEY_CREATED,
          AUDIT_KEY_DELETED,
          AUDIT_PROVIDER_SAVED,
          AUDIT_PROVIDER_DELETED,
          AUDIT_CREDENTIAL_SAVED,
          AUDIT_CREDENTIAL_DELETED,
          AUDIT_AUTHORIZATION_STARTED,
          AUDIT_REVOCATION_REQUESTED,
          AUDIT_REFRESH_REQUESTED,
          AUDIT_WEBHOOK_CREATED,
          AUDIT_WEBHOOK_DELETED,
          AUDIT_CONSOLE_SIGNED_IN,
          AUDIT_CONSOLE_SIGNED_OUT,
          AUDIT_CONNECT_LINK_CREATED ->
          Level.INFO;
    };
  }
}
