package dev.callgate.core.event;

import java.util.Objects;

/**
 * An {@link Event} as the store holds it: {@code id} grows in commit order, so a reader that has
 * seen every event up to an id has missed none before it (the {@code after} cursor).
 */
public record RecordedEvent(long id, Event event) {
  public RecordedEvent {
    Objects.requireNonNull(event, "event");
    if (id <= 0) {
      throw new IllegalArgumentException("a recorded event has a positive id");
    }
  }
}
