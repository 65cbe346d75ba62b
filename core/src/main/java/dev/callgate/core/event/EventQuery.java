package dev.callgate.core.event;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which events to read: those after the cursor {@code after} (0: from the oldest kept), optionally
 * of one credential, one user and some types, at most {@code limit}, oldest first.
 */
public record EventQuery(
    long after,
    Optional<String> credential,
    Optional<String> user,
    Set<EventType> types,
    int limit) {

  public static final int MAX_LIMIT = 500;

  public EventQuery {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(user, "user");
    types = Set.copyOf(types);
    if (after < 0) {
      throw new IllegalArgumentException("after cannot be negative");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }

  /** Every event after {@code after}, at most {@code limit}. */
  public static EventQuery after(long after, int limit) {
    return new EventQuery(after, Optional.empty(), Optional.empty(), Set.of(), limit);
  }

  public boolean matches(RecordedEvent recorded) {
    Event event = recorded.event();
    return recorded.id() > after
        && credential.map(c -> event.credential().equals(Optional.of(c))).orElse(true)
        && user.map(u -> event.user().equals(Optional.of(u))).orElse(true)
        && (types.isEmpty() || types.contains(event.type()));
  }
}
