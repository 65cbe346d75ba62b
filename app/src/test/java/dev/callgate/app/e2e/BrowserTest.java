package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.fail;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.config.Configuration;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Callgate's pages in a real browser: the tests {@code src/test/browser/*.test.mjs} (Node.js's test
 * runner driving Debian's chromium with playwright-core) run once against one node-oidc-provider,
 * one target API and one Callgate on a port of its own whose public URL is its real address. They
 * find those in their environment ({@code CALLGATE_URL}, {@code CALLGATE_ADMIN_KEY}, {@code
 * OIDC_ISSUER}, {@code OIDC_CLIENT_ID}, {@code OIDC_CLIENT_SECRET}, {@code TARGET_URL}) and save
 * screenshots into {@code SCREENSHOTS} ({@code target/browser-screenshots}). A second Callgate
 * whose connect links live {@link #SHORT_LINK_LIFETIME} ({@code CALLGATE_SHORT_LINKS_URL}, same
 * admin key and provider) lets a test see a link expire without waiting a quarter of an hour. What
 * node prints goes to this test's output and to {@code target/test-logs/browser-tests.log}.
 *
 * <p>Without Node.js or chromium the test is skipped, or fails when {@code CI=true}.
 */
class BrowserTest {

  private static final Path DIRECTORY = Path.of("src", "test", "browser");
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
  private static final Path LOG = Path.of("target", "test-logs", "browser-tests.log");

  /** Secrets the pages showed, one JSON object a line, written by support.mjs registerSecret. */
  private static final Path SECRETS = Path.of("target", "browser-secrets.jsonl");

  private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
  private static final String SHORT_LINK_LIFETIME = "PT2S";

  @Test
  void browserTestsWhenRunInChromiumThenEveryOnePasses() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      NodePackages.skipOrFail(
          "Debian's chromium (" + CHROMIUM + ") is needed by the browser tests");
    }
    NodePackages.requireNode("by the browser tests");
    Path npmLog = Path.of("target", "npm-ci-browser.log");
    NodePackages.install(DIRECTORY, "playwright-core", npmLog);
    // a node_modules of before axe-core was a dependency has not got it: npm ci installs it
    NodePackages.install(DIRECTORY, "axe-core", npmLog);
    emptyScreenshots();
    Files.deleteIfExists(SECRETS);
    int port = freePort();
    URI callgateUrl = URI.create("http://127.0.0.1:" + port);
    int shortPort = freePort();
    URI shortLinksUrl = URI.create("http://127.0.0.1:" + shortPort);
    try (NodeOidcProvider idp =
            NodeOidcProvider.start(
                IDP_DIRECTORY,
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                List.of(callgateUrl.resolve("/v1/oauth/callback")));
        BearerTarget target = new BearerTarget();
        CallgateUnderTest callgate =
            CallgateUnderTest.start(
                Map.of(
                    Configuration.HTTP_PORT, String.valueOf(port),
                    Configuration.PUBLIC_URL, callgateUrl.toString()));
        CallgateUnderTest shortLinks =
            CallgateUnderTest.start(
                Map.of(
                    Configuration.HTTP_PORT, String.valueOf(shortPort),
                    Configuration.PUBLIC_URL, shortLinksUrl.toString(),
                    Configuration.CONNECT_LINK_TTL, SHORT_LINK_LIFETIME))) {
      run(
          Map.of(
              "CALLGATE_URL", callgate.base().toString(),
              "CALLGATE_SHORT_LINKS_URL", shortLinks.base().toString(),
              "CALLGATE_ADMIN_KEY", CallgateUnderTest.ADMIN_KEY,
              "OIDC_ISSUER", idp.issuer().toString(),
              "OIDC_CLIENT_ID", NodeOidcProvider.CLIENT_ID,
              "OIDC_CLIENT_SECRET", NodeOidcProvider.CLIENT_SECRET,
              "TARGET_URL", target.baseUrl().toString(),
              "SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString(),
              "SECRETS_FILE", SECRETS.toAbsolutePath().toString()));
    } finally {
      registerPageSecrets();
    }
  }

  /** Lists for the secret scan every secret a test read from a page. */
  private static void registerPageSecrets() throws IOException {
    if (!Files.exists(SECRETS)) {
      return;
    }
    for (String line : Files.readAllLines(SECRETS, StandardCharsets.UTF_8)) {
      JsonObject secret = new JsonObject(line);
      TestSecrets.register(secret.getString("what"), secret.getString("value"));
    }
  }

  /**
   * Runs {@code node --test} over every {@code *.test.mjs}; fails with its output unless it passed.
   */
  private static void run(Map<String, String> environment)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
    // one file at a time: each launches its own chromium, and they share one Callgate
    command.add("--test-concurrency=1");
    command.addAll(testFiles());
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Files.createDirectories(LOG.getParent());
    StringBuilder output = new StringBuilder();
    Process node = builder.start();
    try (Writer log = Files.newBufferedWriter(LOG, StandardCharsets.UTF_8);
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      Thread reader = new Thread(() -> stream(lines, log, output), "browser-tests-output");
      reader.setDaemon(true);
      reader.start();
      if (!node.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(node);
        reader.join(5_000);
        fail("the browser tests did not end within " + RUN_LIMIT + ":\n" + output);
      }
      reader.join(10_000);
    } finally {
      stop(node);
    }
    if (node.exitValue() != 0) {
      fail("the browser tests failed (node exited with " + node.exitValue() + "):\n" + output);
    }
  }

  /** Copies node's output line by line to this test's output, the log file and {@code output}. */
  private static void stream(BufferedReader lines, Writer log, StringBuilder output) {
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        System.out.println(line);
        log.write(line);
        log.write(System.lineSeparator());
        log.flush();
        synchronized (output) {
          output.append(line).append(System.lineSeparator());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> testFiles() throws IOException {
    try (Stream<Path> files = Files.list(DIRECTORY)) {
      List<String> tests =
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> name.endsWith(".test.mjs"))
              .sorted()
              .toList();
      if (tests.isEmpty()) {
        fail("no *.test.mjs in " + DIRECTORY.toAbsolutePath());
      }
      return tests;
    }
  }

  /**
   * Ends {@code process} and what it started (the test runner's per-file processes and their
   * browsers), by their process ids.
   */
  private static void stop(Process process) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** Screenshots of an earlier run would pass for this one's. */
  private static void emptyScreenshots() throws IOException {
    Files.createDirectories(SCREENSHOTS);
    try (Stream<Path> files = Files.list(SCREENSHOTS)) {
      for (Path png : files.filter(file -> file.toString().endsWith(".png")).toList()) {
        Files.delete(png);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * A third-party API: {@code GET /me} answers 200 with JSON to a request that carries a bearer
   * token, 401 to one without; {@code GET /connected} is the page of its application where a
   * connect link sends the end user back; anything else is 404.
   */
  private static final class BearerTarget implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    BearerTarget() {
      server = vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1").await();
    }

    URI baseUrl() {
      return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    private void answer(HttpServerRequest request) {
      String authorization = request.getHeader("Authorization");
      TestSecrets.registerAuthorization(
          "a token the browser tests' target received", authorization);
      var response = request.response();
      if ("/connected".equals(request.path())) {
        response
            .putHeader("Content-Type", "text/html; charset=utf-8")
            .end(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<title>Connected</title></head><body><h1>Your account is connected</h1>"
                    + "</body></html>");
        return;
      }
      response.putHeader("Content-Type", "application/json");
      if (!"/me".equals(request.path())) {
        response.setStatusCode(404).end("{\"error\":\"not found\"}");
      } else if (authorization == null || !authorization.startsWith("Bearer ")) {
        response
            .setStatusCode(401)
            .putHeader("WWW-Authenticate", "Bearer")
            .end("{\"error\":\"unauthorized\"}");
      } else {
        response.setStatusCode(200).end("{\"me\":\"alice\"}");
      }
    }

    @Override
    public void close() {
      vertx.close().await();
    }
  }
}
