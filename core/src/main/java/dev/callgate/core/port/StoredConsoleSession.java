package dev.callgate.core.port;

import java.time.Instant;
import java.util.Objects;

/**
 * A console session as stored: the SHA-256 of the secret its browser holds in a cookie ({@code
 * secretHash}, base64url; the secret itself is never kept), the id and subject of the admin key
 * that signed in, when it began and until when it lasts.
 */
public record StoredConsoleSession(
    String secretHash, String keyId, String subject, Instant createdAt, Instant expiresAt) {
  public StoredConsoleSession {
    Objects.requireNonNull(secretHash, "secretHash");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (secretHash.isBlank()) {
      throw new IllegalArgumentException("a session's secret hash cannot be blank");
    }
  }

  /** Whether the session has ended by {@code now}: it lasts until, not through, its expiry. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
