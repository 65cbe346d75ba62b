package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.ALREADY_EXISTS;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether saving an admin resource (a provider, a credential) creates it — it must not exist yet —
 * or replaces the one of a name, which must exist and keep its name: renaming is not supported.
 */
public sealed interface SaveMode {

  /** Replaces the resource {@code replacing} names (the name in a PUT's path); else creates one. */
  static SaveMode of(Optional<String> replacing) {
    return replacing.<SaveMode>map(Replace::new).orElseGet(Create::new);
  }

  /** Whether the save creates the resource (else it replaces one). */
  boolean creates();

  /**
   * Why saving the resource {@code name} of {@code kind} this way is refused, given whether one of
   * that name {@code exists}; {@code notFound} is the kind's own diagnosis of a missing one.
   */
  Optional<Diagnosis> refusal(String kind, String name, boolean exists, Diagnosis notFound);

  record Create() implements SaveMode {
    @Override
    public boolean creates() {
      return true;
    }

    @Override
    public Optional<Diagnosis> refusal(
        String kind, String name, boolean exists, Diagnosis notFound) {
      return exists
          ? Optional.of(Diagnosis.of(ALREADY_EXISTS, "kind", kind, "name", name))
          : Optional.empty();
    }
  }

  /** Replaces the resource {@code name} (the name a PUT's path gives). */
  record Replace(String name) implements SaveMode {
    public Replace {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public boolean creates() {
      return false;
    }

    @Override
    public Optional<Diagnosis> refusal(
        String kind, String name, boolean exists, Diagnosis notFound) {
      if (!this.name.equals(name)) {
        return Optional.of(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "name",
                "problem",
                "it differs from the name in the path ('"
                    + this.name
                    + "'); renaming is not supported"));
      }
      return exists ? Optional.empty() : Optional.of(notFound);
    }
  }
}
