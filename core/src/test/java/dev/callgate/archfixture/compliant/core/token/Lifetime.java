package dev.callgate.archfixture.compliant.core.token;

import dev.callgate.archfixture.compliant.core.port.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A domain value using the JDK freely, but never the machine's clock. */
public record Lifetime(Instant issuedAt, Duration length, List<String> scope) {

  public Optional<Instant> expiresAt(TimeSource.Kind kind) {
    return switch (kind) {
      case EXACT -> Optional.of(issuedAt.plus(length));
      case GUESSED -> Optional.empty();
    };
  }

  public boolean isOver(Instant now) {
    return !now.isBefore(issuedAt.plus(length));
  }
}
