package dev.callgate.core.service;

import dev.callgate.core.callout.RefreshRules;

/**
 * Told each time a credential's {@code refreshOn} rule names a target's answer a stale token,
 * before the refresh and the retry it brings: for a metric and a log line saying which rule fired.
 */
@FunctionalInterface
public interface RefreshRuleObserver {
  RefreshRuleObserver NONE = (credential, matched) -> {};

  void fired(String credential, RefreshRules.Verdict.Matched matched);

  /** This observer, then {@code next}. */
  default RefreshRuleObserver andThen(RefreshRuleObserver next) {
    return (credential, matched) -> {
      fired(credential, matched);
      next.fired(credential, matched);
    };
  }
}
