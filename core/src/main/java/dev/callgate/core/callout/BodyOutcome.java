package dev.callgate.core.callout;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;

/**
 * The outcome of applying merge fields to a request body: the body to send (the caller's own when
 * there was nothing to resolve) or the diagnosis of the merge field that could not be resolved.
 */
public sealed interface BodyOutcome {

  record Resolved(Body body) implements BodyOutcome {
    public Resolved {
      Objects.requireNonNull(body, "body");
    }
  }

  record Rejected(Diagnosis diagnosis) implements BodyOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
