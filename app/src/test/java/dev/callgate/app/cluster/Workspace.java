package dev.callgate.app.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the cluster's processes use on this machine: fresh directories under {@code target/cluster},
 * log files under {@code target/test-logs} (where the secret scan reads them), and free loopback
 * ports. Maven runs the tests in the module's directory, so {@code target} is the module's build
 * directory.
 */
final class Workspace {
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  private Workspace() {}

  /** A new, empty directory (mode 0700) whose name starts with {@code prefix}. */
  static Path freshDirectory(String prefix) throws IOException {
    Path parent = Files.createDirectories(TARGET.resolve("cluster"));
    return Files.createTempDirectory(parent, prefix + "-");
  }

  /** {@code target/test-logs/cluster-<name>.log}; neither created nor emptied. */
  static Path logFile(String name) throws IOException {
    return Files.createDirectories(TARGET.resolve("test-logs")).resolve("cluster-" + name + ".log");
  }

  /**
   * A loopback port nobody listens on now. Another process may take it before ours binds it; the
   * kernel hands out ephemeral ports in turn, so that is rare enough for tests.
   */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The last {@code lines} lines of {@code file} (bytes that are not UTF-8 shown as U+FFFD). */
  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(no " + file + ")";
      }
      List<String> all =
          new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
