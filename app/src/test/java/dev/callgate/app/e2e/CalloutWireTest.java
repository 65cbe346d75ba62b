package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.callgate.adapter.http.CapturedLog;
import dev.callgate.adapter.http.RecordingTarget;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Callouts byte by byte: raw-socket callers that break their uploads off (a FIN, a reset, a
 * malformed chunk, a declared length never reached) or hang up mid-answer, against a target that
 * records every byte of every connection. A broken upload never reaches the target as a complete
 * request, a connection whose request was not sent whole never carries another caller's request,
 * and a caller that hangs up closes the exchange without an exception in the log.
 */
class CalloutWireTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String FIRST_BYTES = "0123456789";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static CallgateUnderTest callgate;
  private static String alice;
  private static String bob;

  private CapturedLog log;

  /** How a caller's upload ends before it is complete. */
  enum BreakOff {
    FIN,
    RESET,
    MALFORMED_CHUNK
  }

  @BeforeAll
  static void start() {
    callgate = CallgateUnderTest.start();
    alice = callgate.callerKey("alice");
    bob = callgate.callerKey("bob");
  }

  @AfterAll
  static void stop() {
    if (callgate != null) {
      callgate.close();
    }
  }

  @BeforeEach
  void captureLog() {
    log = new CapturedLog();
  }

  @AfterEach
  void noExceptionLogged() throws InterruptedException {
    Thread.sleep(300);
    log.close();
    assertThat(log.events())
        // a busy machine's blocked-thread warnings are not the code's doing
        .filteredOn(e -> !e.getFormattedMessage().contains("has been blocked for"))
        // Callgate's own outcome lines (an answered problem, keyed by its event) are expected;
        // an exception or a library's warning is not
        .filteredOn(
            e ->
                e.getThrowableProxy() != null
                    || e.getKeyValuePairs() == null
                    || e.getKeyValuePairs().stream().noneMatch(pair -> pair.key.equals("event")))
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(BreakOff.class)
  void calloutWhenChunkedUploadBreaksOffThenTargetNeverGetsTheLastChunkAndItsConnectionCloses(
      BreakOff breakOff) throws Exception {
    try (RecordingTarget target = RecordingTarget.silent();
        Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
      String credential = credential(target, "alice");
      send(
          caller,
          head("POST", credential, alice, "Transfer-Encoding: chunked")
              + "a\r\n"
              + FIRST_BYTES
              + "\r\n");
      RecordingTarget.Connection upstream = firstConnectionWith(target, FIRST_BYTES);

      breakOff(caller, breakOff);

      assertThat(upstream.awaitClosed(WAIT)).as("target connection closed").isTrue();
      assertThat(upstream.text())
          .containsIgnoringCase("transfer-encoding: chunked")
          .doesNotContain("0\r\n\r\n");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = BreakOff.class,
      names = {"FIN", "RESET"})
  void calloutWhenUploadStopsShortOfItsContentLengthThenTargetGetsFewerBytesAndItsConnectionCloses(
      BreakOff breakOff) throws Exception {
    try (RecordingTarget target = RecordingTarget.silent();
        Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
      String credential = credential(target, "alice");
      send(caller, head("POST", credential, alice, "Content-Length: 300") + FIRST_BYTES);
      RecordingTarget.Connection upstream = firstConnectionWith(target, FIRST_BYTES);

      breakOff(caller, breakOff);

      assertThat(upstream.awaitClosed(WAIT)).as("target connection closed").isTrue();
      String text = upstream.text();
      assertThat(text).containsIgnoringCase("content-length: 300");
      assertThat(text.substring(text.indexOf("\r\n\r\n") + 4)).isEqualTo(FIRST_BYTES);
    }
  }

  @Test
  void calloutWhenUploadBreaksOffBeforeCallgateReadsItThenTargetGetsNoCompleteRequest()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.silent()) {
      String credential = credential(target, "alice");
      try (Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
        send(
            caller,
            head("POST", credential, alice, "Transfer-Encoding: chunked")
                + "a\r\n"
                + FIRST_BYTES
                + "\r\n");
        caller.shutdownOutput();
        Thread.sleep(500);
      }

      // the callout goes ahead (the break is seen only as the body is read), and is abandoned
      target.awaitConnections(1, WAIT);
      for (RecordingTarget.Connection upstream : target.connections()) {
        assertThat(upstream.awaitClosed(WAIT)).as("target connection closed").isTrue();
        assertThat(upstream.text()).doesNotContain("0\r\n\r\n");
      }
    }
  }

  @Test
  void calloutWhenTargetAnswersEarlyAndTheUploadIsCutOffThenTheNextCalloutsGetNewConnections()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.answeringEarly()) {
      String first = credential(target, "alice");
      String second = credential(target, "bob");
      try (Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
        send(caller, head("POST", first, alice, "Content-Length: 300") + FIRST_BYTES);
        assertThat(readStatusLine(caller)).isEqualTo("HTTP/1.1 200 OK");
        breakOff(caller, BreakOff.FIN);
      }
      RecordingTarget.Connection cutOff = target.connections().get(0);

      Answer fromBob =
          callgate.send(Optional.of(bob), "GET", "/v1/callout/" + second + "/bob-marker", null);
      Answer fromAlice =
          callgate.send(Optional.of(alice), "GET", "/v1/callout/" + first + "/alice-marker", null);

      assertThat(fromBob.status()).isEqualTo(200);
      assertThat(fromAlice.status()).isEqualTo(200);
      assertThat(cutOff.awaitClosed(WAIT)).as("cut-off connection closed").isTrue();
      assertThat(cutOff.text()).doesNotContain("bob-marker", "alice-marker", "GET ");
      assertThat(target.connections()).hasSize(3);
    }
  }

  @Test
  void calloutWhenCallerHangsUpMidAnswerThenTheTargetConnectionClosesAndNothingIsLogged()
      throws Exception {
    long size = 4L * 1024 * 1024;
    try (RecordingTarget target = RecordingTarget.streaming(size)) {
      String credential = credential(target, "alice");
      try (Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
        send(caller, head("GET", credential, alice, "Accept: */*"));
        InputStream in = caller.getInputStream();
        byte[] some = new byte[4096];
        int read = 0;
        while (read < 8192) {
          int n = in.read(some);
          assertThat(n).isPositive();
          read += n;
        }
        caller.setSoLinger(true, 0);
      }
      RecordingTarget.Connection upstream = target.connections().get(0);

      // a drained or pooled connection would stay open: keep-alive
      assertThat(upstream.awaitClosed(WAIT)).as("target connection closed").isTrue();
      Answer next = callgate.as(alice, "GET", "/v1/callout/" + credential + "/next");
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).hasSize((int) size);
    }
  }

  @Test
  void calloutWhenTheTargetsAnswerBreaksOffThenTheCallerNeverGetsItAsComplete() throws Exception {
    try (RecordingTarget target = RecordingTarget.breakingOffItsAnswer();
        Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
      String credential = credential(target, "alice");
      send(caller, head("GET", credential, alice, "Accept: */*"));
      caller.setSoTimeout((int) WAIT.toMillis());

      String received = readUntilClosed(caller);

      // the echo guard holds back the last bytes of what it has seen (shorter than the credential's
      // secret), so the caller may see the head and a part, or only the connection closing
      if (!received.isEmpty()) {
        assertThat(received).startsWith("HTTP/1.1 200 OK");
      }
      assertThat(received).doesNotContain("0\r\n\r\n");
    }
  }

  @Test
  void calloutWhenAGetHasNoBodyThenTheTargetGetsTheHeadAloneAndTheCallerTheAnswerWithItsLength()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.streaming(2);
        Socket caller = new Socket("127.0.0.1", callgate.base().getPort())) {
      String credential = credential(target, "alice");
      send(caller, head("GET", credential, alice, "Connection: close"));
      caller.setSoTimeout((int) WAIT.toMillis());

      String received = readUntilClosed(caller);

      assertThat(received)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .containsIgnoringCase("\r\ncontent-length: 2\r\n")
          .doesNotContainIgnoringCase("transfer-encoding")
          .endsWith("\r\n\r\nab");
      String sent = target.connections().get(0).text();
      assertThat(sent)
          .startsWith("GET /api/upload HTTP/1.1\r\n")
          .endsWith("\r\n\r\n")
          .doesNotContainIgnoringCase("transfer-encoding")
          .doesNotContainIgnoringCase("content-length");
    }
  }

  /** A basic-auth credential on {@code target} that {@code caller} may call; returns its name. */
  private static String credential(RecordingTarget target, String caller) {
    String name = "wire" + NAMES.incrementAndGet();
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.uri("/api").toString())
            .put("protocol", "basic")
            .put("username", name + "-user")
            .put("password", name + "-password")
            .put("allowedCallers", new JsonArray().add(caller)));
    return name;
  }

  private static String head(String method, String credential, String key, String framing) {
    return method
        + " /v1/callout/"
        + credential
        + "/upload HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n"
        + "Authorization: Bearer "
        + key
        + "\r\n"
        + framing
        + "\r\n\r\n";
  }

  private static void send(Socket caller, String text) throws IOException {
    OutputStream out = caller.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void breakOff(Socket caller, BreakOff how) throws IOException {
    switch (how) {
      case FIN -> caller.shutdownOutput();
      case RESET -> {
        caller.setSoLinger(true, 0);
        caller.close();
      }
      case MALFORMED_CHUNK -> send(caller, "zz\r\nnot a chunk\r\n");
    }
  }

  private static RecordingTarget.Connection firstConnectionWith(RecordingTarget target, String text)
      throws InterruptedException {
    target.awaitConnections(1, WAIT);
    RecordingTarget.Connection connection = target.connections().get(0);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!connection.text().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the target never got " + text + ": " + connection.text());
      }
      Thread.sleep(10);
    }
    return connection;
  }

  /** Everything the caller gets until Callgate closes (or resets) the connection. */
  private static String readUntilClosed(Socket caller) throws IOException {
    java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = caller.getInputStream().read(chunk)) >= 0; ) {
        received.write(chunk, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // a reset ends the answer as a close does
    }
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readStatusLine(Socket caller) throws IOException {
    caller.setSoTimeout((int) WAIT.toMillis());
    InputStream in = caller.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
