package dev.callgate.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.BrowserLogin;
import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest;
import dev.callgate.app.hostile.HostileRequests.Fixture;
import dev.callgate.app.hostile.HostileRequests.PendingFlow;
import dev.callgate.app.hostile.RawClient.Answer;
import dev.callgate.app.hostile.RawClient.Outcome;
import dev.callgate.app.hostile.RecordingTarget.Received;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Callgate as an attacker meets it: a running service (the jar's wiring, the embedded store), a
 * recording target behind one credential of each protocol — basic, API key in a header, API key in
 * the URL's query, client credentials and authorization code (named and per-user) against
 * node-oidc-provider — and hundreds of hostile requests written byte for byte over raw sockets,
 * category by category (see {@link HostileRequests}).
 *
 * <p>Every answer is held to {@link #universalRules}: no hang, no 5xx, no stack trace, no secret
 * the caller did not send; and to its case's {@link Expectation} — Callgate's own refusal is a 4xx
 * problem document with a diagnosis code. After all cases: nothing reached the target outside its
 * credential's base path, malformed, truncated or carrying another's secret; no secret is in any
 * log line or in the database files; and at least 300 requests were really sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  /** The secret of every credential and API key an admin might be talked into defining. */
  static final String DEFINITION_PASSWORD = "definition-password-" + random();

  static final String DEFINITION_CLIENT_SECRET = "definition-client-secret-" + random();

  /** Provider metadata that must be refused, by name, as a function of the issuer URL. */
  static final Map<String, Function<String, String>> BAD_DISCOVERY = new LinkedHashMap<>();

  static {
    BAD_DISCOVERY.put(
        "issuer-mismatch", issuer -> metadata("https://other.example", issuer + "/token"));
    BAD_DISCOVERY.put("token-endpoint-file", issuer -> metadata(issuer, "file:///etc/passwd"));
    BAD_DISCOVERY.put(
        "token-endpoint-metadata",
        issuer -> metadata(issuer, "http://169.254.169.254/latest/api/token"));
    BAD_DISCOVERY.put(
        "token-endpoint-user-info",
        issuer -> metadata(issuer, issuer.replace("http://", "http://u:p@") + "/token"));
    BAD_DISCOVERY.put(
        "token-endpoint-plain-http-elsewhere",
        issuer -> metadata(issuer, "http://idp.example/token"));
  }

  private static final Pattern STACK_TRACE =
      Pattern.compile("Exception|\\bat (dev|io|java|jdk|sun|org|com)\\.|\\tat ");

  private static final Set<String> ALLOWED_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** The credentials the setup defines on the target, and the definitions cases point at. */
  private static final Pattern BASE_PATHS =
      Pattern.compile(
          "/api/(c_basic|c_apikey|c_query|c_cc|c_code|c_user|c_merge|d|d_\\d+|c_json|c_subjects)");

  private static CapturedOutput output;
  private static NodeOidcProvider idp;
  private static RecordingTarget target;
  private static CallgateUnderTest callgate;
  private static RawClient client;
  private static HostileRequests requests;
  private static final SuiteSecrets secrets = new SuiteSecrets();
  private static final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private static final Map<String, List<String>> failures = new TreeMap<>();
  private static final Path UPLOADS = Path.of("file-uploads");
  private static long uploadsBefore;

  /** One case and what came back. */
  private record Exchange(HostileCase kase, Answer answer) {}

  @BeforeAll
  static void start() throws Exception {
    output = new CapturedOutput();
    uploadsBefore = uploads();
    // the provider and Callgate start side by side: each takes seconds on a busy machine
    CompletableFuture<NodeOidcProvider> provider =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return NodeOidcProvider.start(
                    IDP_DIRECTORY, Duration.ofMinutes(10), Duration.ofMinutes(30));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    target = new RecordingTarget();
    BAD_DISCOVERY.forEach(
        (name, document) -> {
          String issuer = target.baseUrl() + "/idp-" + name;
          target.serve(
              "/idp-" + name + "/.well-known/openid-configuration", document.apply(issuer));
          target.serve(
              "/.well-known/oauth-authorization-server/idp-" + name, document.apply(issuer));
        });
    callgate = CallgateUnderTest.start();
    try {
      idp = provider.join();
    } catch (CompletionException e) {
      // the provider's own failure (or a skip without Node.js) is the one to report
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
    client = new RawClient(new InetSocketAddress("127.0.0.1", callgate.base().getPort()));

    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("admin", CallgateUnderTest.ADMIN_KEY);
    for (String subject : List.of("alice", "bob", "mallory")) {
      keys.put(subject, callgate.callerKey(subject));
    }
    keys.put("deleted", deletedKey());
    keys.forEach(
        (subject, key) -> secrets.add("API key of " + subject, SuiteSecrets.CALLGATE, key));
    secrets.add("client secret", SuiteSecrets.CALLGATE, NodeOidcProvider.CLIENT_SECRET);
    secrets.addBasic(
        "client authentication",
        SuiteSecrets.CALLGATE,
        NodeOidcProvider.CLIENT_ID,
        NodeOidcProvider.CLIENT_SECRET);
    secrets.add("definition password", "definitions", DEFINITION_PASSWORD);
    secrets.add("definition client secret", SuiteSecrets.CALLGATE, DEFINITION_CLIENT_SECRET);

    provider("idp", new JsonArray().add("openid").add("offline_access"));
    provider("idp-cc", new JsonArray().add("api:read"));
    String password = "basic-password-" + random();
    secrets.addBasic("basic credential", "c_basic", "hostile-user", password);
    credential(
        "c_basic",
        new JsonObject()
            .put("protocol", "basic")
            .put("username", "hostile-user")
            .put("password", password)
            .put("allowedCallers", new JsonArray().add("alice")));
    String mergePassword = "merge-password-" + random();
    secrets.addBasic("merge-fields credential", "c_merge", "merge-user", mergePassword);
    credential(
        "c_merge",
        new JsonObject()
            .put("protocol", "basic")
            .put("username", "merge-user")
            .put("password", mergePassword)
            .put("allowMergeFieldsInBody", true)
            .put("allowedCallers", new JsonArray().add("alice")));
    String apiKey = "header-api-key-" + random();
    secrets.add("API key in a header", "c_apikey", apiKey);
    credential(
        "c_apikey",
        new JsonObject()
            .put("protocol", "api_key")
            .put("apiKeyHeader", "X-Api-Key")
            .put("apiKey", apiKey)
            .put("allowedCallers", new JsonArray().add("alice")));
    String queryKey = "query-api-key-" + random();
    secrets.add("API key in the query", "c_query", queryKey);
    callgate.credential(
        new JsonObject()
            .put("name", "c_query")
            .put("url", target.baseUrl() + "/api/c_query?api_key=" + queryKey)
            .put("protocol", "none"));
    credential(
        "c_cc",
        new JsonObject()
            .put("protocol", "oauth2_client_credentials")
            .put("provider", "idp-cc")
            .put("allowedCallers", new JsonArray().add("alice")));
    credential(
        "c_code",
        new JsonObject()
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put("allowedCallers", new JsonArray().add("alice")));
    credential(
        "c_user",
        new JsonObject()
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put("principal", "per_user")
            .put("allowedCallers", new JsonArray().add("alice").add("bob")));

    Map<String, String> used = signIn(CallgateUnderTest.ADMIN_KEY, "c_code", "alice");
    assertThat(callgate.callback(used).status()).isEqualTo(200);
    Map<String, String> alices = signIn(keys.get("alice"), "c_user", "alice");
    assertThat(callgate.callback(alices).status()).isEqualTo(200);
    PendingFlow pending = open(CallgateUnderTest.ADMIN_KEY, "c_code");
    PendingFlow pendingToDeny = open(CallgateUnderTest.ADMIN_KEY, "c_code");
    String alice = keys.get("alice");
    Supplier<Map<String, String>> strangers =
        () -> {
          try {
            return authorize(alice, "c_user", "mallory");
          } catch (Exception e) {
            throw new IllegalStateException("the login as mallory failed", e);
          }
        };

    requests =
        new HostileRequests(
            new Fixture(
                "127.0.0.1:" + callgate.base().getPort(),
                target.authority(),
                keys,
                used,
                pending,
                pendingToDeny,
                strangers));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      writeReport();
      removeUploads();
    } finally {
      if (callgate != null) {
        callgate.close();
      }
      if (target != null) {
        target.close();
      }
      if (idp != null) {
        idp.close();
      }
      if (output != null) {
        output.close();
      }
    }
  }

  @TestFactory
  @Order(1)
  Stream<DynamicNode> hostileRequests() {
    return requests.categories().entrySet().stream()
        .map(
            category ->
                DynamicContainer.dynamicContainer(
                    category.getKey(),
                    category.getValue().stream()
                        .map(
                            kase ->
                                DynamicTest.dynamicTest(
                                    kase.tag() + " " + kase.name(), () -> run(kase)))));
  }

  @Test
  @Order(2)
  void targetGotNothingOutsideACredentialsBasePathNorTruncatedNorMalformed() throws Exception {
    Thread.sleep(300);
    List<String> violations = new ArrayList<>();
    for (Received request : target.received()) {
      violations.addAll(
          violations(request).stream().map(v -> v + ": " + request.describe()).toList());
    }
    violations.forEach(v -> failure("the recording target (after all cases)", v));
    assertThat(violations).as("what reached the target that never should have").isEmpty();
  }

  @Test
  @Order(3)
  void noAnswerHoldsASecretItsCallerDidNotSend() {
    List<String> found = new ArrayList<>();
    for (Exchange exchange : exchanges) {
      List<SuiteSecrets.Form> leaked =
          secrets.foundIn(seen(exchange.answer()), exchange.kase().allBytes());
      if (!leaked.isEmpty()) {
        found.add(exchange.kase() + ": " + SuiteSecrets.names(leaked));
      }
    }
    assertThat(found).as("answers with secrets (with every token the provider minted)").isEmpty();
  }

  @Test
  @Order(4)
  void noLogLineHoldsASecret() {
    String logs = output.text() + callgate.printedLines();
    List<String> found = new ArrayList<>();
    for (SuiteSecrets.Form form : secrets.forms()) {
      int at = logs.indexOf(form.text());
      if (at >= 0) {
        int lineStart = logs.lastIndexOf('\n', at) + 1;
        int lineEnd = logs.indexOf('\n', at);
        String line = logs.substring(lineStart, lineEnd < 0 ? logs.length() : lineEnd);
        found.add(
            form.name()
                + " of "
                + form.owner()
                + " in: "
                + line.replace(form.text(), "<" + form.name() + ">"));
      }
    }
    found.forEach(f -> failure("log lines (after all cases)", f));
    assertThat(logs).as("captured log lines").isNotEmpty();
    assertThat(found).as("secrets in log lines").isEmpty();
  }

  @Test
  @Order(5)
  void databaseFilesHoldNoSecretInTheClear() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(callgate.dataDir())) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files)
        .as("the data directory")
        .anyMatch(f -> f.getFileName().toString().endsWith(".db"));
    List<String> found = new ArrayList<>();
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      for (SuiteSecrets.Form form : secrets.foundIn(bytes, new byte[0])) {
        found.add(form.name() + " of " + form.owner() + " in " + file.getFileName());
      }
    }
    found.forEach(f -> failure("database files (after all cases)", f));
    assertThat(found).as("secrets in the clear in the database files").isEmpty();
  }

  @Test
  @Order(6)
  void noUploadIsKeptOnDisk() throws IOException {
    assertThat(uploads()).as("files in " + UPLOADS.toAbsolutePath()).isEqualTo(uploadsBefore);
  }

  @Test
  @Order(7)
  void atLeastThreeHundredHostileRequestsWereSent() {
    assertThat(client.sent()).isGreaterThanOrEqualTo(300);
  }

  // ---------------------------------------------------------------------------------------------

  private static void run(HostileCase kase) {
    Answer answer =
        client.exchange(
            kase.parts().get(), kase.pause(), kase.ending(), kase.timeout(), kase.head());
    exchanges.add(new Exchange(kase, answer));
    try {
      universalRules(kase, answer);
      kase.expectation().check(answer, target.receivedFor(kase.tag()));
      if (kase.category().startsWith("controls")) {
        learnTokens(kase);
      }
    } catch (AssertionError e) {
      failure(kase.category(), kase.tag() + " " + kase.name() + " — " + e.getMessage());
      throw new AssertionError(
          "["
              + kase.category()
              + "] "
              + kase.name()
              + ": "
              + e.getMessage()
              + "\n  answer: "
              + answer.summary(),
          e);
    }
  }

  /** What every answer to every case must be, whatever the case expects besides. */
  static void universalRules(HostileCase kase, Answer answer) {
    if (answer.outcome() == Outcome.TIMED_OUT) {
      throw new AssertionError(
          "a hang: no whole answer within "
              + kase.timeout().toMillis()
              + " ms ("
              + answer.summary()
              + ")");
    }
    if (answer.status() >= 500 && !Expectation.isGatewayRefusal(answer)) {
      throw new AssertionError("a server error: " + answer.summary());
    }
    Matcher trace = STACK_TRACE.matcher(new String(answer.raw(), StandardCharsets.ISO_8859_1));
    if (trace.find()) {
      throw new AssertionError("a stack trace ('" + trace.group() + "'): " + answer.summary());
    }
    List<SuiteSecrets.Form> leaked = secrets.foundIn(seen(answer), kase.allBytes());
    if (!leaked.isEmpty()) {
      throw new AssertionError("secrets in the answer: " + SuiteSecrets.names(leaked));
    }
  }

  /** What a caller sees of an answer: its bytes, and its body with any chunk framing undone. */
  private static byte[] seen(Answer answer) {
    return concat(answer.raw(), answer.body());
  }

  /** The access tokens the provider minted, as the target saw them on the control requests. */
  private static void learnTokens(HostileCase kase) {
    for (Received request : target.receivedFor(kase.tag())) {
      Matcher credential = BASE_PATHS.matcher(request.target());
      for (String authorization : request.header("Authorization")) {
        if (authorization.startsWith("Bearer ") && credential.lookingAt()) {
          secrets.add(
              "access token", credential.group(1), authorization.substring("Bearer ".length()));
        }
      }
    }
  }

  /** Why {@code request} should never have reached the target; empty when it may have. */
  private static List<String> violations(Received request) {
    List<String> violations = new ArrayList<>();
    String method = request.method();
    if (!ALLOWED_METHODS.contains(method)) {
      violations.add(
          "the method " + (method.length() > 20 ? method.substring(0, 20) + "…" : method));
    } else if (!request.requestLine().matches("\\S+ /\\S* HTTP/1\\.1")) {
      violations.add("a malformed request line");
    }
    for (String line : request.headerLines()) {
      if (!line.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \\t]*[^\\x00-\\x08\\x0a-\\x1f\\x7f]*")) {
        violations.add("a malformed header line '" + printable(line) + "'");
      }
    }
    List<String> hosts = request.header("Host");
    if (!hosts.equals(List.of(target.authority()))) {
      violations.add("Host " + hosts);
    }
    if (request.header("Content-Length").size() > 1
        || (!request.header("Content-Length").isEmpty()
            && !request.header("Transfer-Encoding").isEmpty())) {
      violations.add("ambiguous framing");
    }
    String path = request.target();
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    String read = asALenientServerReads(path);
    Matcher base = BASE_PATHS.matcher(read);
    boolean below =
        base.lookingAt() && (read.length() == base.end() || read.charAt(base.end()) == '/');
    boolean metadata =
        path.startsWith("/idp-") && path.contains("/.well-known/") && method.equals("GET");
    List<SuiteSecrets.Form> carried =
        secrets.foundIn(concat(request.head(), request.rawBody()), new byte[0]);
    if (!below && !metadata) {
      violations.add(
          "a path outside every credential's base path ("
              + path
              + " reads as "
              + read
              + ")"
              + (carried.isEmpty() ? "" : " carrying " + SuiteSecrets.names(carried)));
    } else {
      String owner = below ? base.group(1) : "";
      for (SuiteSecrets.Form form : carried) {
        boolean definition = form.owner().equals("definitions") && owner.matches("d(_\\d+)?");
        if (!form.owner().equals(owner) && !definition) {
          violations.add(form.name() + " of " + form.owner() + " at " + path);
        }
      }
    }
    String body = new String(request.body(), StandardCharsets.ISO_8859_1);
    if (request.complete() && body.contains("TRUNCATED-UPLOAD")) {
      violations.add("a truncated upload arrived as a whole request");
    }
    if (new String(request.rawBody(), StandardCharsets.ISO_8859_1).contains(" HTTP/1.1\r\n")) {
      violations.add("another request inside the body");
    }
    return violations;
  }

  /**
   * The path as a lenient server would read it: percent-decoded until nothing changes, overlong and
   * full-width dots and slashes taken for what they look like, backslashes for slashes, path
   * parameters dropped, and dot segments resolved.
   */
  static String asALenientServerReads(String path) {
    String decoded = path;
    for (int i = 0; i < 5; i++) {
      String next = new String(percentDecode(decoded), StandardCharsets.ISO_8859_1);
      if (next.equals(decoded)) {
        break;
      }
      decoded = next;
    }
    String text =
        decoded
            .replace("\u00c0\u00ae", ".")
            .replace("\u00c0\u002e", ".")
            .replace("\u00e0\u0080\u00ae", ".")
            .replace("\u00c0\u00af", "/")
            .replace("\u00c1\u009c", "/");
    text = new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    text =
        text.replace('\uff0e', '.')
            .replace('\uff0f', '/')
            .replace('\u2024', '.')
            .replace('\\', '/');
    List<String> out = new ArrayList<>();
    for (String segment : text.split("/", -1)) {
      int semicolon = segment.indexOf(';');
      String name =
          (semicolon < 0 ? segment : segment.substring(0, semicolon)).replace("\0", "").trim();
      if (name.equals("..")) {
        if (out.size() > 1) {
          out.remove(out.size() - 1);
        }
      } else if (!name.equals(".")) {
        out.add(name);
      }
    }
    return String.join("/", out);
  }

  private static byte[] percentDecode(String text) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length && hex(raw[i + 1]) && hex(raw[i + 2])) {
        bytes.write(
            HexFormat.fromHexDigits(new String(raw, i + 1, 2, StandardCharsets.ISO_8859_1)));
        i += 2;
      } else if (raw[i] == '%' && i + 5 < raw.length && (raw[i + 1] == 'u' || raw[i + 1] == 'U')) {
        String code = new String(raw, i + 2, 4, StandardCharsets.ISO_8859_1);
        if (code.chars().allMatch(c -> hex((byte) c))) {
          bytes.writeBytes(
              String.valueOf((char) HexFormat.fromHexDigits(code))
                  .getBytes(StandardCharsets.UTF_8));
          i += 5;
        } else {
          bytes.write(raw[i]);
        }
      } else {
        bytes.write(raw[i]);
      }
    }
    return bytes.toByteArray();
  }

  private static boolean hex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static String printable(String line) {
    StringBuilder out = new StringBuilder();
    for (char c : line.toCharArray()) {
      out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return out.length() > 120 ? out.substring(0, 120) + "…" : out.toString();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  // ---------------------------------------------------------------------------------------------

  private static void provider(String name, JsonArray scopes) {
    callgate.provider(
        new JsonObject()
            .put("name", name)
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", scopes));
  }

  private static void credential(String name, JsonObject definition) {
    callgate.credential(definition.put("name", name).put("url", target.baseUrl() + "/api/" + name));
  }

  private static String deletedKey() {
    CallgateUnderTest.Answer created =
        callgate.admin(
            "POST",
            "/v1/keys",
            new JsonObject().put("subject", "deleted").put("roles", new JsonArray().add("admin")));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    CallgateUnderTest.Answer deleted =
        callgate.admin("DELETE", "/v1/keys/" + created.json().getString("id"));
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
    return created.json().getString("key");
  }

  /**
   * Starts the flow as {@code key} and logs in at the provider as {@code login}; returns the
   * redirect back (code and state), not yet followed. Its state and code are secrets.
   */
  private static Map<String, String> authorize(String key, String credential, String login)
      throws Exception {
    URI url = callgate.authorizationUrl(key, credential, Optional.empty());
    Map<String, String> redirect = BrowserLogin.follow(url, NodeOidcProvider.REDIRECT_URI, login);
    secrets.add("an authorization state", SuiteSecrets.CALLGATE, redirect.get("state"));
    secrets.add("an authorization code", SuiteSecrets.CALLGATE, redirect.get("code"));
    return redirect;
  }

  /**
   * Starts the flow as {@code key} in the suite's own browser (which keeps Callgate's flow-binding
   * cookie for {@link CallgateUnderTest#callback}) and logs in at the provider as {@code login};
   * returns the redirect back, not yet followed.
   */
  private static Map<String, String> signIn(String key, String credential, String login) {
    URI url = callgate.authorizationUrl(key, credential, Optional.empty());
    Map<String, String> redirect = callgate.signIn(url, NodeOidcProvider.REDIRECT_URI, login);
    secrets.add("an authorization state", SuiteSecrets.CALLGATE, redirect.get("state"));
    secrets.add("an authorization code", SuiteSecrets.CALLGATE, redirect.get("code"));
    return redirect;
  }

  /**
   * Opens Callgate's authorization page as {@code key}'s browser would and stops before the
   * provider: the flow's state (from the redirect to the provider) and its binding cookie.
   */
  private static PendingFlow open(String key, String credential) throws Exception {
    URI page = callgate.authorizationUrl(key, credential, Optional.empty());
    java.net.http.HttpResponse<Void> opened =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(page).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(opened.statusCode()).as("the authorization page").isEqualTo(303);
    String state = state(URI.create(opened.headers().firstValue("Location").orElseThrow()));
    String cookie = opened.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0].trim();
    secrets.add("a pending state", SuiteSecrets.CALLGATE, state);
    secrets.add("a flow's binding cookie", SuiteSecrets.CALLGATE, cookie.split("=", 2)[1]);
    return new PendingFlow(state, cookie);
  }

  private static String state(URI authorizationUrl) {
    for (String parameter : authorizationUrl.getRawQuery().split("&")) {
      if (parameter.startsWith("state=")) {
        return URLDecoder.decode(parameter.substring(6), StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("no state in " + authorizationUrl);
  }

  private static String metadata(String issuer, String tokenEndpoint) {
    return new JsonObject()
        .put("issuer", issuer)
        .put("authorization_endpoint", issuer + "/authorize")
        .put("token_endpoint", tokenEndpoint)
        .put("response_types_supported", new JsonArray().add("code"))
        .put("grant_types_supported", new JsonArray().add("client_credentials"))
        .encode();
  }

  /** What the service left in the working directory goes, once counted. */
  private static void removeUploads() throws IOException {
    if (uploadsBefore == 0 && Files.isDirectory(UPLOADS)) {
      try (Stream<Path> files = Files.walk(UPLOADS)) {
        for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  private static long uploads() throws IOException {
    if (!Files.isDirectory(UPLOADS)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(UPLOADS)) {
      return files.count();
    }
  }

  private static String random() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static synchronized void failure(String category, String what) {
    failures.computeIfAbsent(category, c -> new ArrayList<>()).add(what);
  }

  /**
   * The failures by category, for a person to read (target/hostile-input-failures.txt), and every
   * case's answer (target/hostile-input-answers.txt).
   */
  private static void writeReport() throws IOException {
    StringBuilder report = new StringBuilder();
    report
        .append("Hostile input: ")
        .append(client == null ? 0 : client.sent())
        .append(" requests sent, ")
        .append(failures.values().stream().mapToInt(List::size).sum())
        .append(" failures\n");
    failures.forEach(
        (category, list) -> {
          report.append("\n## ").append(category).append(" (").append(list.size()).append(")\n");
          list.forEach(f -> report.append("- ").append(f.replace("\n", " ")).append('\n'));
        });
    StringBuilder answers = new StringBuilder();
    for (Exchange exchange : exchanges) {
      answers
          .append(exchange.kase().category())
          .append(" | ")
          .append(exchange.kase())
          .append(" | ")
          .append(exchange.answer().summary().replace("\n", " "))
          .append('\n');
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "hostile-input-failures.txt"), report.toString());
    Files.writeString(Path.of("target", "hostile-input-answers.txt"), answers.toString());
  }
}
