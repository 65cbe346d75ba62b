package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a refresh came to: new tokens (from the identity provider, or found already refreshed by
 * another caller or instance), a refusal that needs a person or a change of configuration, or a
 * deferral after a failure that may pass. Each says whether this refresh called the identity
 * provider's token endpoint, or answered from what was already known.
 */
public sealed interface RefreshOutcome {

  /** Whether this refresh made a token-endpoint request. */
  boolean calledProvider();

  <R> R fold(
      Function<Refreshed, R> refreshed,
      Function<Rejected, R> rejected,
      Function<Deferred, R> deferred);

  /** {@code calledProvider} is false when another caller's refresh supplied the tokens. */
  record Refreshed(TokenRecord record, boolean calledProvider) implements RefreshOutcome {
    public Refreshed {
      Objects.requireNonNull(record, "record");
    }

    @Override
    public <R> R fold(
        Function<Refreshed, R> refreshed,
        Function<Rejected, R> rejected,
        Function<Deferred, R> deferred) {
      return refreshed.apply(this);
    }
  }

  /** The token cannot be refreshed; {@code diagnosis} says why and what to do. */
  record Rejected(Diagnosis diagnosis, boolean calledProvider) implements RefreshOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(
        Function<Refreshed, R> refreshed,
        Function<Rejected, R> rejected,
        Function<Deferred, R> deferred) {
      return rejected.apply(this);
    }
  }

  /** A passing failure, or a wait; Callgate tries again at {@code nextAttemptAt}. */
  record Deferred(Diagnosis diagnosis, Instant nextAttemptAt, boolean calledProvider)
      implements RefreshOutcome {
    public Deferred {
      Objects.requireNonNull(diagnosis, "diagnosis");
      Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    }

    @Override
    public <R> R fold(
        Function<Refreshed, R> refreshed,
        Function<Rejected, R> rejected,
        Function<Deferred, R> deferred) {
      return deferred.apply(this);
    }
  }
}
