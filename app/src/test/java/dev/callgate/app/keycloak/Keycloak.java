package dev.callgate.app.keycloak;

import dev.callgate.core.testkit.TestSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak server for the tests: the {@code keycloak-quarkus-dist} distribution that the
 * build unpacks into {@code app/target}, run with {@code kc.sh start-dev} on a free loopback port
 * with the {@code callgate} realm imported. One server serves every test class of a test JVM
 * ({@link #shared()}); a JVM shutdown hook stops it. {@link #stop()} and {@link #start()} take it
 * down and bring it back on the same port with its data (realms, users, sessions) kept, for
 * provider-outage tests; the data is wiped only on the first start in a JVM. The log goes to {@code
 * app/target/keycloak-run/keycloak.log}, and a failed boot puts its tail in the exception.
 */
public final class Keycloak implements AutoCloseable {

  /** The realm imported on first start. */
  public static final String REALM = "callgate";

  /** The confidential client of {@link #REALM} (and of every {@link RealmSpec} realm). */
  public static final String CLIENT_ID = "callgate";

  /** The secret of {@link #CLIENT_ID}, as in {@code keycloak/callgate-realm.json}. */
  public static final String CLIENT_SECRET = "callgate-client-secret";

  /** The master realm's bootstrap administrator. */
  public static final String ADMIN_USERNAME = "admin";

  public static final String ADMIN_PASSWORD = "admin-password";

  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 80;

  private static Keycloak shared;

  private final Path home;
  private final Path runDirectory;
  private final Path log;
  private final Path pidFile;
  private final int httpPort;
  private final int managementPort;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private FileLock ownership;
  private boolean startedBefore;
  private Process process;
  private KeycloakAdmin admin;

  private Keycloak(Path home) {
    TestSecrets.register("Keycloak client secret", CLIENT_SECRET);
    TestSecrets.register("Keycloak admin password", ADMIN_PASSWORD);
    this.home = home;
    this.runDirectory = home.getParent().resolve("keycloak-run");
    this.log = runDirectory.resolve("keycloak.log");
    this.pidFile = runDirectory.resolve("keycloak.pid");
    this.httpPort = freePort();
    int other;
    do {
      other = freePort();
    } while (other == httpPort);
    this.managementPort = other;
  }

  /**
   * The server of this test JVM, started (and the realm imported) on first use; later calls return
   * the same server, started again if a test left it stopped.
   */
  public static synchronized Keycloak shared() {
    if (shared == null) {
      Keycloak keycloak = new Keycloak(distribution());
      Runtime.getRuntime().addShutdownHook(new Thread(keycloak::stop, "keycloak-stop"));
      shared = keycloak;
    }
    shared.start();
    return shared;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  /** The issuer of {@code realm}, as its discovery document states it. */
  public URI issuer(String realm) {
    return URI.create(baseUrl() + "/realms/" + realm);
  }

  /** The admin REST API, as the master realm's bootstrap administrator. */
  public synchronized KeycloakAdmin admin() {
    if (admin == null) {
      admin = new KeycloakAdmin(baseUrl(), ADMIN_USERNAME, ADMIN_PASSWORD);
    }
    return admin;
  }

  /** A client of {@code realm}'s token and revocation endpoints, as {@link #CLIENT_ID}. */
  public TokenEndpoint tokenEndpoint(String realm) {
    return new TokenEndpoint(issuer(realm), CLIENT_ID, CLIENT_SECRET);
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the server on its port and returns once the {@code callgate} realm's discovery document
   * answers. Does nothing if it runs.
   */
  public synchronized void start() {
    if (running()) {
      return;
    }
    if (!startedBefore) {
      if (ownership == null) {
        takeOwnership();
      }
      killLeftover();
      freshData();
    }
    long begin = System.nanoTime();
    try {
      Files.createDirectories(runDirectory);
      Files.writeString(
          log,
          "---- kc.sh start-dev on port " + httpPort + "\n",
          StandardOpenOption.CREATE,
          startedBefore ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
      process = command().start();
      writePids(process.toHandle());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + home.resolve("bin/kc.sh"), e);
    }
    awaitReady();
    writePids(process.toHandle());
    System.out.printf(
        "%s ready at %s in %.1f s%s%n",
        home.getFileName(),
        baseUrl(),
        (System.nanoTime() - begin) / 1e9,
        startedBefore ? "" : " (fresh data)");
    startedBefore = true;
  }

  /**
   * Stops the server and waits until its processes have ended; its data stays for {@link #start()}.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    // kc.sh forwards SIGTERM to its java child unless it has already exec'd into it: the tree
    // is taken before, since the shell's children are no longer known once it has gone
    List<ProcessHandle> tree = tree(process.toHandle());
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        tree.forEach(ProcessHandle::destroyForcibly);
      }
      for (ProcessHandle member : tree) {
        if (!awaitExit(member, STOP_TIMEOUT)) {
          member.destroyForcibly();
          awaitExit(member, STOP_TIMEOUT);
        }
      }
    } catch (InterruptedException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    process = null;
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      // a stale PID file is checked against the process's command line before anything is killed
    }
  }

  /**
   * Same as {@link #stop()}, for a test that wants the server down when it ends; the shared server
   * is stopped at the JVM's exit in any case.
   */
  @Override
  public void close() {
    stop();
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e + ")";
    }
  }

  private ProcessBuilder command() {
    ProcessBuilder builder =
        new ProcessBuilder(
            "/bin/sh",
            home.resolve("bin/kc.sh").toString(),
            "start-dev",
            "--http-host=127.0.0.1",
            "--http-port=" + httpPort,
            // Keycloak opens its management interface only with health or metrics on; should
            // that change, it must not be the default 9000, which another run may hold
            "--http-management-port=" + managementPort,
            // the issuer follows the request URL, whatever loopback name the caller uses
            "--hostname-strict=false",
            "--import-realm");
    Map<String, String> environment = builder.environment();
    // the caller's own Keycloak, Quarkus or JVM settings must not reach this server
    environment
        .keySet()
        .removeIf(
            key ->
                key.startsWith("KC_")
                    || key.startsWith("QUARKUS_")
                    || key.startsWith("JAVA_OPTS")
                    || key.equals("JAVA_TOOL_OPTIONS")
                    || key.equals("JAVA_ADD_OPENS")
                    || key.equals("JAVA"));
    // Keycloak runs on the JVM that runs the tests (Java 17 in this build)
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
    environment.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
    environment.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    return builder
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
  }

  private void awaitReady() {
    URI discovery = URI.create(issuer(REALM) + "/.well-known/openid-configuration");
    long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        int exit = process.exitValue();
        process = null;
        throw new IllegalStateException(
            "Keycloak exited with status "
                + exit
                + " before it was ready; log "
                + log
                + ":\n"
                + logTail());
      }
      if (answers(discovery)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException(
            "Keycloak was not ready within "
                + BOOT_TIMEOUT.toSeconds()
                + " s at "
                + discovery
                + "; log "
                + log
                + ":\n"
                + logTail());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        stop();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Keycloak was starting", e);
      }
    }
  }

  private boolean answers(URI uri) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Holds a lock on the run directory for this JVM's life, so that a second test JVM on the same
   * checkout fails plainly instead of taking the first one's server for a leftover.
   */
  private void takeOwnership() {
    try {
      Files.createDirectories(runDirectory);
      FileChannel channel =
          FileChannel.open(
              runDirectory.resolve("keycloak.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      ownership = channel.tryLock();
      if (ownership == null) {
        channel.close();
        throw new IllegalStateException(
            "another test JVM runs the Keycloak of " + home + "; run one build at a time");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends a server that an aborted earlier run left behind, so that it holds no port or file. */
  private void killLeftover() {
    if (!Files.exists(pidFile)) {
      return;
    }
    try (Stream<String> lines = Files.lines(pidFile)) {
      List<ProcessHandle> leftovers =
          lines
              .map(String::strip)
              .filter(line -> line.matches("\\d+"))
              .map(Long::parseLong)
              .map(ProcessHandle::of)
              .flatMap(Optional::stream)
              .filter(this::isOurs)
              .flatMap(handle -> tree(handle).stream())
              .distinct()
              .collect(Collectors.toList());
      for (ProcessHandle leftover : leftovers) {
        System.out.println("Keycloak: ending leftover process " + leftover.pid());
        leftover.destroyForcibly();
        awaitExit(leftover, STOP_TIMEOUT);
      }
      Files.delete(pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A PID may have been reused since: only a process running this distribution is ours. */
  private boolean isOurs(ProcessHandle handle) {
    return handle.isAlive()
        && handle.info().commandLine().map(line -> line.contains(home.toString())).orElse(false);
  }

  private void freshData() {
    Path data = home.resolve("data");
    try {
      if (Files.exists(data)) {
        try (Stream<Path> files = Files.walk(data)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
            Files.delete(file);
          }
        }
      }
      Path imports = Files.createDirectories(data.resolve("import"));
      try (InputStream realm = Keycloak.class.getResourceAsStream(RealmSpec.TEMPLATE)) {
        if (realm == null) {
          throw new IllegalStateException(RealmSpec.TEMPLATE + " is not on the test classpath");
        }
        Files.copy(
            realm, imports.resolve(REALM + "-realm.json"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + data, e);
    }
  }

  private void writePids(ProcessHandle root) {
    String pids =
        tree(root).stream()
            .map(handle -> Long.toString(handle.pid()))
            .collect(Collectors.joining("\n", "", "\n"));
    try {
      Files.writeString(pidFile, pids);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ProcessHandle> tree(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    root.descendants().forEach(tree::add);
    return tree;
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout)
      throws InterruptedException {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return !handle.isAlive();
    }
  }

  private static Path distribution() {
    String configured = System.getProperty("keycloak.home");
    Path home =
        configured != null ? Path.of(configured) : unpackedUnder(Path.of("target")).orElse(null);
    if (home == null || !Files.isRegularFile(home.resolve("bin/kc.sh"))) {
      // never a skip: a test that needs Keycloak and silently does not run proves nothing
      throw new IllegalStateException(
          "no Keycloak distribution"
              + (home == null ? " under target/" : " at " + home)
              + ": run the build (`mvn -pl app test-compile` or later), whose"
              + " maven-dependency-plugin unpacks org.keycloak:keycloak-quarkus-dist there");
    }
    return home.toAbsolutePath().normalize();
  }

  /**
   * The distribution when the tests run without the build's {@code keycloak.home}, as in an IDE.
   */
  private static Optional<Path> unpackedUnder(Path target) {
    if (!Files.isDirectory(target)) {
      return Optional.empty();
    }
    try (Stream<Path> entries = Files.list(target)) {
      return entries
          .filter(path -> path.getFileName().toString().matches("keycloak-\\d.*"))
          .filter(Files::isDirectory)
          .max(Comparator.naturalOrder());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
