package dev.callgate.core.service;

import dev.callgate.core.port.StoredApiKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * What an admin is shown of an API key: its public {@code id}, the {@code subject} it acts as, its
 * role names and when it was created — never the key, which is shown once, nor its hash.
 */
public record ApiKeySummary(String id, String subject, Set<String> roles, Instant createdAt) {
  public ApiKeySummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(createdAt, "createdAt");
    roles = Set.copyOf(roles);
  }

  static ApiKeySummary of(StoredApiKey key) {
    return new ApiKeySummary(key.id(), key.subject(), key.roles(), key.createdAt());
  }
}
