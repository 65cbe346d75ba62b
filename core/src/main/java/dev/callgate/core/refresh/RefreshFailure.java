package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;

/**
 * A failed refresh as {@link RefreshPolicy#classify} judged it: what it means for the token ({@link
 * Severity}) and the diagnosis a person sees on the credential's status.
 */
public record RefreshFailure(Severity severity, Diagnosis diagnosis) {

  public RefreshFailure {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(diagnosis, "diagnosis");
  }

  public boolean isTerminal() {
    return severity == Severity.TERMINAL;
  }
}
