package dev.callgate.archfixture.violating.core.service;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Makes its own randomness instead of taking an injected source, in every way core must not. */
public class DiceRoller {
  double mathRandom() {
    return Math.random();
  }

  int newRandom() {
    return new Random().nextInt();
  }

  int newSecureRandom() {
    return new SecureRandom().nextInt();
  }

  int strongSecureRandom() throws NoSuchAlgorithmException {
    return SecureRandom.getInstanceStrong().nextInt();
  }

  int threadLocalRandom() {
    return ThreadLocalRandom.current().nextInt();
  }

  int defaultGenerator() {
    return RandomGenerator.getDefault().nextInt();
  }

  UUID randomUuid() {
    return UUID.randomUUID();
  }
}
