package dev.callgate.core.credential;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value: token, client secret, password, API key or signing key. It prints as {@code ***}
 * in every {@code toString}, log line and exception message; the value is only available through
 * {@link #reveal()}, which the code that puts it on the wire or through the cipher calls.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The plain value; call it only at the border where the secret is sent or encrypted. */
  public String reveal() {
    return value;
  }

  public boolean isBlank() {
    return value.isBlank();
  }

  @Override
  public boolean equals(Object other) {
    // Constant-time, so that comparing a presented secret does not leak its prefix by timing.
    return other instanceof Secret that
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "***";
  }
}
