package dev.callgate.app.cluster;

import static dev.callgate.app.config.Configuration.DATA_DIR;
import static dev.callgate.app.config.Configuration.HTTP_HOST;
import static dev.callgate.app.config.Configuration.HTTP_PORT;
import static dev.callgate.app.config.Configuration.OUTBOUND_ALLOW;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One Callgate instance as its own JVM, started from the shaded jar (system property {@code
 * callgate.jar}, set by the build) with a small heap and the {@code CALLGATE_*} environment given —
 * plus, unless given, a free port on 127.0.0.1 and a fresh data directory under {@code
 * target/cluster}; nothing of the test JVM's own {@code CALLGATE_*} environment leaks in. Its
 * output goes to {@code target/test-logs/cluster-<name>.log}. It counts as started once {@code GET
 * /health/ready} answers 200; it can be stopped (SIGTERM), killed (SIGKILL) and restarted with the
 * same name, environment and port.
 */
public final class CallgateProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final int TAIL_LINES = 40;
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private final String name;
  private final Map<String, String> environment;
  private final int port;
  private final Path log;
  private final Process process;
  private final Thread cleanup;

  private CallgateProcess(
      String name, Map<String, String> environment, int port, Path log, Process process) {
    this.name = name;
    this.environment = environment;
    this.port = port;
    this.log = log;
    this.process = process;
    // when the JVM ends without close(): leave no instance behind
    this.cleanup = new Thread(process::destroyForcibly, "callgate-cleanup-" + name);
  }

  /**
   * Starts instance {@code name} with {@code environment} ({@code CALLGATE_DB_URL}, {@code
   * CALLGATE_MASTER_KEY}, …; a given port, host or data directory wins over the harness's) and
   * returns once it is ready; fails with the log's last lines if it exits or is not ready in 60 s.
   */
  public static CallgateProcess start(String name, Map<String, String> environment)
      throws IOException, InterruptedException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain instance name (it names the log): " + name);
    }
    Map<String, String> complete = new LinkedHashMap<>();
    complete.put(HTTP_HOST, "127.0.0.1");
    complete.put(HTTP_PORT, String.valueOf(Workspace.freePort()));
    complete.put(DATA_DIR, Workspace.freshDirectory("callgate-" + name).toString());
    // the targets and providers of the cluster tests listen on loopback
    complete.put(OUTBOUND_ALLOW, "127.0.0.0/8,::1/128");
    complete.putAll(environment);
    Path log = Workspace.logFile(name);
    Files.deleteIfExists(log);
    return launch(name, Map.copyOf(complete), log);
  }

  /** A new process with this one's name, environment and port; this one must have ended. */
  public CallgateProcess restart() throws IOException, InterruptedException {
    if (alive()) {
      throw new IllegalStateException(name + " still runs: stop() or kill() it first");
    }
    return launch(name, environment, log);
  }

  private static CallgateProcess launch(String name, Map<String, String> environment, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                jar().toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(variable -> variable.startsWith("CALLGATE_"));
    builder.environment().putAll(environment);
    CallgateProcess started =
        new CallgateProcess(
            name, environment, Integer.parseInt(environment.get(HTTP_PORT)), log, builder.start());
    Runtime.getRuntime().addShutdownHook(started.cleanup);
    try {
      started.awaitReady();
    } catch (AssertionError | InterruptedException | RuntimeException e) {
      started.kill();
      throw e;
    }
    return started;
  }

  private static Path jar() {
    String jar = System.getProperty("callgate.jar");
    if (jar == null) {
      throw new IllegalStateException(
          "system property callgate.jar is not set: run the cluster tests with mvn verify,"
              + " whose failsafe configuration sets it");
    }
    Path path = Path.of(jar);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(path + " does not exist: mvn package builds it");
    }
    return path;
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!ready()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with " + process.exitValue() + " before it was ready; " + lastLines());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s; " + lastLines());
      }
      Thread.sleep(100);
    }
  }

  /** True when {@code GET /health/ready} answers 200 within 2 s. */
  public boolean ready() throws InterruptedException {
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(baseUri().resolve("/health/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException notAnswering) {
      return false;
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash or the OOM killer would; returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
    forgetCleanup();
  }

  /**
   * SIGTERM, as an orchestrator stops an instance; fails (after killing it) if the process is not
   * gone within 10 s, since Callgate must shut down cleanly.
   */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError(
          name
              + " did not exit within "
              + STOP_TIMEOUT.toSeconds()
              + " s of SIGTERM; "
              + lastLines());
    }
    forgetCleanup();
  }

  /** The last {@code lines} lines of this instance's log (every start of it, appended). */
  public String logTail(int lines) {
    return Workspace.tail(log, lines);
  }

  /** Stops the instance if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (alive()) {
      stop();
    }
    forgetCleanup();
  }

  @Override
  public String toString() {
    return name + "@" + baseUri();
  }

  private String lastLines() {
    return "last lines of " + log + ":\n" + logTail(TAIL_LINES);
  }

  private void forgetCleanup() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
