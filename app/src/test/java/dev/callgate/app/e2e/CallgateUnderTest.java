package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.BrowserLogin;
import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.runtime.CallgateService;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Callgate as a person runs it — the jar's wiring, the embedded store in a fresh directory, its
 * HTTP API — with the calls a test makes to it: as the admin (the bootstrap key) or with another
 * key, JSON in and out, and the authorization flow's callback as the browser follows it.
 */
public final class CallgateUnderTest implements AutoCloseable {
  public static final String ADMIN_KEY = "callgate-under-test-admin-key-0123456789";

  /** {@code CALLGATE_OUTBOUND_ALLOW} for targets and providers on this machine. */
  static final String LOOPBACK = "127.0.0.0/8,::1/128";

  /** The redirect URI Callgate announces (its public URL is http://127.0.0.1). */
  public static final URI REDIRECT_URI = URI.create("http://127.0.0.1/v1/oauth/callback");

  /** Fields of the management API's requests that carry a secret. */
  private static final Set<String> SECRET_FIELDS =
      Set.of(
          "clientSecret",
          "password",
          "apiKey",
          "clientPrivateKey",
          "awsSecretAccessKey",
          "awsSessionToken");

  private static final AtomicInteger STARTED = new AtomicInteger();

  private final HttpClient http = HttpClient.newHttpClient();
  private final CookieManager browser = new CookieManager();
  private final Path dataDir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private CallgateService service;

  /** An answer of Callgate's. */
  public record Answer(int status, HttpHeaders headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The diagnosis code of Callgate's own error ({@code Callgate-Error}), or "none". */
    public String error() {
      return headers.firstValue("Callgate-Error").orElse("none");
    }
  }

  private Map<String, String> settings;

  private CallgateUnderTest(Path dataDir, Map<String, String> settings) {
    this.dataDir = dataDir;
    this.settings = settings;
  }

  public static CallgateUnderTest start() {
    return start(Map.of());
  }

  /** With {@code settings} ({@code CALLGATE_…} variables) besides the test's own. */
  public static CallgateUnderTest start(Map<String, String> settings) {
    try {
      CallgateUnderTest callgate =
          new CallgateUnderTest(Files.createTempDirectory("callgate-under-test"), settings);
      callgate.service = CallgateService.start(callgate.configuration(), callgate.printed()).join();
      callgate.registerMasterKey();
      return callgate;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Configuration configuration() {
    Map<String, String> environment = new HashMap<>();
    environment.put(Configuration.HTTP_PORT, "0");
    environment.put(Configuration.PUBLIC_URL, "http://127.0.0.1");
    environment.put(Configuration.DATA_DIR, dataDir.toString());
    environment.put(Configuration.ADMIN_KEY, TestSecrets.register("test admin key", ADMIN_KEY));
    // targets and providers of these tests listen on loopback, which Callgate reaches only when
    // allowed, as a person running them beside it allows it
    environment.put(Configuration.OUTBOUND_ALLOW, LOOPBACK);
    environment.putAll(settings);
    for (String secret : List.of(Configuration.ADMIN_KEY, Configuration.MASTER_KEY)) {
      TestSecrets.register(secret + " of a test", settings.get(secret));
    }
    Validated<Configuration> config = Configuration.fromEnvironment(environment);
    assertThat(config.problems()).isEmpty();
    return ((Validated.Valid<Configuration>) config).value();
  }

  private PrintStream printed() {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  /** Stops and starts the service on the same data with {@code changed} settings. */
  void restart(Map<String, String> changed) {
    settings = Map.copyOf(changed);
    restart();
  }

  /** Stops and starts the service on the same data (a restart). */
  void restart() {
    service.stop();
    service = CallgateService.start(configuration(), printed()).join();
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + service.port());
  }

  public Answer admin(String method, String path) {
    return send(Optional.of(ADMIN_KEY), method, path, null);
  }

  public Answer admin(String method, String path, JsonObject body) {
    return send(Optional.of(ADMIN_KEY), method, path, body);
  }

  /** As the admin, with {@code headers} besides (a target's own, as {@code Callgate-Proxy-…}). */
  public Answer admin(String method, String path, Map<String, String> headers) {
    return send(Optional.of(ADMIN_KEY), method, path, null, headers);
  }

  public Answer as(String key, String method, String path) {
    return send(Optional.of(key), method, path, null);
  }

  public Answer anonymous(String method, String path) {
    return send(Optional.empty(), method, path, null);
  }

  public Answer send(Optional<String> key, String method, String path, JsonObject body) {
    return send(key, method, path, body, Map.of());
  }

  /** With {@code key} as the bearer, if present, and {@code headers} besides. */
  public Answer send(
      Optional<String> key,
      String method,
      String path,
      JsonObject body,
      Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base().resolve(path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    key.ifPresent(k -> TestSecrets.register("an API key a test called with", k));
    if (body != null) {
      registerSecrets(body);
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      Answer answer = new Answer(response.statusCode(), response.headers(), response.body());
      if (path.startsWith("/v1/keys") && answer.status() == 201) {
        TestSecrets.register("an API key Callgate created", answer.json().getString("key"));
      }
      if (path.startsWith("/v1/webhooks") && answer.status() == 201) {
        TestSecrets.register(
            "a webhook signing secret Callgate created", answer.json().getString("secret"));
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Lists the secrets of a management request's body (a client secret, a password, an API key). */
  private static void registerSecrets(Object json) {
    if (json instanceof JsonObject object) {
      for (String field : object.fieldNames()) {
        Object value = object.getValue(field);
        if (SECRET_FIELDS.contains(field) && value instanceof String secret) {
          TestSecrets.register("the " + field + " of a management request", secret);
        } else {
          registerSecrets(value);
        }
      }
    } else if (json instanceof JsonArray array) {
      array.forEach(CallgateUnderTest::registerSecrets);
    }
  }

  /** The master key Callgate generated into its data directory, if it did. */
  private void registerMasterKey() {
    Path file = dataDir.resolve("master.key");
    try {
      if (Files.exists(file)) {
        TestSecrets.register("a generated master key", Files.readString(file).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Keeps what the service printed beside the test logs, where the secret scan reads it too: the
   * service's console is part of what an operator's log collector would keep.
   */
  private void keepPrinted() {
    if (out.size() == 0) {
      return;
    }
    Path logs = Path.of(System.getProperty("callgate.test-logs", "target/test-logs"));
    try {
      Files.createDirectories(logs);
      Files.write(
          logs.resolve(
              "callgate-under-test-"
                  + ProcessHandle.current().pid()
                  + "-"
                  + STARTED.incrementAndGet()
                  + ".log"),
          out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates an API key for {@code subject} with the caller role, and returns it. */
  public String callerKey(String subject) {
    Answer created =
        admin(
            "POST",
            "/v1/keys",
            new JsonObject().put("subject", subject).put("roles", new JsonArray().add("caller")));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().getString("key");
  }

  public void provider(JsonObject provider) {
    Answer created = admin("POST", "/v1/providers", provider);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
  }

  /** Registers the test provider {@code idp} as {@code name}, with refresh tokens for an hour. */
  public void provider(String name, NodeOidcProvider idp) {
    provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access"))
            .put("refreshTokenLifetime", "PT1H"));
  }

  public void credential(JsonObject credential) {
    Answer created = admin("POST", "/v1/credentials", credential);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
  }

  /** Starts the authorization flow (as {@code key}, for {@code user}) and returns its URL. */
  public URI authorizationUrl(String key, String credential, Optional<String> user) {
    Answer started =
        send(
            Optional.of(key),
            "POST",
            "/v1/credentials/" + credential + "/authorizations" + query(user),
            null);
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    return reachable(URI.create(started.json().getString("authorizationUrl")));
  }

  /**
   * Callgate's authorization page at the port it listens on: its public URL names none, since the
   * redirect URI registered at the providers under test has none.
   */
  public URI reachable(URI page) {
    return base().resolve(page.getRawPath() + "?" + page.getRawQuery());
  }

  /**
   * Opens Callgate's {@code authorizationUrl} in the test's browser, signs in at the provider as
   * {@code login} and returns the provider's redirect back; the browser keeps Callgate's
   * flow-binding cookie for {@link #callback}.
   */
  public Map<String, String> signIn(URI authorizationUrl, URI redirectUri, String login) {
    return signIn(browser, authorizationUrl, redirectUri, login);
  }

  /** As {@link #signIn(URI, URI, String)}, in {@code browser}. */
  public static Map<String, String> signIn(
      CookieManager browser, URI authorizationUrl, URI redirectUri, String login) {
    try {
      return BrowserLogin.follow(authorizationUrl, redirectUri, login, browser);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What the test's browser does with the provider's redirect: opens Callgate's callback. */
  public Answer callback(Map<String, String> redirect) {
    return callback(browser, redirect);
  }

  /** What {@code browser} does with the provider's redirect: opens Callgate's callback. */
  public Answer callback(CookieManager browser, Map<String, String> redirect) {
    return callbackWithCookie(
        BrowserLogin.cookieHeader(browser, base().resolve("/v1/oauth/callback")), redirect);
  }

  /** The provider's redirect back, from a browser that sends {@code cookie}. */
  public Answer callbackWithCookie(Optional<String> cookie, Map<String, String> redirect) {
    StringBuilder query = new StringBuilder();
    redirect.forEach(
        (name, value) ->
            query
                .append(query.length() == 0 ? "?" : "&")
                .append(name)
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return send(
        Optional.empty(),
        "GET",
        "/v1/oauth/callback" + query,
        null,
        cookie.map(c -> Map.of("Cookie", c)).orElse(Map.of()));
  }

  public JsonObject status(String credential) {
    return status(credential, Optional.empty());
  }

  public JsonObject status(String credential, Optional<String> user) {
    Answer status = admin("GET", "/v1/credentials/" + credential + "/status" + query(user));
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    return status.json();
  }

  /** The code of the first diagnosis of {@code status}, or "none". */
  static String firstDiagnosis(JsonObject status) {
    JsonArray diagnoses = status.getJsonArray("diagnoses");
    return diagnoses.isEmpty() ? "none" : diagnoses.getJsonObject(0).getString("code");
  }

  String metrics() {
    return anonymous("GET", "/metrics").body();
  }

  /** The value of {@code series} (its name and labels as {@code /metrics} prints them), if any. */
  OptionalDouble metric(String series) {
    return metric(metrics(), series);
  }

  /** The value of {@code series} in the text {@code metrics} of {@code /metrics}, if any. */
  static OptionalDouble metric(String metrics, String series) {
    String prefix = series + " ";
    return metrics
        .lines()
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()).trim()))
        .findFirst();
  }

  /** Where the embedded store keeps its files. */
  public Path dataDir() {
    return dataDir;
  }

  /** What the service printed (where it listens, a generated key). */
  public String printedLines() {
    return out.toString(StandardCharsets.UTF_8);
  }

  static String query(Optional<String> user) {
    return user.map(u -> "?user=" + URLEncoder.encode(u, StandardCharsets.UTF_8)).orElse("");
  }

  /** Waits up to {@code timeout} for {@code condition}, polling; fails with {@code what}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() {
    if (service != null) {
      service.stop();
    }
    keepPrinted();
  }
}
