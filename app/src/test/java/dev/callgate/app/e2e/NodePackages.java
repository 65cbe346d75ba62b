package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Node.js programs the tests run from a directory of their own ({@code package.json} with its
 * {@code package-lock.json}): Node.js must be there — else the test is skipped, or fails when
 * {@code CI=true} — and the packages are installed with {@code npm ci} on first use.
 */
final class NodePackages {
  private NodePackages() {}

  /**
   * Skips the test (fails it when {@code CI=true}) unless {@code node} runs; says it is for {@code
   * use}.
   */
  static void requireNode(String use) throws InterruptedException {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0) {
        return;
      }
      version.destroyForcibly();
    } catch (IOException missing) {
      // reported below
    }
    skipOrFail("Node.js (node, npm) is needed " + use);
  }

  /** Skips the test, or fails it when {@code CI=true}, which demands every tool the tests use. */
  static void skipOrFail(String missing) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(missing + ", and CI=true demands it (.ci/run installs what it needs)");
    }
    Assumptions.abort(missing);
  }

  /**
   * Runs {@code npm ci} in {@code directory} unless {@code node_modules/<installedPackage>} is
   * there already; npm's output goes to {@code log}.
   */
  static synchronized void install(Path directory, String installedPackage, Path log)
      throws IOException, InterruptedException {
    if (Files.isDirectory(directory.resolve("node_modules").resolve(installedPackage))) {
      return;
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      npm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      fail("npm ci failed in " + directory + ": " + Files.readString(log));
    }
  }
}
