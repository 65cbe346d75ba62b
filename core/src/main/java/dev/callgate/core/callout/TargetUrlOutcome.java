package dev.callgate.core.callout;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.util.Objects;

/**
 * The outcome of joining a credential's URL and a caller's path: the absolute URI to call, or the
 * diagnosis ({@code TARGET_PATH_REJECTED}) of why the path may not be called.
 */
public sealed interface TargetUrlOutcome {

  record Resolved(URI uri) implements TargetUrlOutcome {
    public Resolved {
      Objects.requireNonNull(uri, "uri");
    }
  }

  record Rejected(Diagnosis diagnosis) implements TargetUrlOutcome {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
