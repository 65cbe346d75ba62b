package dev.callgate.core.token;

import java.time.Instant;
import java.util.Objects;

/**
 * A refresh that has begun and not yet recorded its outcome: which instance took the refresh lease
 * and when. Found on a record by the next instance to take the lease, it means that refresh was
 * interrupted — its instance stopped or lost the store — possibly after the identity provider had
 * answered, so a rotating provider may have replaced the refresh token in an answer nobody stored.
 */
public record RefreshStart(String instance, Instant at) {
  public RefreshStart {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(at, "at");
  }
}
