package dev.callgate.archfixture.violating.core.service;

import java.time.Instant;
import java.time.LocalDateTime;

/** Reads the time from the machine instead of from the Clock port, in every way core must not. */
public class WallClockReader {
  long currentTimeMillis() {
    return System.currentTimeMillis();
  }

  long nanoTime() {
    return System.nanoTime();
  }

  Instant instantNow() {
    return Instant.now();
  }

  LocalDateTime localDateTimeNow() {
    return LocalDateTime.now();
  }

  Instant systemClock() {
    return java.time.Clock.systemUTC().instant();
  }
}
