package dev.callgate.core.port;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * The SHA-256 of one of an authorization flow's one-time secrets — its OAuth {@code state}, or the
 * secret that binds it to a browser — in base64url. Stores keep and look up this, never the secret,
 * so reading the database gives no one a callback to forge; the secrets carry 256 random bits,
 * which makes a plain hash enough.
 */
public record FlowHash(String value) {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  public FlowHash {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("a flow hash cannot be blank");
    }
  }

  /** The hash of {@code secret}. */
  public static FlowHash of(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return new FlowHash(BASE64URL.encodeToString(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Whether this is the hash of {@code secret}, compared in constant time. */
  public boolean matches(String secret) {
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.US_ASCII),
        of(secret).value().getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "FlowHash[" + value.substring(0, Math.min(8, value.length())) + "…]";
  }
}
