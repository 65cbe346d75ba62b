package dev.callgate.core.service;

import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.token.TokenKey;

/**
 * Told of every refresh flight once it settles (joiners of a single flight are not counted again):
 * the service turns this into metrics and log lines.
 */
@FunctionalInterface
public interface RefreshObserver {
  RefreshObserver NONE = (key, trigger, outcome) -> {};

  void settled(TokenKey key, RefreshTrigger trigger, RefreshOutcome outcome);

  /** This observer, then {@code next} (metrics, then the log line). */
  default RefreshObserver andThen(RefreshObserver next) {
    return (key, trigger, outcome) -> {
      settled(key, trigger, outcome);
      next.settled(key, trigger, outcome);
    };
  }
}
