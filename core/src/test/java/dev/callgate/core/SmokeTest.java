package dev.callgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void secretWhenPrintedThenHidesValue() {
    assertThat(Secret.of("s3cr3t").toString()).isEqualTo("***");
  }
}
