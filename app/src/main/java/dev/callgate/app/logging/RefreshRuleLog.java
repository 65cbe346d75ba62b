package dev.callgate.app.logging;

import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.service.RefreshRuleObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line each time a credential's {@code refreshOn} rule names a target's answer a stale
 * token, saying which rule fired; the refresh's own line follows (trigger {@code on_401}).
 */
public final class RefreshRuleLog implements RefreshRuleObserver {
  private static final Logger LOG = LoggerFactory.getLogger("callgate.refresh");

  @Override
  public void fired(String credential, RefreshRules.Verdict.Matched matched) {
    LOG.atInfo()
        .setMessage(
            "the target of credential {} answered what {} names a stale token: refreshing once and"
                + " retrying once")
        .addArgument(credential)
        .addArgument(matched.describe())
        .addKeyValue("event", "callout.refresh-rule.fired")
        .addKeyValue("credential", credential)
        .addKeyValue("rule", "refreshOn[" + matched.index() + "]")
        .log();
  }
}
