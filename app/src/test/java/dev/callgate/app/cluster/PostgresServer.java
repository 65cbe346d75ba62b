package dev.callgate.app.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private, throw-away PostgreSQL cluster made with the machine's own binaries (the newest of
 * {@code /usr/lib/postgresql/<version>/bin}, or {@code CALLGATE_TEST_PG_BIN}): {@code initdb} with
 * trust authentication into a fresh directory under {@code target/cluster}, served on a free
 * loopback port with {@code fsync} off, so a test can stop and start the database under running
 * Callgate instances. As root, the binaries run as the {@code postgres} user, which owns the
 * directory. Without the binaries the test is skipped, or fails when {@code CI=true}. The server's
 * log is {@code target/test-logs/cluster-postgres-<port>.log}.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String SUPERUSER = "postgres";
  private static final Path DEBIAN_INSTALLATIONS = Path.of("/usr/lib/postgresql");
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  private final Path bin;
  private final Path directory;
  private final Path log;
  private final int port;
  private final boolean asSuperuser;
  private final Thread cleanup = new Thread(this::stopImmediately, "postgres-cleanup");

  private PostgresServer(Path bin, Path directory, Path log, int port, boolean asSuperuser) {
    this.bin = bin;
    this.directory = directory;
    this.log = log;
    this.port = port;
    this.asSuperuser = asSuperuser;
  }

  /** Creates the cluster with {@code initdb} and starts it; stop and delete it with close(). */
  public static PostgresServer create() throws IOException, InterruptedException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path directory = Workspace.freshDirectory("postgres");
    int port = Workspace.freePort();
    Path log = Workspace.logFile("postgres-" + port);
    Files.deleteIfExists(log);
    Files.createFile(log);
    if (root) {
      // PostgreSQL refuses to run as root; its files and the log must be the postgres user's
      UserPrincipal postgres = postgresUser(directory);
      Files.setOwner(directory, postgres);
      Files.setOwner(log, postgres);
    }
    PostgresServer server = new PostgresServer(bin, directory, log, port, root);
    Runtime.getRuntime().addShutdownHook(server.cleanup);
    try {
      server.run(
          "initdb",
          "-D",
          server.data().toString(),
          "-U",
          SUPERUSER,
          "--auth=trust",
          "--no-sync",
          "--encoding=UTF8",
          "--locale=C");
      server.start();
    } catch (IOException | RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Starts the server (again) on the same port and data; returns once it accepts connections. */
  public void start() throws IOException, InterruptedException {
    run(
        "pg_ctl",
        "-D",
        data().toString(),
        "-l",
        log.toString(),
        "-w",
        "-t",
        String.valueOf(COMMAND_TIMEOUT_SECONDS),
        "-o",
        // pg_ctl hands these to a shell: quote the directory
        "-p " + port + " -c fsync=off -c listen_addresses=127.0.0.1 -k '" + directory + "'",
        "start");
  }

  /** Stops the server ({@code pg_ctl -m fast}: sessions are cut) and waits until it is down. */
  public void stop() throws IOException, InterruptedException {
    run(
        "pg_ctl",
        "-D",
        data().toString(),
        "-m",
        "fast",
        "-w",
        "-t",
        String.valueOf(COMMAND_TIMEOUT_SECONDS),
        "stop");
  }

  public boolean running() throws IOException, InterruptedException {
    return exitCode("pg_ctl", "-D", data().toString(), "status") == 0;
  }

  /** Creates database {@code name} (lower case, digits, underscores); returns its url(). */
  public String createDatabase(String name) throws IOException, InterruptedException {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    run(
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        String.valueOf(port),
        "-U",
        SUPERUSER,
        "-d",
        "postgres",
        "-c",
        "CREATE DATABASE " + name);
    return url(name);
  }

  /** The URL Callgate takes as {@code CALLGATE_DB_URL}. */
  public String url(String database) {
    return "postgresql://" + SUPERUSER + "@127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  /** Stops the server if it runs and deletes its directory; the log stays. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (Files.isDirectory(data()) && running()) {
        stop();
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      Workspace.deleteRecursively(directory);
    }
  }

  private Path data() {
    return directory.resolve("data");
  }

  /** When the JVM ends without close(): leave no server behind. */
  private void stopImmediately() {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        exitCode("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
      }
    } catch (IOException | InterruptedException e) {
      // nothing more to do at exit
    }
  }

  private void run(String program, String... arguments) throws IOException, InterruptedException {
    int exit = exitCode(program, arguments);
    if (exit != 0) {
      throw new IllegalStateException(
          program
              + " "
              + String.join(" ", arguments)
              + " exited with "
              + exit
              + "; last lines of "
              + log
              + ":\n"
              + Workspace.tail(log, 30));
    }
  }

  private int exitCode(String program, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (asSuperuser) {
      command.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(Arrays.asList(arguments));
    Process process =
        new ProcessBuilder(command)
            // a directory the postgres user may enter, whoever runs the tests
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!process.waitFor(COMMAND_TIMEOUT_SECONDS + 10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException(
          program + " did not finish within " + (COMMAND_TIMEOUT_SECONDS + 10) + " s");
    }
    return process.exitValue();
  }

  private static UserPrincipal postgresUser(Path directory) throws IOException {
    try {
      return directory
          .getFileSystem()
          .getUserPrincipalLookupService()
          .lookupPrincipalByName(SUPERUSER);
    } catch (UserPrincipalNotFoundException e) {
      return unavailable(
          "the tests run as root, and PostgreSQL needs the OS user '" + SUPERUSER + "' to run as");
    }
  }

  private static Path binaries() throws IOException {
    String configured = System.getenv("CALLGATE_TEST_PG_BIN");
    Optional<Path> bin =
        configured != null && !configured.isBlank()
            ? Optional.of(Path.of(configured))
            : newestInstallation();
    if (bin.isEmpty()) {
      return unavailable(
          "no PostgreSQL binaries in "
              + DEBIAN_INSTALLATIONS
              + "/<version>/bin (install postgresql, or set CALLGATE_TEST_PG_BIN)");
    }
    for (String program : List.of("initdb", "pg_ctl", "psql")) {
      if (!Files.isExecutable(bin.get().resolve(program))) {
        return unavailable("no executable " + program + " in " + bin.get());
      }
    }
    return bin.get();
  }

  private static Optional<Path> newestInstallation() throws IOException {
    if (!Files.isDirectory(DEBIAN_INSTALLATIONS)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_INSTALLATIONS)) {
      return versions
          .filter(path -> path.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .filter(path -> Files.isDirectory(path.resolve("bin")))
          .max(
              Comparator.comparingInt((Path path) -> versionPart(path, 0))
                  .thenComparingInt(path -> versionPart(path, 1)))
          .map(path -> path.resolve("bin"));
    }
  }

  private static int versionPart(Path installation, int index) {
    String[] parts = installation.getFileName().toString().split("\\.");
    return index < parts.length ? Integer.parseInt(parts[index]) : 0;
  }

  private static <T> T unavailable(String reason) {
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(reason + ", and CI=true demands a PostgreSQL for the tests");
    }
    return Assumptions.abort(reason);
  }
}
