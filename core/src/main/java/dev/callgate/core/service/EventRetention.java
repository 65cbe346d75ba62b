package dev.callgate.core.service;

import dev.callgate.core.port.Clock;
import dev.callgate.core.port.EventLog;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Keeps the event log to its retention: events recorded longer than {@code retention} ago are
 * dropped. Run it now and then (the service does, hourly and at start); any instance of a cluster
 * may, since dropping what another already dropped does nothing.
 */
public final class EventRetention {
  private final EventLog log;
  private final Clock clock;
  private final Duration retention;

  public EventRetention(EventLog log, Clock clock, Duration retention) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("the retention must be longer than zero");
    }
    this.log = log;
    this.clock = clock;
    this.retention = retention;
  }

  /** Drops the events older than the retention; returns how many went. */
  public CompletionStage<Long> purgeExpired() {
    return log.purgeBefore(clock.now().minus(retention));
  }
}
