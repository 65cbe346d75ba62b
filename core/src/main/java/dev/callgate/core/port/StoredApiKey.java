package dev.callgate.core.port;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An API key as stored: its public {@code id}, the {@code subject} it acts as, its roles ({@code
 * admin}, {@code caller}), the SHA-256 {@code hash} of the whole key (keys are 256-bit random, so a
 * fast hash is enough), and when it was created.
 */
public record StoredApiKey(
    String id, String subject, Set<String> roles, byte[] hash, Instant createdAt) {
  public StoredApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(createdAt, "createdAt");
    roles = Set.copyOf(roles);
  }

  @Override
  public String toString() {
    return "StoredApiKey[id=" + id + ", subject=" + subject + ", roles=" + roles + "]";
  }
}
