package dev.callgate.core.event;

import dev.callgate.core.diagnosis.Diagnosis;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing that happened to a credential, or one admin action: its {@link EventType}, when, which
 * credential and (for a per-user token) which user, the instance of the cluster that recorded it,
 * the {@link Diagnosis} that explains it, who acted (audit events), and further facts by name
 * ({@code trigger}, {@code nextAttemptAt}, {@code attempts}, the target of an admin action …).
 * Never a secret: facts are names, times, counts and codes.
 *
 * <p>An event is written by the store in the same transaction as the change it describes, so none
 * is lost and none describes a change that was rolled back.
 */
public record Event(
    EventType type,
    Instant time,
    Optional<String> credential,
    Optional<String> user,
    String instance,
    Optional<Diagnosis> diagnosis,
    Optional<Actor> actor,
    Map<String, String> details) {

  public Event {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(diagnosis, "diagnosis");
    Objects.requireNonNull(actor, "actor");
    details = Map.copyOf(details);
  }
}
