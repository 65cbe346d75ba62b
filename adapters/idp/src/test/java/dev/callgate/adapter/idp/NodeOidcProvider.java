package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A node-oidc-provider process started from {@code src/test/oidc-provider} (its packages installed
 * with {@code npm ci} on first use) on a free loopback port, with the token lifetimes given.
 * Without Node.js the tests using it are skipped, or fail when {@code CI=true}.
 */
public final class NodeOidcProvider implements AutoCloseable {

  public static final String CLIENT_ID = "callgate";
  public static final String CLIENT_SECRET = "callgate-secret-with-enough-length-0123456789";
  public static final URI REDIRECT_URI = URI.create("http://127.0.0.1/v1/oauth/callback");

  private static final Path DIRECTORY = Path.of("src", "test", "oidc-provider");

  private final Process process;
  private final URI issuer;

  private NodeOidcProvider(Process process, URI issuer) {
    this.process = process;
    this.issuer = issuer;
  }

  public URI issuer() {
    return issuer;
  }

  static NodeOidcProvider start(Duration accessTokenTtl, Duration refreshTokenTtl)
      throws IOException, InterruptedException {
    return start(DIRECTORY, accessTokenTtl, refreshTokenTtl);
  }

  /** Starts the provider kept in {@code directory} (the other modules' tests pass its path). */
  public static NodeOidcProvider start(
      Path directory, Duration accessTokenTtl, Duration refreshTokenTtl)
      throws IOException, InterruptedException {
    requireNode();
    installPackages(directory);
    int port = TestSupport.freePort();
    Path log = Path.of("target", "oidc-provider-" + port + ".log");
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(
                "node",
                "server.mjs",
                String.valueOf(port),
                String.valueOf(accessTokenTtl.toSeconds()),
                String.valueOf(refreshTokenTtl.toSeconds()))
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    NodeOidcProvider provider =
        new NodeOidcProvider(process, URI.create("http://127.0.0.1:" + port));
    try {
      provider.awaitDiscovery(log);
    } catch (IOException | InterruptedException | AssertionError e) {
      provider.close();
      throw e;
    }
    return provider;
  }

  private void awaitDiscovery(Path log) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("oidc-provider exited: " + Files.readString(log));
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(discovery).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    fail(
        "oidc-provider did not serve its discovery document within 20 s: " + Files.readString(log));
  }

  private static void requireNode() throws InterruptedException {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0) {
        return;
      }
    } catch (IOException missing) {
      // reported below
    }
    String reason = "Node.js (node, npm) is needed to run node-oidc-provider";
    if (TestSupport.ci()) {
      fail(reason + ", and CI=true demands every external server");
    }
    Assumptions.abort(reason);
  }

  private static synchronized void installPackages(Path directory)
      throws IOException, InterruptedException {
    if (Files.isDirectory(directory.resolve("node_modules").resolve("oidc-provider"))) {
      return;
    }
    Path log = Path.of("target", "npm-ci.log");
    Files.createDirectories(log.getParent());
    Process npm;
    try {
      npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException missing) {
      if (TestSupport.ci()) {
        fail("npm is needed to install node-oidc-provider, and CI=true demands it");
      }
      Assumptions.abort("npm is needed to install node-oidc-provider");
      return;
    }
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      npm.destroyForcibly();
      fail("npm ci failed: " + Files.readString(log));
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
