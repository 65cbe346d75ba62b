package dev.callgate.core.callout;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;

/**
 * The outcome of applying the callout header rules: the headers to send to the target, or the
 * diagnosis of why the request cannot be sent as written.
 */
public sealed interface HeaderOutcome {

  record Prepared(Headers headers) implements HeaderOutcome {
    public Prepared {
      Objects.requireNonNull(headers, "headers");
    }
  }

  record Rejected(Diagnosis diagnosis) implements HeaderOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
