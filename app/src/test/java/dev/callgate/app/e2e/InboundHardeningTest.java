package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a hostile client can do to the inbound side, byte by byte: hold connections open, open too
 * many, send oversized or malformed heads, ask for h2c, flood the metrics with made-up names,
 * smuggle a second field into a JSON body, upload files — against Callgate as it runs.
 */
class InboundHardeningTest {
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() {
    callgate =
        CallgateUnderTest.start(
            Map.of(
                Configuration.HTTP_HEADER_TIMEOUT, "PT1S",
                Configuration.HTTP_BODY_TIMEOUT, "PT1S",
                Configuration.HTTP_MAX_CONNECTIONS, "8",
                Configuration.HTTP_MAX_REQUEST_LINE, "1024",
                Configuration.HTTP_MAX_HEADER_SIZE, "2048"));
  }

  @AfterAll
  static void stop() {
    callgate.close();
  }

  /** What came back on a raw connection, and whether the server closed it. */
  record RawAnswer(String text, boolean closed, Duration took) {
    int status() {
      return text.isEmpty() ? -1 : Integer.parseInt(text.substring(9, 12));
    }

    String header(String name) {
      Matcher m =
          Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*([^\\r\\n]*)").matcher(text);
      return m.find() ? m.group(1) : null;
    }

    JsonObject body() {
      return new JsonObject(text.substring(text.indexOf("\r\n\r\n") + 4));
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", callgate.base().getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends {@code bytes}, then reads until the server closes or stays silent for 3 s. */
  private RawAnswer exchange(String bytes) throws IOException {
    try (Socket socket = connect()) {
      long started = System.nanoTime();
      socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      socket.setSoTimeout(3_000);
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      boolean closed = false;
      try {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          read.write(buffer, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException silent) {
        // still open
      }
      return new RawAnswer(
          read.toString(StandardCharsets.ISO_8859_1),
          closed,
          Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /** True when the server closes the connection within {@code within}; reads and drops bytes. */
  private static boolean closedWithin(Socket socket, Duration within) throws IOException {
    socket.setSoTimeout((int) within.toMillis());
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      while (in.read(buffer) >= 0) {
        // an answer before closing is fine
      }
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void connectionWhenTheHeadTricklesInSlowerThanTheHeaderTimeoutThenItIsClosed() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /health/live HTTP/1.1\r\nHost: callgate\r\n".getBytes(StandardCharsets.US_ASCII));
      long started = System.nanoTime();
      boolean closed = false;
      // one header byte every 200 ms: never idle, never complete
      for (int i = 0; i < 40 && !closed; i++) {
        try {
          out.write('X');
          out.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = closedWithin(socket, Duration.ofMillis(200));
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(closed).as("closed by the header timeout").isTrue();
      assertThat(took).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void connectionWhenNothingIsSentThenItIsClosedAfterTheHeaderTimeout() throws Exception {
    try (Socket socket = connect()) {
      assertThat(closedWithin(socket, Duration.ofSeconds(4))).isTrue();
    }
  }

  @Test
  void connectionWhenABodyStallsThenItIsClosedAfterTheBodyTimeout() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/keys HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                  + CallgateUnderTest.ADMIN_KEY
                  + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sub")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();

      assertThat(closedWithin(socket, Duration.ofSeconds(4))).isTrue();
    }
  }

  @Test
  void connectionWhenARequestIsCompleteThenTheTimeoutsLeaveItAlone() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < 3; i++) {
        out.write(
            "GET /health/live HTTP/1.1\r\nHost: callgate\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] buffer = new byte[4096];
        int n = socket.getInputStream().read(buffer);
        assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        // idle between requests for less than the idle timeout, more than the header timeout
        Thread.sleep(1_500);
      }
    }
  }

  /** {@code count} connections, each with a request in progress, so each one stays counted. */
  private List<Socket> held(int count) throws IOException {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket socket = connect();
      held.add(socket);
      // a request in progress keeps each one counted (and within its header timeout)
      socket
          .getOutputStream()
          .write("GET /health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return held;
  }

  private static void close(List<Socket> sockets) throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  @Test
  void connectWhenTheConnectionLimitIsReachedThenFurtherConnectionsAreClosed() throws Exception {
    List<Socket> held = held(8);
    try {
      Thread.sleep(200);
      try (Socket refused = connect()) {
        assertThat(closedWithin(refused, Duration.ofMillis(700))).isTrue();
      }
    } finally {
      close(held);
    }
    Thread.sleep(300);
    assertThat(
            exchange("GET /health/live HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\n\r\n")
                .status())
        .isEqualTo(200);
  }

  @Test
  void metricsWhenConnectionsAreOpenThenTheInboundConnectionsGaugeCountsThem() throws Exception {
    List<Socket> held = held(3);
    try {
      Thread.sleep(200);

      String open =
          callgate
              .metrics()
              .lines()
              .filter(line -> line.startsWith("callgate_inbound_connections "))
              .findFirst()
              .orElseThrow();

      // the three held and the scrape's own
      assertThat(Double.parseDouble(open.substring(open.indexOf(' ') + 1)))
          .isGreaterThanOrEqualTo(4);
    } finally {
      close(held);
    }
  }

  @Test
  void requestWhenTheHeadersAreTooLargeThenProblem431() throws Exception {
    RawAnswer answer =
        exchange(
            "GET /health/live HTTP/1.1\r\nHost: callgate\r\nX-Big: "
                + "a".repeat(4096)
                + "\r\n\r\n");

    assertProblem(answer, 431, "REQUEST_HEADERS_TOO_LARGE");
  }

  @Test
  void requestWhenTheUriIsTooLongThenProblem414() throws Exception {
    RawAnswer answer =
        exchange("GET /health/live?" + "a".repeat(2048) + " HTTP/1.1\r\nHost: callgate\r\n\r\n");

    assertProblem(answer, 414, "REQUEST_URI_TOO_LONG");
  }

  @Test
  void requestWhenTheRequestLineIsMalformedThenProblem400() throws Exception {
    assertProblem(exchange("GET /x HTTP/9.9\r\nHost: callgate\r\n\r\n"), 400, "MALFORMED_REQUEST");
    assertProblem(exchange("\u0001\u0002 garbage\r\n\r\n"), 400, "MALFORMED_REQUEST");
  }

  @Test
  void requestWhenTheVersionIsLowerCaseOrHasTwoDigitsThenProblem400InHttp11() throws Exception {
    for (String version : List.of("http/1.1", "HTTP/1.10")) {
      RawAnswer answer = exchange("GET /health/live " + version + "\r\nHost: callgate\r\n\r\n");
      assertThat(answer.text()).as(version).startsWith("HTTP/1.1 400");
      assertProblem(answer, 400, "MALFORMED_REQUEST");
    }
  }

  @Test
  void requestWhenItsHeadCanBeReadTwoWaysThenAmbiguousRequestAndTheConnectionCloses()
      throws Exception {
    String line = "POST /v1/keys HTTP/1.1\r\n";
    String host = "Host: callgate\r\n";
    String auth = "Authorization: Bearer " + CallgateUnderTest.ADMIN_KEY + "\r\n";
    String chunkedBody = "\r\n\r\n0\r\n\r\n";
    List<String> heads =
        List.of(
            line + host + auth + "Content-Length: 5\r\nTransfer-Encoding: chunked" + chunkedBody,
            line + host + auth + "Transfer-Encoding: chunked\r\nContent-Length: 5" + chunkedBody,
            line + host + auth + "Transfer-Encoding: chunked, identity" + chunkedBody,
            line + host + auth + "Transfer-Encoding: identity" + chunkedBody,
            line + host + auth + "Transfer-Encoding: xchunked" + chunkedBody,
            line + host + auth + "Transfer-Encoding: gzip" + chunkedBody,
            line + host + auth + "Transfer-Encoding: chunked, chunked" + chunkedBody,
            line
                + host
                + auth
                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
                + chunkedBody,
            line + host + "Host: evil.example\r\n" + auth + "Content-Length: 0\r\n\r\n",
            line + host + auth + "Authorization: Bearer other\r\nContent-Length: 0\r\n\r\n");
    for (String head : heads) {
      RawAnswer answer = exchange(head);
      assertThat(answer.header("Connection")).as(head).isEqualTo("close");
      assertProblem(answer, 400, "AMBIGUOUS_REQUEST");
    }
    // whitespace right after the request line: Netty's decoder refuses it before the rule sees it
    RawAnswer folded =
        exchange(line + " X-Folded: b\r\n" + host + auth + "Content-Length: 0\r\n\r\n");
    assertThat(folded.status()).as(folded.text()).isEqualTo(400);
    assertThat(folded.closed()).isTrue();
    // the same request, unambiguous, is read: an empty chunked body is malformed JSON, not framing
    RawAnswer plain = exchange(line + host + auth + "Transfer-Encoding: chunked" + chunkedBody);
    assertThat(plain.header("Callgate-Error")).as(plain.text()).isNotEqualTo("AMBIGUOUS_REQUEST");
  }

  private static void assertProblem(RawAnswer answer, int status, String code) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(answer.header("Callgate-Error")).isEqualTo(code);
    assertThat(answer.body().getString("code")).isEqualTo(code);
    assertThat(answer.closed()).isTrue();
  }

  @Test
  void requestWhenItAsksForAnH2cUpgradeThenItIsAnsweredOverHttp11() throws Exception {
    RawAnswer answer =
        exchange(
            "GET /health/live HTTP/1.1\r\nHost: callgate\r\nConnection: Upgrade, HTTP2-Settings,"
                + " close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

    assertThat(answer.text()).startsWith("HTTP/1.1 200").doesNotContain("101");
    assertProblem(exchange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 400, "MALFORMED_REQUEST");
  }

  @Test
  void metricsWhenCallersMakeUpCredentialNamesAndMethodsThenSeriesStayBounded() {
    String key = callgate.callerKey("prober");
    // one of each first: the series every later made-up name and method falls into then exist
    callgate.as(key, "GET", "/v1/callout/made-up-first/x");
    callgate.as(key, "MFIRST", "/v1/callout/made-up/x");
    long calloutLines = lines(callgate.metrics(), "callgate_callouts");
    Set<String> madeUpMethods = new TreeSet<>(Set.of("MFIRST"));
    for (int i = 0; i < 300; i++) {
      callgate.as(key, "GET", "/v1/callout/made-up-" + i + "/x");
      callgate.as(key, "M" + i, "/v1/callout/made-up/x");
      madeUpMethods.add("M" + i);
    }

    String metrics = callgate.metrics();

    assertThat(lines(metrics, "callgate_callouts"))
        .as("lines of the callout metrics after 600 made-up callouts")
        .isEqualTo(calloutLines);
    assertThat(labelValues(metrics, "callgate_callouts_seconds_count", "credential"))
        .containsExactly("other");
    // no meter labels a method (Vert.x's HTTP metrics, which did, are off): were one to, a label
    // value of a caller's own would add a series per made-up method
    assertThat(labelValuesOfEverySeries(metrics, "method"))
        .doesNotContainAnyElementsOf(madeUpMethods);
    // Vert.x's per-request HTTP metrics are off: they built tags on every request
    assertThat(metrics.lines().filter(line -> line.startsWith("vertx_http_"))).isEmpty();
  }

  /** How many series lines (not comments) of {@code metrics} name a meter starting {@code name}. */
  private static long lines(String metrics, String name) {
    return metrics.lines().filter(line -> line.startsWith(name)).count();
  }

  /** The values {@code label} takes in any series of {@code metrics}. */
  private static Set<String> labelValuesOfEverySeries(String metrics, String label) {
    Set<String> values = new TreeSet<>();
    Pattern value = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"");
    metrics
        .lines()
        .filter(line -> !line.startsWith("#"))
        .forEach(line -> value.matcher(line).results().forEach(m -> values.add(m.group(1))));
    return values;
  }

  private static Set<String> labelValues(String metrics, String metric, String label) {
    Set<String> values = new TreeSet<>();
    Pattern value = Pattern.compile("[{,]" + label + "=\"([^\"]*)\"");
    metrics
        .lines()
        .filter(line -> line.startsWith(metric + "{"))
        .forEach(
            line -> {
              Matcher m = value.matcher(line);
              if (m.find()) {
                values.add(m.group(1));
              }
            });
    return values;
  }

  @Test
  void createKeyWhenTheSubjectIsMalformedReservedOrHasNoRoleThenInvalidValue() {
    for (JsonObject body :
        List.of(
            new JsonObject().put("subject", "billing\r\nX-Forged: 1").put("roles", roles("caller")),
            new JsonObject().put("subject", "bill\u0000ing").put("roles", roles("caller")),
            new JsonObject().put("subject", "b".repeat(5_000)).put("roles", roles("caller")),
            new JsonObject().put("subject", "admin").put("roles", roles("caller")),
            new JsonObject().put("subject", "billing").put("roles", new JsonArray()))) {
      Answer answer = callgate.admin("POST", "/v1/keys", body);

      assertThat(answer.status()).as(answer.body()).isEqualTo(400);
      assertThat(answer.error()).isEqualTo("INVALID_VALUE");
    }
  }

  private static JsonArray roles(String... roles) {
    return new JsonArray(List.of(roles));
  }

  @Test
  void createKeyWhenTheBodyRepeatsAFieldOrHoldsACommentThenMalformedRequest() throws Exception {
    for (String body :
        List.of(
            "{\"subject\":\"billing\",\"roles\":[\"caller\"],\"roles\":[\"admin\"]}",
            "{\"subject\":\"billing\", /* admin? */ \"roles\":[\"caller\"]}",
            "{\"subject\":\"billing\", \"roles\":[\"caller\"]} // trailing")) {
      RawAnswer answer =
          exchange(
              "POST /v1/keys HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\nAuthorization: Bearer "
                  + CallgateUnderTest.ADMIN_KEY
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body);

      assertThat(answer.status()).as(body + " → " + answer.text()).isEqualTo(400);
      assertThat(answer.header("Callgate-Error")).isEqualTo("MALFORMED_REQUEST");
    }
    Answer keys = callgate.admin("GET", "/v1/keys");
    assertThat(keys.body()).doesNotContain("\"billing\"");
  }

  @Test
  void createCredentialWhenTheApiKeyHeaderIsHostThenInvalidValue() {
    Answer answer =
        callgate.admin(
            "POST",
            "/v1/credentials",
            new JsonObject()
                .put("name", "host-key")
                .put("url", "https://api.example.com")
                .put("protocol", "api_key")
                .put("apiKeyHeader", "Host")
                .put("apiKey", "k-123"));

    assertThat(answer.status()).as(answer.body()).isEqualTo(400);
    assertThat(answer.error()).isEqualTo("INVALID_VALUE");
    assertThat(answer.body()).contains("apiKeyHeader");
  }

  @Test
  void postWhenTheBodyIsAMultipartUploadThenRefusedAndNothingIsWritten() throws Exception {
    Path uploads = Path.of("file-uploads");
    long before = count(uploads);
    String multipart =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
            + "x".repeat(10_000)
            + "\r\n--b--\r\n";
    String head =
        "POST /v1/keys HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\n"
            + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: "
            + multipart.length()
            + "\r\n";

    RawAnswer anonymous = exchange(head + "\r\n" + multipart);
    RawAnswer admin =
        exchange(
            head + "Authorization: Bearer " + CallgateUnderTest.ADMIN_KEY + "\r\n\r\n" + multipart);

    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(admin.status()).as(admin.text()).isEqualTo(415);
    assertThat(admin.header("Callgate-Error")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(count(uploads)).isEqualTo(before);
    assertThat(count(callgateWorkingDirectoryUploads())).isEqualTo(before);
  }

  @Test
  void postWhenTheBodyIsLargerThanTheLimitThenRefusedBeforeItIsRead() throws Exception {
    RawAnswer anonymous =
        exchange(
            "POST /v1/keys HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{");
    RawAnswer admin =
        exchange(
            "POST /v1/keys HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\nAuthorization:"
                + " Bearer "
                + CallgateUnderTest.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{");

    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(admin.status()).as(admin.text()).isEqualTo(413);
    assertThat(admin.header("Callgate-Error")).isEqualTo("REQUEST_TOO_LARGE");
  }

  private static Path callgateWorkingDirectoryUploads() {
    return Path.of(System.getProperty("user.dir"), "file-uploads");
  }

  private static long count(Path directory) {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      return files.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void
      authenticateWhenTheConfiguredAdminKeyIsRevokedThroughTheApiThenRefusedAtOnceAndAfterARestart() {
    try (CallgateUnderTest own = CallgateUnderTest.start()) {
      JsonArray keys = new JsonArray(own.admin("GET", "/v1/keys").body());
      String id = keys.getJsonObject(0).getString("id");
      assertThat(keys.getJsonObject(0).getString("subject")).isEqualTo("admin");
      String successor =
          own.admin(
                  "POST",
                  "/v1/keys",
                  new JsonObject().put("subject", "ops-admin").put("roles", roles("admin")))
              .json()
              .getString("key");

      assertThat(own.as(successor, "DELETE", "/v1/keys/" + id).status()).isEqualTo(204);

      assertThat(own.admin("GET", "/v1/keys").status()).isEqualTo(401);
      own.restart();
      assertThat(own.admin("GET", "/v1/keys").status()).isEqualTo(401);
      assertThat(own.as(successor, "GET", "/v1/keys").status()).isEqualTo(200);
    }
  }

  @Test
  void metricsWhenAKeyIsRequiredThenOnlyAMetricsOrAdminKeyReadsThem() {
    try (CallgateUnderTest own =
        CallgateUnderTest.start(Map.of(Configuration.METRICS_REQUIRE_KEY, "true"))) {
      String caller = own.callerKey("billing");
      String scraper =
          own.admin(
                  "POST",
                  "/v1/keys",
                  new JsonObject().put("subject", "prometheus").put("roles", roles("metrics")))
              .json()
              .getString("key");

      assertThat(own.anonymous("GET", "/metrics").status()).isEqualTo(401);
      assertThat(own.as(caller, "GET", "/metrics").status()).isEqualTo(403);
      Answer scraped = own.as(scraper, "GET", "/metrics");
      assertThat(scraped.status()).isEqualTo(200);
      assertThat(scraped.body()).contains("jvm_");
      assertThat(own.as(scraper, "GET", "/v1/credentials").status()).isEqualTo(403);
      assertThat(Optional.ofNullable(own.admin("GET", "/metrics").body())).isPresent();
    }
  }
}
