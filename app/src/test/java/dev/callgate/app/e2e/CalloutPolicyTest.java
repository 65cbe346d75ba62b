package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The callout path's policy against a running Callgate and a recording target, over raw sockets
 * where bytes matter: secrets a target echoes never reach the caller, TRACE and CONNECT never reach
 * the target, a body is not read before the caller is authorized nor past its limit, and malformed
 * paths and headers are 4xx problems.
 */
class CalloutPolicyTest {
  private static final String USER = "svc-account";
  private static final String PASSWORD = "pa55word-secret-0123";
  private static final String AUTHORIZATION =
      "Basic "
          + Base64.getEncoder()
              .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  private static final long UPLOAD_BYTES = 64L * 1024 * 1024;

  private static RecordingTarget target;
  private static CallgateUnderTest callgate;
  private static String callerKey;
  private static String strangerKey;

  @BeforeAll
  static void start() {
    target = new RecordingTarget();
    callgate = CallgateUnderTest.start();
    callerKey = callgate.callerKey("app");
    strangerKey = callgate.callerKey("stranger");
    callgate.credential(basic("echo", false));
    callgate.credential(basic("merge", true));
  }

  @AfterAll
  static void stop() {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
    }
  }

  private static JsonObject basic(String name, boolean mergeInBody) {
    return new JsonObject()
        .put("name", name)
        .put("url", target.baseUrl().toString())
        .put("protocol", "basic")
        .put("username", USER)
        .put("password", PASSWORD)
        .put("allowMergeFieldsInBody", mergeInBody)
        .put("allowedCallers", new JsonArray().add("app"));
  }

  /** Sends raw bytes and reads until Callgate closes the connection (or 20 s pass). */
  private static String raw(String request) {
    try (Socket socket = new Socket("127.0.0.1", callgate.base().getPort())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return readAll(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived before the timeout or the reset is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static String get(String path, String key) {
    return raw(
        "GET "
            + path
            + " HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
            + key
            + "\r\nConnection: close\r\n\r\n");
  }

  private static int status(String response) {
    assertThat(response).as(response).startsWith("HTTP/1.1 ");
    return Integer.parseInt(response.substring(9, 12));
  }

  /**
   * {@code callgate_secret_echoes_blocked_total} for {@code where}, 0 before its first count: each
   * test compares it before and after its own callout, since an earlier test may have counted one.
   */
  private static double echoesBlocked(String where) {
    return callgate
        .metric("callgate_secret_echoes_blocked_total{where=\"" + where + "\"}")
        .orElse(0);
  }

  private static long received(String path) {
    return target.received.stream().filter(r -> r.path().equals(path)).count();
  }

  @Test
  void calloutWhenTargetEchoesTheAuthorizationInAHeaderThenSecretEchoedAndTheSecretNeverArrives() {
    double before = echoesBlocked("headers");
    String response = get("/v1/callout/echo/echo-header", callerKey);

    assertThat(status(response)).isEqualTo(502);
    assertThat(response)
        .contains("Callgate-Error: SECRET_ECHOED")
        .contains("application/problem+json")
        .doesNotContain(AUTHORIZATION.substring(6))
        .doesNotContain(PASSWORD);
    assertThat(received("/echo-header")).isPositive();
    assertThat(echoesBlocked("headers")).isEqualTo(before + 1);
  }

  @Test
  void calloutWhenTargetEchoesTheAuthorizationInASmallBodyThenSecretEchoedAndNothingOfItArrives() {
    double before = echoesBlocked("body");
    String response = get("/v1/callout/echo/echo-small-body", callerKey);

    // read whole, the answer is checked before any of it is relayed: refused, not cut
    assertThat(status(response)).isEqualTo(502);
    assertThat(response)
        .contains("Callgate-Error: SECRET_ECHOED")
        .doesNotContain("seen")
        .doesNotContain(AUTHORIZATION.substring(6));
    assertThat(echoesBlocked("body")).isEqualTo(before + 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 100_000})
  void calloutWhenTargetEchoesTheAuthorizationSplitAcrossBodyChunksThenTheAnswerIsCutBeforeIt(
      int filler) {
    double before = echoesBlocked("body");
    String response = get("/v1/callout/echo/echo-body?filler=" + filler, callerKey);

    // before the scanner released a byte, the caller sees the connection close with no answer
    if (!response.isEmpty()) {
      assertThat(status(response)).isEqualTo(200);
    }
    String base64 = AUTHORIZATION.substring("Basic ".length());
    assertThat(response).doesNotContain(base64);
    // a chunked answer cut by a reset has no last chunk: the caller cannot take it as complete
    assertThat(response).doesNotEndWith("0\r\n\r\n");
    assertThat(echoesBlocked("body")).isEqualTo(before + 1);
  }

  @Test
  void calloutWhenAnHttpClientCallsTwiceOnOneConnectionThenBothAnswersArrive() {
    Answer first = callgate.admin("GET", "/v1/callout/echo/ok");
    Answer refused =
        callgate.admin("GET", "/v1/callout/echo/ok", Map.of("Callgate-Proxy-Authorization", "x"));
    Answer second = callgate.admin("GET", "/v1/callout/echo/ok");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("ok");
    assertThat(refused.error()).isEqualTo("AUTHORIZATION_HEADER_CONFLICT");
    assertThat(second.body()).isEqualTo("ok");
  }

  /** The JDK client upgrades its first plain-http GET to HTTP/2 (h2c) where the server agrees. */
  @Test
  void calloutWhenRefusedAfterTheBodyStepOnAFreshClientThenAnsweredNotHung() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    int[] statuses = new int[3];
    String[][] calls = {
      {"/v1/callout/echo/ok", "X-Any", "1"},
      {"/v1/callout/echo/echo-header", "X-Any", "1"},
      {"/v1/callout/nothing/ok", "X-Any", "1"},
    };
    for (int i = 0; i < calls.length; i++) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(callgate.base().resolve(calls[i][0]))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + callerKey)
                  .header(calls[i][1], calls[i][2])
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      statuses[i] = response.statusCode();
    }

    assertThat(statuses).containsExactly(200, 502, 404);
  }

  @Test
  void calloutWhenLargeAnswerHoldsNoSecretThenEveryByteIsRelayed() {
    String response = get("/v1/callout/echo/large?mb=2", callerKey);

    assertThat(status(response)).isEqualTo(200);
    assertThat(response.chars().filter(c -> c == 'x').count()).isEqualTo(2L * 1024 * 1024);
    assertThat(response).endsWith("0\r\n\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "CONNECT", "trace"})
  void calloutWhenMethodIsTraceOrConnectThenMethodNotAllowedAndNothingAtTheTarget(String method) {
    String path = "/never-" + method;
    String response =
        raw(
            method
                + " /v1/callout/echo"
                + path
                + " HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                + callerKey
                + "\r\nConnection: close\r\n\r\n");

    assertThat(status(response)).isBetween(400, 499);
    if (method.equals("TRACE")) {
      assertThat(status(response)).isEqualTo(405);
      assertThat(response)
          .contains("Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
          .contains("Callgate-Error: METHOD_NOT_ALLOWED");
    }
    assertThat(response).doesNotContain(AUTHORIZATION);
    assertThat(received(path)).isZero();
  }

  @Test
  void calloutWhenTargetSendsCallgateErrorThenItIsNotRelayed() {
    String response = get("/v1/callout/echo/forge", callerKey);

    assertThat(status(response)).isEqualTo(200);
    assertThat(response).doesNotContainIgnoringCase("Callgate-Error").doesNotContain("forged\r\n");
    assertThat(response).doesNotContainIgnoringCase("Callgate-Anything");
  }

  /** Uploads up to 64 MiB chunked while reading the answer; returns the answer and bytes sent. */
  private static Upload upload(String path, String key) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", callgate.base().getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                  + key
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      AtomicLong sent = new AtomicLong();
      AtomicBoolean broken = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                byte[] data = new byte[64 * 1024];
                byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes();
                try {
                  while (sent.get() < UPLOAD_BYTES) {
                    out.write(head);
                    out.write(data);
                    out.write("\r\n".getBytes());
                    sent.addAndGet(data.length);
                  }
                  out.write("0\r\n\r\n".getBytes());
                } catch (IOException e) {
                  broken.set(true);
                }
              });
      writer.start();
      String answer = readAll(socket.getInputStream());
      socket.close();
      writer.join(30_000);
      return new Upload(answer, sent.get(), broken.get());
    }
  }

  private record Upload(String answer, long sent, boolean broken) {}

  @Test
  void calloutWhenACallerNotAllowedSendsABigChunkedBodyThen403WithoutTheBodyBeingRead()
      throws Exception {
    Upload upload = upload("/v1/callout/merge/upload", strangerKey);

    assertThat(status(upload.answer())).isEqualTo(403);
    assertThat(upload.answer()).contains("CALLER_NOT_ALLOWED");
    assertThat(upload.sent()).isLessThan(UPLOAD_BYTES);
    assertThat(received("/upload")).isZero();
  }

  @Test
  void calloutWhenAnAllowedCallersChunkedBodyPassesTheLimitThen413WithoutReadingItWhole()
      throws Exception {
    Upload upload = upload("/v1/callout/merge/upload-large", callerKey);

    assertThat(status(upload.answer())).isEqualTo(413);
    assertThat(upload.answer()).contains("REQUEST_TOO_LARGE");
    assertThat(upload.sent()).isLessThan(UPLOAD_BYTES);
    assertThat(received("/upload-large")).isZero();
  }

  @Test
  void calloutWhenTheDeclaredLengthIsOverTheLimitThen413BeforeAnyBodyByte() {
    String response =
        raw(
            "POST /v1/callout/merge/declared HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                + callerKey
                + "\r\nContent-Length: 209715200\r\n\r\n");

    assertThat(status(response)).isEqualTo(413);
    assertThat(received("/declared")).isZero();
  }

  @Test
  void calloutWhenAMergeBodyIsWithinTheLimitThenItIsSent() {
    String response =
        raw(
            "POST /v1/callout/merge/small HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                + callerKey
                + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

    assertThat(status(response)).isEqualTo(200);
    assertThat(target.received)
        .anySatisfy(
            r -> {
              assertThat(r.path()).isEqualTo("/small");
              assertThat(r.bodyBytes()).isEqualTo(5);
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/callout",
        "/v1/callout/",
        "/v1/x/../callout/echo/dots",
        "/v1/./callout/echo/dots",
        "/v1/x/%2e%2e/callout/echo/dots",
        "/v1/callout/../callout/echo/dots",
        "/v1/callout/echo/%25252e%25252e/dots",
        "/v1/callout/echo/%c0%ae%c0%ae/dots",
        "/v1/callout/echo/%ef%bc%8e%ef%bc%8e/dots",
        "/v1/callout/echo/a/%25%32%65%25%32%65/dots",
      })
  void calloutWhenThePathIsMalformedOrClimbsThenA4xxProblemAndNothingAtTheTarget(String path) {
    String response = get(path, callerKey);

    assertThat(status(response)).as(path).isBetween(400, 499);
    assertThat(response).contains("application/problem+json").contains("Callgate-Error: ");
    assertThat(target.received).noneSatisfy(r -> assertThat(r.path()).endsWith("dots"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/xxxxxxx/echo/../../callout/echo/dots",
        "/v1/xxxxxxx/echo/%2e%2e/%2e%2e/callout/echo/dots"
      })
  void calloutWhenTheRawPathDoesNotStartWithThePrefixThenNoCredentialIsSelectedFromIt(String path) {
    String response = get(path, callerKey);

    assertThat(status(response)).isEqualTo(404);
    assertThat(response).contains("Callgate-Error: ROUTE_NOT_FOUND");
  }

  @Test
  void credentialWhenItsUrlHasAPortAbove65535ThenRefusedAtCreate() {
    Answer created =
        callgate.admin(
            "POST",
            "/v1/credentials",
            basic("badport", false).put("url", "http://127.0.0.1:70000/api"));

    assertThat(created.status()).isEqualTo(400);
    assertThat(created.error()).isEqualTo("INVALID_URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "CONNECT", "GET POST"})
  void credentialWhenAllowedMethodsNameTraceConnectOrNoTokenThenRefusedAtCreate(String method) {
    Answer created =
        callgate.admin(
            "POST",
            "/v1/credentials",
            basic("badmethods", false).put("allowedMethods", new JsonArray().add(method)));

    assertThat(created.status()).isEqualTo(400);
    assertThat(created.error()).isEqualTo("INVALID_VALUE");
  }

  @Test
  void credentialWhenAllowedMethodsAreGivenThenShownAndEnforced() {
    callgate.credential(basic("getonly", false).put("allowedMethods", new JsonArray().add("get")));

    Answer shown = callgate.admin("GET", "/v1/credentials/getonly");
    String refused =
        raw(
            "DELETE /v1/callout/getonly/x HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                + callerKey
                + "\r\nConnection: close\r\n\r\n");

    assertThat(shown.json().getJsonArray("allowedMethods")).containsExactly("GET");
    assertThat(status(refused)).isEqualTo(405);
    assertThat(refused).contains("Allow: GET\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {": empty-name\r\n", "X-Note: caf\u00c3\u00a9\r\n", "Bad Name: x\r\n"})
  void calloutWhenAHeaderNameIsEmptyOrAValueIsNotAsciiThenA400ProblemAndNothingAtTheTarget(
      String field) {
    String response =
        raw(
            "GET /v1/callout/echo/headers HTTP/1.1\r\nHost: callgate\r\nAuthorization: Bearer "
                + callerKey
                + "\r\n"
                + field
                + "Connection: close\r\n\r\n");

    assertThat(status(response)).isEqualTo(400);
    assertThat(received("/headers")).isZero();
  }
}
