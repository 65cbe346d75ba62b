package dev.callgate.core.port;

import dev.callgate.core.diagnosis.DiagnosedFailure;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;

/**
 * A store could not be reached or answered with an error: infrastructure, not a domain outcome. Its
 * diagnosis is {@code STORE_UNAVAILABLE}. The message never holds a secret.
 */
public class StoreUnavailableException extends DiagnosedFailure {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Diagnosis diagnosis() {
    return Diagnosis.of(DiagnosisCode.STORE_UNAVAILABLE, "reason", getMessage());
  }
}
