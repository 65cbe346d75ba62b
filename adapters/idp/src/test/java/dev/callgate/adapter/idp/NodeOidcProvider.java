package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.fail;

import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * A node-oidc-provider process started from {@code src/test/oidc-provider} (its packages installed
 * with {@code npm ci} on first use) on a free loopback port, with the token lifetimes given.
 * Without Node.js the tests using it are skipped, or fail when {@code CI=true}.
 *
 * <p>Beside the provider's own port, the process serves a control port that stays up while the
 * provider's is down: it counts the token endpoint's requests and answers ({@link #stats()}), holds
 * the next refresh before or after the provider processes it ({@link #holdNextRefresh}), closes the
 * provider's port for a while with every grant and token kept ({@link #outage}), and lists the
 * refresh tokens issued to an account ({@link #refreshTokensOf}).
 */
public final class NodeOidcProvider implements AutoCloseable {

  public static final String CLIENT_ID = "callgate";
  public static final String CLIENT_SECRET = "callgate-secret-with-enough-length-0123456789";

  /** A client like {@link #CLIENT_ID} that may not use the device authorization grant. */
  public static final String CLIENT_WITHOUT_DEVICE_GRANT = "callgate-without-device-grant";

  public static final String CLIENT_WITHOUT_DEVICE_GRANT_SECRET =
      "callgate-without-device-grant-secret-0123456789";
  public static final URI REDIRECT_URI = URI.create("http://127.0.0.1/v1/oauth/callback");

  /** A confidential client that may introspect the access tokens issued to {@link #CLIENT_ID}. */
  public static final String RESOURCE_SERVER_ID = "resource-server";

  public static final String RESOURCE_SERVER_SECRET =
      "resource-server-secret-with-enough-length-0123456789";

  private static final Path DIRECTORY = Path.of("src", "test", "oidc-provider");
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final URI issuer;
  private final URI controlUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private URI introspectionEndpoint;

  private NodeOidcProvider(Process process, URI issuer, URI controlUrl) {
    this.process = process;
    this.issuer = issuer;
    this.controlUrl = controlUrl;
  }

  /** Where a held refresh waits: before the provider processes it, or after, with its answer. */
  public enum HoldPhase {
    /** The refresh token is untouched until the request is released. */
    BEFORE_PROCESSING,
    /** The refresh token has rotated (the old one is consumed); the answer waits. */
    AFTER_PROCESSING
  }

  /**
   * What the token endpoint saw since start or the last {@link #resetStats()}: requests by {@code
   * grant_type} ({@code (missing)} without one), error answers by OAuth {@code error} code, and
   * refresh grants that issued tokens.
   */
  public record Stats(
      Map<String, Integer> tokenRequests, Map<String, Integer> tokenErrors, int refreshesIssued) {

    public Stats {
      tokenRequests = Map.copyOf(tokenRequests);
      tokenErrors = Map.copyOf(tokenErrors);
    }

    public int tokenRequests(String grantType) {
      return tokenRequests.getOrDefault(grantType, 0);
    }

    public int tokenErrors(String error) {
      return tokenErrors.getOrDefault(error, 0);
    }
  }

  public URI issuer() {
    return issuer;
  }

  /** The RFC 7662 endpoint, for {@link #RESOURCE_SERVER_ID} with HTTP basic authentication. */
  public URI introspectionEndpoint() {
    return introspectionEndpoint;
  }

  /** What the provider says of {@code token} (RFC 7662), asked as {@link #RESOURCE_SERVER_ID}. */
  public JsonObject introspect(String token) throws IOException, InterruptedException {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (RESOURCE_SERVER_ID + ":" + RESOURCE_SERVER_SECRET)
                    .getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(introspectionEndpoint)
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      fail("introspection answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /**
   * Lists every token the provider issued (access, refresh and ID tokens) for the secret scan: a
   * refresh or ID token reaches no test target, which lists what it receives, so none would be
   * looked for in the logs otherwise.
   */
  private void registerIssuedTokens() {
    new JsonArray(control("GET", "/issued", CONTROL_TIMEOUT))
        .stream()
            .map(JsonObject.class::cast)
            .forEach(
                token ->
                    TestSecrets.register(
                        "a token node-oidc-provider issued (" + token.getString("type") + ")",
                        token.getString("value")));
  }

  /**
   * The refresh tokens issued to {@code account} so far, oldest first (listed for the secret scan),
   * for {@link #introspect}.
   */
  public List<String> refreshTokensOf(String account) {
    JsonObject issued =
        new JsonObject(
            control(
                "GET",
                "/refresh-tokens?account=" + URLEncoder.encode(account, StandardCharsets.UTF_8),
                CONTROL_TIMEOUT));
    return issued.getJsonArray("refreshTokens").stream()
        .map(token -> TestSecrets.register("node-oidc-provider refresh token", (String) token))
        .toList();
  }

  public Stats stats() {
    JsonObject stats = new JsonObject(control("GET", "/stats", CONTROL_TIMEOUT));
    return new Stats(
        counts(stats.getJsonObject("tokenRequests")),
        counts(stats.getJsonObject("tokenErrors")),
        stats.getInteger("refreshesIssued"));
  }

  public void resetStats() {
    control("POST", "/stats/reset", CONTROL_TIMEOUT);
  }

  /**
   * From now on every token-endpoint request waits {@code delay} before it is processed, as at a
   * slow provider (zero: no wait). Widens the window in which concurrent refreshes would collide.
   */
  public void tokenEndpointDelay(Duration delay) {
    control("POST", "/delay?ms=" + delay.toMillis(), CONTROL_TIMEOUT);
  }

  /** Access tokens issued from now on live {@code ttl} (whole seconds, at least one). */
  public void accessTokenTtl(Duration ttl) {
    control("POST", "/ttl?access=" + ttl.toSeconds(), CONTROL_TIMEOUT);
  }

  /**
   * Holds the next {@code grant_type=refresh_token} request in {@code phase}, once. While it is
   * held, a client that disconnects loses it: before processing it is dropped unprocessed, after
   * processing its answer is discarded. A hold ends by {@link #releaseHold()} or after 120 s.
   */
  public void holdNextRefresh(HoldPhase phase) {
    control("POST", "/hold?phase=" + phase.name(), CONTROL_TIMEOUT);
  }

  /** Returns once a request is being held; fails when none is within {@code timeout}. */
  public void awaitHeld(Duration timeout) {
    JsonObject held =
        new JsonObject(
            control("GET", "/hold?waitMs=" + timeout.toMillis(), timeout.plus(CONTROL_TIMEOUT)));
    if (!held.getBoolean("held")) {
      fail("no refresh_token request was held within " + timeout);
    }
  }

  /** Lets the held request continue as if nothing happened; disarms a hold not yet used. */
  public void releaseHold() {
    control("POST", "/hold/release", CONTROL_TIMEOUT);
  }

  /**
   * Closes the provider's port now (open connections included, so clients see connection refused)
   * and opens it again after {@code duration}, with every grant, token and session kept. Returns
   * once the port is closed.
   */
  public void outage(Duration duration) {
    control("POST", "/outage?ms=" + duration.toMillis(), CONTROL_TIMEOUT);
  }

  /** Ends an outage now; returns once the provider's port accepts connections again. */
  public void endOutage() {
    control("POST", "/outage/end", CONTROL_TIMEOUT);
  }

  private String control(String method, String path, Duration timeout) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(controlUrl + path))
                  .method(method, HttpRequest.BodyPublishers.noBody())
                  .timeout(timeout)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        fail("oidc-provider's control answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("oidc-provider's control port did not answer " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling oidc-provider's control", e);
    }
  }

  private static Map<String, Integer> counts(JsonObject json) {
    Map<String, Integer> counts = new HashMap<>();
    json.forEach(entry -> counts.put(entry.getKey(), ((Number) entry.getValue()).intValue()));
    return counts;
  }

  static NodeOidcProvider start(Duration accessTokenTtl, Duration refreshTokenTtl)
      throws IOException, InterruptedException {
    return start(DIRECTORY, accessTokenTtl, refreshTokenTtl);
  }

  /** Starts the provider kept in {@code directory} (the other modules' tests pass its path). */
  public static NodeOidcProvider start(
      Path directory, Duration accessTokenTtl, Duration refreshTokenTtl)
      throws IOException, InterruptedException {
    return start(directory, accessTokenTtl, refreshTokenTtl, List.of());
  }

  /**
   * As {@link #start(Path, Duration, Duration)}, with client {@link #CLIENT_ID} accepting {@code
   * extraRedirectUris} besides {@link #REDIRECT_URI}: the callback of a Callgate whose public URL
   * names its port.
   */
  public static NodeOidcProvider start(
      Path directory,
      Duration accessTokenTtl,
      Duration refreshTokenTtl,
      List<URI> extraRedirectUris)
      throws IOException, InterruptedException {
    TestSecrets.register("node-oidc-provider client secret", CLIENT_SECRET);
    TestSecrets.register(
        "node-oidc-provider client secret without the device grant",
        CLIENT_WITHOUT_DEVICE_GRANT_SECRET);
    TestSecrets.register("node-oidc-provider resource-server secret", RESOURCE_SERVER_SECRET);
    requireNode();
    installPackages(directory);
    int port = TestSupport.freePort();
    int controlPort = TestSupport.freePort();
    while (controlPort == port) {
      controlPort = TestSupport.freePort();
    }
    Path log = Path.of("target", "oidc-provider-" + port + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder node =
        new ProcessBuilder(
                "node",
                "server.mjs",
                String.valueOf(port),
                String.valueOf(accessTokenTtl.toSeconds()),
                String.valueOf(refreshTokenTtl.toSeconds()),
                String.valueOf(controlPort))
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    node.environment()
        .put(
            "EXTRA_REDIRECT_URIS",
            extraRedirectUris.stream().map(URI::toString).collect(Collectors.joining(",")));
    Process process = node.start();
    NodeOidcProvider provider =
        new NodeOidcProvider(
            process,
            URI.create("http://127.0.0.1:" + port),
            URI.create("http://127.0.0.1:" + controlPort));
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
          introspectionEndpoint =
              URI.create(new JsonObject(response.body()).getString("introspection_endpoint"));
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

  static void requireNode() throws InterruptedException {
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

  static synchronized void installPackages(Path directory)
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
    if (process.isAlive()) {
      registerIssuedTokens();
    }
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
