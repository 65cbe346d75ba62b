package dev.callgate.core.callout;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A credential's {@code refreshOn} rules, in order, and the one total function that tells whether
 * an answer of its target means a stale token: the first rule that matches decides, and the verdict
 * names it. No rules (the default) match nothing, so only the expired-token 401s of the {@link
 * UnauthorizedResponseClassifier} lead to a refresh.
 */
public record RefreshRules(List<RefreshRule> rules) {

  /** How many rules a credential may have: a few dialects, not a rule engine. */
  public static final int MAX_RULES = 10;

  public static final RefreshRules NONE = new RefreshRules(List.of());

  public RefreshRules {
    rules = List.copyOf(rules);
  }

  /** What an answer means under these rules. */
  public Verdict match(CalloutResponse response) {
    Objects.requireNonNull(response, "response");
    for (int index = 0; index < rules.size(); index++) {
      if (rules.get(index).matches(response)) {
        return new Verdict.Matched(index, rules.get(index));
      }
    }
    return new Verdict.NoneMatched();
  }

  /** Whether an answer names the token stale, and by which rule. */
  public sealed interface Verdict {
    <R> R fold(Function<Matched, R> matched, Function<NoneMatched, R> noneMatched);

    /**
     * Rule {@code index} (from 0, as in {@code refreshOn[0]}) matched: refresh once, retry once.
     */
    record Matched(int index, RefreshRule rule) implements Verdict {
      public Matched {
        Objects.requireNonNull(rule, "rule");
      }

      /** {@code refreshOn[0] (status 500, body ~ /INVALID_SESSION_ID/)}. */
      public String describe() {
        return "refreshOn[" + index + "] (" + rule.describe() + ")";
      }

      @Override
      public <R> R fold(Function<Matched, R> matched, Function<NoneMatched, R> noneMatched) {
        return matched.apply(this);
      }
    }

    /** No rule matched: the answer is relayed as it is. */
    record NoneMatched() implements Verdict {
      @Override
      public <R> R fold(Function<Matched, R> matched, Function<NoneMatched, R> noneMatched) {
        return noneMatched.apply(this);
      }
    }
  }
}
