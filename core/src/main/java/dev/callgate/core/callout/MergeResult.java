package dev.callgate.core.callout;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;

/**
 * The outcome of resolving merge fields in one text: the text with every field replaced by the
 * credential's value, or the diagnosis of the first field that could not be resolved. A resolved
 * value usually holds a secret, so it never prints.
 */
public sealed interface MergeResult {

  /** The text with its merge fields replaced; {@code toString} hides it. */
  record Resolved(String value) implements MergeResult {
    public Resolved {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "Resolved[***]";
    }
  }

  record Rejected(Diagnosis diagnosis) implements MergeResult {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
