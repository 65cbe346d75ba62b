package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.Objects;

/**
 * What a refresh came to: new tokens (from the identity provider, or found already refreshed by
 * another caller or instance), a final refusal that needs a person, or a deferral after a failure
 * that may pass.
 */
public sealed interface RefreshOutcome {

  /** {@code calledProvider} is false when another caller's refresh supplied the tokens. */
  record Refreshed(TokenRecord record, boolean calledProvider) implements RefreshOutcome {
    public Refreshed {
      Objects.requireNonNull(record, "record");
    }
  }

  /** The grant is gone or cannot be used; {@code diagnosis} says why and what to do. */
  record Rejected(Diagnosis diagnosis) implements RefreshOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }

  /** A passing failure; Callgate tries again at {@code nextAttemptAt}. */
  record Deferred(Diagnosis diagnosis, Instant nextAttemptAt) implements RefreshOutcome {
    public Deferred {
      Objects.requireNonNull(diagnosis, "diagnosis");
      Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    }
  }
}
