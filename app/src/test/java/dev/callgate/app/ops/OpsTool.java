package dev.callgate.app.ops;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line tool the checks of {@code ops/} run ({@code promtool}, {@code systemd-analyze}):
 * found on the {@code PATH}, run with a timeout, its output kept for the failure message. Where the
 * tool is missing the check is skipped on a workstation, but fails under {@code CI=true}: CI
 * installs it ({@code .ci/run}), so a missing tool there is a broken CI, not a reason to pass.
 */
record OpsTool(Path executable) {
  /** The repository's {@code ops/} directory (tests run in {@code app/}). */
  static final Path OPS = Path.of("..", "ops");

  /** What a run printed, and how it ended. */
  record Run(int exitCode, String output) {}

  static OpsTool require(String name, String installHint) {
    Optional<Path> found = onPath(name);
    if (found.isPresent()) {
      return new OpsTool(found.get());
    }
    String missing = name + " is not installed (" + installHint + ")";
    if ("true".equals(System.getenv("CI"))) {
      fail(missing + "; CI must install it, see .ci/run");
    }
    Assumptions.abort(missing);
    throw new AssertionError("unreachable");
  }

  static Optional<Path> onPath(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String directory : path.split(java.io.File.pathSeparator)) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  Run run(Path workingDirectory, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(workingDirectory.toFile())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not end within 60 s");
      }
      return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
