package dev.callgate.core.diagnosis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One failure a person can act on: a catalogue {@link DiagnosisCode}, the facts of this occurrence
 * (times, scopes, statuses, names — never a secret), and the message and remedy rendered from them.
 * Build one with {@link #of(DiagnosisCode, Object...)}, passing fact names and values in pairs.
 */
public record Diagnosis(DiagnosisCode code, Map<String, String> facts) {

  public Diagnosis {
    Objects.requireNonNull(code, "code");
    facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    for (String fact : code.facts()) {
      if (!facts.containsKey(fact)) {
        throw new IllegalArgumentException(code + " needs the fact '" + fact + "'");
      }
    }
  }

  /** {@code Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", "crm")}. */
  public static Diagnosis of(DiagnosisCode code, Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("facts come in name/value pairs");
    }
    Map<String, String> facts = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      facts.put(String.valueOf(namesAndValues[i]), String.valueOf(namesAndValues[i + 1]));
    }
    return new Diagnosis(code, facts);
  }

  /**
   * A diagnosis as a store kept it, whose facts may predate its code's present templates: a fact
   * the templates name and the stored diagnosis lacks reads "unknown", so that a record an older
   * version wrote stays readable after an upgrade.
   */
  public static Diagnosis stored(DiagnosisCode code, Map<String, String> facts) {
    Map<String, String> complete = new LinkedHashMap<>(facts);
    for (String fact : code.facts()) {
      complete.putIfAbsent(fact, "unknown");
    }
    return new Diagnosis(code, complete);
  }

  /** What happened, with the facts. */
  public String message() {
    return code.render(code.messageTemplate(), facts);
  }

  /** What to do about it. */
  public String remedy() {
    return code.render(code.remedyTemplate(), facts);
  }

  public String fact(String name) {
    return facts.get(name);
  }

  @Override
  public String toString() {
    return code + ": " + message();
  }
}
