package dev.callgate.archfixture.compliant.core.port;

/** The exception a port fails its stage with. */
public class SourceUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SourceUnavailableException(String message) {
    super(message);
  }
}
