package dev.callgate.core.diagnosis;

/**
 * An infrastructure failure that still has a diagnosis to show a user (a store that cannot be
 * reached, say): thrown, not returned, because no use case can do anything about it, and shown by
 * the border that catches it without that border knowing where it came from.
 */
public abstract class DiagnosedFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected DiagnosedFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** What happened and what to do, for whoever made the request that failed. */
  public abstract Diagnosis diagnosis();
}
