package dev.callgate.core.service;

import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a callout came to: the target's answer to relay as is, Callgate's own refusal with a
 * diagnosis (nothing, or nothing usable, reached the target), or the target's 401 to a token that
 * had just been refreshed, relayed together with the diagnosis that explains it.
 */
public sealed interface CalloutResult {

  <R> R fold(
      Function<Relayed, R> relayed,
      Function<Refused, R> refused,
      Function<RejectedAfterRefresh, R> rejectedAfterRefresh);

  /** {@code afterRefresh}: the first answer was an expired-token 401, this is the retry's. */
  record Relayed(CalloutResponse response, boolean afterRefresh) implements CalloutResult {
    public Relayed {
      Objects.requireNonNull(response, "response");
    }

    @Override
    public <R> R fold(
        Function<Relayed, R> relayed,
        Function<Refused, R> refused,
        Function<RejectedAfterRefresh, R> rejectedAfterRefresh) {
      return relayed.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis) implements CalloutResult {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(
        Function<Relayed, R> relayed,
        Function<Refused, R> refused,
        Function<RejectedAfterRefresh, R> rejectedAfterRefresh) {
      return refused.apply(this);
    }
  }

  /** The retry with a fresh token was rejected too: {@code TOKEN_REJECTED_AFTER_REFRESH}. */
  record RejectedAfterRefresh(CalloutResponse response, Diagnosis diagnosis)
      implements CalloutResult {
    public RejectedAfterRefresh {
      Objects.requireNonNull(response, "response");
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(
        Function<Relayed, R> relayed,
        Function<Refused, R> refused,
        Function<RejectedAfterRefresh, R> rejectedAfterRefresh) {
      return rejectedAfterRefresh.apply(this);
    }
  }
}
