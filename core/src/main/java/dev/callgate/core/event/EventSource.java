package dev.callgate.core.event;

import dev.callgate.core.port.Clock;
import dev.callgate.core.token.TokenRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the events of this process come from: the instance of the cluster that records them, and
 * the clock that dates them. The use cases make their events through it, so that every event names
 * its instance and none is dated by another clock.
 */
public record EventSource(String instance, Clock clock) {

  public EventSource {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(clock, "clock");
  }

  /** The events of a token write from {@code read} to {@code toStore}, dated now. */
  public List<Event> lifecycle(TokenRecord read, TokenRecord toStore, TokenChange change) {
    return LifecycleEvents.of(read, toStore, change, clock.now(), instance);
  }

  /**
   * An event of {@code type} about {@code credential} (and {@code user}'s token of it) that no
   * token write describes (a deleted credential, a flow that began), dated now.
   */
  public Event about(
      EventType type, String credential, Optional<String> user, Map<String, String> details) {
    return new Event(
        type,
        clock.now(),
        Optional.of(credential),
        user.filter(u -> !u.isEmpty()),
        instance,
        Optional.empty(),
        Optional.empty(),
        details);
  }

  /**
   * The audit event of an admin's action of {@code type} by {@code actor}, on {@code credential}
   * (and {@code user}'s token of it) where it names one; {@code details} name the target, never a
   * secret.
   */
  public Event audit(
      EventType type,
      Actor actor,
      Optional<String> credential,
      Optional<String> user,
      Map<String, String> details) {
    if (!type.isAudit()) {
      throw new IllegalArgumentException(type + " is not an audit type");
    }
    return new Event(
        type,
        clock.now(),
        credential,
        user.filter(u -> !u.isEmpty()),
        instance,
        Optional.empty(),
        Optional.of(actor),
        details);
  }
}
