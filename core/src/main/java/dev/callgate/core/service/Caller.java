package dev.callgate.core.service;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: the subject of the API key that authenticated the request, the key's public id
 * (which audit names, empty where no key stands behind the caller), and its roles. An admin may
 * manage and call every credential; a caller only those that list its subject; a metrics key may
 * only read {@code /metrics}.
 */
public record Caller(String subject, String keyId, Set<Role> roles) {

  public enum Role {
    ADMIN,
    CALLER,
    METRICS
  }

  public Caller {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(keyId, "keyId");
    roles = Set.copyOf(roles);
  }

  public static Caller admin(String subject) {
    return new Caller(subject, "", Set.of(Role.ADMIN));
  }

  public static Caller caller(String subject) {
    return new Caller(subject, "", Set.of(Role.CALLER));
  }

  /** This caller acting in the request {@code requestId}, as audit names it. */
  public Actor actor(String requestId) {
    return new Actor(subject, keyId, requestId);
  }

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }

  public boolean mayReadMetrics() {
    return isAdmin() || roles.contains(Role.METRICS);
  }

  /**
   * Whether this caller may start or end a grant of {@code credential}: an admin any, a caller only
   * its own token of a per-user credential it may call.
   */
  public boolean managesGrantsOf(NamedCredential credential) {
    return isAdmin()
        || (credential.principal() == PrincipalType.PER_USER
            && roles.contains(Role.CALLER)
            && credential.allowsCaller(subject));
  }

  /** Why this caller may not use {@code credential}, if it may not: admins may use any. */
  public Optional<Diagnosis> refusedBy(NamedCredential credential) {
    if (isAdmin() || (roles.contains(Role.CALLER) && credential.allowsCaller(subject))) {
      return Optional.empty();
    }
    return Optional.of(
        Diagnosis.of(
            DiagnosisCode.CALLER_NOT_ALLOWED, "subject", subject, "credential", credential.name()));
  }
}
