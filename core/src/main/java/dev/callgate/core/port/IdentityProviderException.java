package dev.callgate.core.port;

import dev.callgate.core.diagnosis.Diagnosis;

/** Discovery failed: the provider's metadata could not be had. Carries the diagnosis to show. */
public class IdentityProviderException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Diagnosis diagnosis;

  public IdentityProviderException(Diagnosis diagnosis) {
    super(diagnosis.message());
    this.diagnosis = diagnosis;
  }

  public Diagnosis diagnosis() {
    return diagnosis;
  }
}
