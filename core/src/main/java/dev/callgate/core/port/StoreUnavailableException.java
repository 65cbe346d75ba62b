package dev.callgate.core.port;

/**
 * A store could not be reached or answered with an error: infrastructure, not a domain outcome.
 * Services turn it into the {@code STORE_UNAVAILABLE} diagnosis. The message never holds a secret.
 */
public class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
