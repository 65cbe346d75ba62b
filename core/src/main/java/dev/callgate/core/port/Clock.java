package dev.callgate.core.port;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Time, from outside the domain: the current instant and a non-blocking delay. Tests drive it by
 * hand; the service backs it with the system clock and its event loop's timers.
 */
public interface Clock {
  Instant now();

  /** Completes after {@code delay}, without blocking a thread. */
  CompletionStage<Void> delay(Duration delay);
}
