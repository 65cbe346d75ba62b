package dev.callgate.archfixture.compliant.core.port;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** A port: an interface speaking domain types, with its values and its failure nested. */
public interface TimeSource {
  Instant now();

  CompletionStage<Reading> read();

  record Reading(Instant at, Kind kind) {}

  enum Kind {
    EXACT,
    GUESSED
  }

  sealed interface Outcome {}

  record Read(Reading reading) implements Outcome {}

  record Failed(String reason) implements Outcome {}
}
