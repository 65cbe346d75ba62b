package dev.callgate.archfixture.compliant.core.service;

import dev.callgate.archfixture.compliant.core.port.TimeSource;
import dev.callgate.archfixture.compliant.core.token.Lifetime;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/** A use case taking its time from a port and its randomness from an injected source. */
public class Ticker {
  private final TimeSource time;
  private final RandomGenerator random;

  public Ticker(TimeSource time, RandomGenerator random) {
    this.time = time;
    this.random = random;
  }

  public Lifetime next() {
    Duration jitter = Duration.ofMillis(random.nextLong(1000));
    return new Lifetime(time.now(), Duration.ofMinutes(1).plus(jitter), List.of());
  }
}
