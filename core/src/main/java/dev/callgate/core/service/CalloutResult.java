package dev.callgate.core.service;

import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.EchoGuard;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a callout came to: the target's answer to relay as is, Callgate's own refusal with a
 * diagnosis (nothing, or nothing usable, reached the target), or the target's 401 to a token that
 * had just been refreshed, relayed together with the diagnosis that explains it. An answer that
 * repeats the secret Callgate injected is not relayed: it becomes a refusal ({@code
 * SECRET_ECHOED}).
 */
public sealed interface CalloutResult {

  <R> R fold(
      Function<Relayed, R> relayed,
      Function<Refused, R> refused,
      Function<RejectedAfterRefresh, R> rejectedAfterRefresh);

  /**
   * {@code afterRefresh}: the first answer was an expired-token 401, this is the retry's. Its
   * headers and any body in memory were checked for the secrets Callgate injected; a streamed body
   * is still to be checked with {@code echoGuard} as it is relayed.
   */
  record Relayed(CalloutResponse response, boolean afterRefresh, EchoGuard echoGuard)
      implements CalloutResult {

    public Relayed {
      Objects.requireNonNull(response, "response");
      Objects.requireNonNull(echoGuard, "echoGuard");
    }

    public Relayed(CalloutResponse response, boolean afterRefresh) {
      this(response, afterRefresh, EchoGuard.NONE);
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
