package dev.callgate.core.port;

import dev.callgate.core.event.Actor;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A single-use link through which an end user authorizes their own token of a per-user credential:
 * the hash of its token (the link itself is never stored), which token it authorizes, where the
 * browser goes afterwards, who made it and when, until when it can be opened, and when it was used
 * (empty until then).
 */
public record ConnectLink(
    FlowHash tokenHash,
    TokenKey tokenKey,
    Optional<URI> returnUrl,
    Actor createdBy,
    Instant createdAt,
    Instant expiresAt,
    Optional<Instant> usedAt) {

  public ConnectLink {
    Objects.requireNonNull(tokenHash, "tokenHash");
    Objects.requireNonNull(tokenKey, "tokenKey");
    Objects.requireNonNull(returnUrl, "returnUrl");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(usedAt, "usedAt");
  }

  /** Whether the link can no longer be opened at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** This link, used at {@code when}. */
  public ConnectLink usedAt(Instant when) {
    return new ConnectLink(
        tokenHash, tokenKey, returnUrl, createdBy, createdAt, expiresAt, Optional.of(when));
  }
}
