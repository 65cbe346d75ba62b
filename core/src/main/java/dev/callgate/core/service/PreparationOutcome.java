package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.function.Function;

/**
 * The first step of a callout, taken before its body is read: a {@link PreparedCallout} to send, or
 * Callgate's refusal with its diagnosis — in which case the body is never read.
 */
public sealed interface PreparationOutcome {

  <T> T fold(Function<PreparedCallout, T> prepared, Function<Diagnosis, T> rejected);

  record Prepared(PreparedCallout callout) implements PreparationOutcome {
    public Prepared {
      Objects.requireNonNull(callout, "callout");
    }

    @Override
    public <T> T fold(Function<PreparedCallout, T> prepared, Function<Diagnosis, T> rejected) {
      return prepared.apply(callout);
    }
  }

  record Rejected(Diagnosis diagnosis) implements PreparationOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <T> T fold(Function<PreparedCallout, T> prepared, Function<Diagnosis, T> rejected) {
      return rejected.apply(diagnosis);
    }
  }
}
