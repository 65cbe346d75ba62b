package dev.callgate.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The last check of the build (its own failsafe execution, after every other test of the reactor):
 * no log line that any test JVM or any Callgate process it ran wrote holds a secret the tests used.
 */
class SecretScanIT {

  @Test
  void buildWhenEveryTestHasRunThenNoLogLineHoldsASecretTheTestsUsed() {
    Path root = Path.of(System.getProperty("callgate.reactor-root", "..")).toAbsolutePath();

    SecretScan.Result result = SecretScan.of(root.normalize());

    assertThat(result.unreadable()).as("log files that could not be read").isEmpty();
    assertThat(result.lines())
        .as("log lines under %s/**/target/test-logs (none means the scan saw nothing)", root)
        .isPositive();
    assertThat(result.secrets())
        .as("secrets listed under %s/**/target/test-secrets (none means nothing to look for)", root)
        .isPositive();
    assertThat(result.leaks())
        .withFailMessage(
            "%d log lines hold a secret (of %d lines in %d files, %d secrets), the first:%n%s",
            result.leaks().size(),
            result.lines(),
            result.logFiles().size(),
            result.secrets(),
            String.join(
                System.lineSeparator(),
                result.leaks().stream().limit(50).map(SecretScan.Leak::toString).toList()))
        .isEmpty();
  }
}
