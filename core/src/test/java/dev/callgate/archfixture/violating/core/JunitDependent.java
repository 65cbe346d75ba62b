package dev.callgate.archfixture.violating.core;

import org.junit.jupiter.api.TestInfo;

/** Depends on a library outside the JDK. */
public class JunitDependent {
  TestInfo testInfo;
}
