package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.callout.UnauthorizedResponseClassifier;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CalloutTransport.Sent;
import dev.callgate.core.port.CalloutTransport.TransportOutcome;
import dev.callgate.core.port.CalloutTransport.Unreachable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebClientCalloutTransportTest {

  private static final String SECRET = "s3cr3t-token-value";
  private static Vertx vertx;
  private static CalloutTransport transport;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    transport =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults()
                .withConnectTimeout(Duration.ofSeconds(2))
                .withResponseTimeout(Duration.ofSeconds(5)),
            TargetServer.LOOPBACK);
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendWhenTargetAnswersASmallBodyWithItsLengthThenRelaysStatusHeadersAndTheBodyReadWhole()
      throws Exception {
    List<String> seen = new ArrayList<>();
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              seen.add(request.method().name() + " " + request.uri());
              seen.add(request.getHeader("Authorization"));
              request
                  .response()
                  .setStatusCode(201)
                  .putHeader("Content-Type", "text/plain")
                  .putHeader("X-Rate-Limit", List.<String>of("10", "20"))
                  .end("created it");
            })) {
      OutboundRequest request =
          new OutboundRequest(
              "PUT",
              target.uri("/v2/items/7?expand=all"),
              Headers.of("Authorization", "Bearer " + SECRET),
              Body.EMPTY);

      CalloutResponse response = sent(transport.send(request));

      assertThat(seen).containsExactly("PUT /v2/items/7?expand=all", "Bearer " + SECRET);
      assertThat(response.status()).isEqualTo(201);
      assertThat(response.headers().first("content-type")).contains("text/plain");
      assertThat(response.headers().all("X-Rate-Limit")).containsExactly("10", "20");
      assertThat(response.body()).isInstanceOf(Body.Bytes.class);
      assertThat(response.body().length()).isEqualTo(OptionalLong.of(10));
      assertThat(readAll(response.body())).isEqualTo("created it");
    }
  }

  @Test
  void sendWhenTargetAnswersChunkedThenTheBodyIsStreamed() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx, request -> request.response().setChunked(true).end("no length told"))) {
      CalloutResponse response = sent(transport.send(get(target.uri("/"))));

      assertThat(response.body()).isInstanceOf(Body.Streamed.class);
      assertThat(response.body().length()).isEmpty();
      assertThat(readAll(response.body())).isEqualTo("no length told");
    }
  }

  @Test
  void sendWhenTargetAnswersMoreThanASmallAnswerThenTheBodyIsStreamedWithItsLength()
      throws Exception {
    String large = "x".repeat(WebClientCalloutTransport.SMALL_ANSWER_BYTES + 1);
    try (TargetServer target =
        TargetServer.start(vertx, request -> request.response().end(large))) {
      CalloutResponse response = sent(transport.send(get(target.uri("/"))));

      assertThat(response.body()).isInstanceOf(Body.Streamed.class);
      assertThat(response.body().length()).hasValue(large.length());
      assertThat(readAll(response.body())).isEqualTo(large);
    }
  }

  @Test
  void sendWhenASmallAnswerBreaksOffBeforeItsLengthThenTheTargetIsUnreachable() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              request.response().putHeader("Content-Length", "100").write("only ten b");
              vertx.setTimer(50, t -> request.connection().close());
            })) {
      Unreachable unreachable = unreachable(transport.send(get(target.uri("/"))));

      assertThat(unreachable.reason())
          .isEqualTo("connection closed by the target before it answered");
    }
  }

  @Test
  void sendWhenRequestCarriesHopByHopHeadersThenTheyAreNotSent() throws Exception {
    try (TargetServer target =
        TargetServer.start(vertx, WebClientCalloutTransportTest::echoHeaders)) {
      Headers headers =
          Headers.of(
              "Keep-Alive", "timeout=5",
              "Proxy-Connection", "keep-alive",
              "Proxy-Authorization", "Basic " + SECRET,
              "TE", "trailers",
              "Trailer", "X-Checksum",
              "Upgrade", "websocket",
              "Transfer-Encoding", "chunked",
              "Content-Length", "999",
              "Host", "elsewhere.example",
              "Connection", "X-Listed-Hop",
              "X-Listed-Hop", "1",
              "X-Kept", "yes");

      CalloutResponse response =
          sent(transport.send(new OutboundRequest("GET", target.uri("/"), headers, Body.EMPTY)));

      Map<String, String> received = parseEcho(readAll(response.body()));
      assertThat(received).containsEntry("x-kept", "yes");
      assertThat(received).containsEntry("host", "127.0.0.1:" + target.port());
      assertThat(received)
          .doesNotContainKeys(
              "keep-alive",
              "proxy-connection",
              "proxy-authorization",
              "te",
              "trailer",
              "upgrade",
              "transfer-encoding",
              "content-length",
              "x-listed-hop");
      assertThat(received.getOrDefault("connection", "")).doesNotContain("X-Listed-Hop");
    }
  }

  @Test
  void sendWhenTargetAnswersWithHopByHopHeadersThenTheyAreDropped() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request ->
                request
                    .response()
                    .setChunked(true)
                    .putHeader("Connection", "keep-alive, X-Listed-Hop")
                    .putHeader("Keep-Alive", "timeout=5")
                    .putHeader("X-Listed-Hop", "1")
                    .putHeader("Proxy-Authenticate", "Basic realm=\"proxy\"")
                    .putHeader("Trailer", "X-Checksum")
                    .putHeader("Upgrade", "h2c")
                    .putHeader("X-Kept", "yes")
                    .end("body"))) {
      CalloutResponse response = sent(transport.send(get(target.uri("/"))));

      List<String> names =
          response.headers().fields().stream()
              .map(h -> Headers.normalize(h.name()))
              .collect(Collectors.toList());
      assertThat(names).contains("x-kept");
      assertThat(names)
          .doesNotContain(
              "connection",
              "keep-alive",
              "x-listed-hop",
              "proxy-authenticate",
              "trailer",
              "upgrade",
              "transfer-encoding");
      assertThat(response.body().length()).isEmpty();
      assertThat(readAll(response.body())).isEqualTo("body");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "RFC 6750 challenge|Bearer error=\"invalid_token\", error_description=\"expired\"|{\"error\":\"invalid_token\"}",
        "Salesforce|OAuth|[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]",
        "WSO2|OAuth|{\"message\":\"unauthorized request, please refresh your access token\",\"statusCode\":401,\"error\":\"Unauthorized\"}"
      })
  void sendWhenTargetAnswers401ThenBodyIsBufferedForTheClassifier(
      String dialect, String challenge, String body) throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request ->
                request
                    .response()
                    .setStatusCode(401)
                    .putHeader("WWW-Authenticate", challenge)
                    .putHeader("Content-Type", "application/json")
                    .end(body))) {
      CalloutResponse response = sent(transport.send(get(target.uri("/me"))));

      assertThat(response.status()).isEqualTo(401);
      assertThat(response.body()).isInstanceOf(Body.Bytes.class);
      assertThat(((Body.Bytes) response.body()).text()).isEqualTo(body);
      assertThat(response.headers().first("WWW-Authenticate")).contains(challenge);
      assertThat(UnauthorizedResponseClassifier.classify(response).verdict())
          .as(dialect)
          .isEqualTo(UnauthorizedResponseClassifier.Verdict.EXPIRED_TOKEN);
    }
  }

  @Test
  void sendWhenTargetAnswers403ThenBodyIsBuffered() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> request.response().setStatusCode(403).end("{\"error\":\"denied\"}"))) {
      CalloutResponse response = sent(transport.send(get(target.uri("/"))));

      assertThat(response.status()).isEqualTo(403);
      assertThat(response.body()).isInstanceOf(Body.Bytes.class);
      assertThat(((Body.Bytes) response.body()).text()).isEqualTo("{\"error\":\"denied\"}");
    }
  }

  @Test
  void sendWhen401BodyIsLargerThanTheLimitThenKeepsTheFirst64KibAndDrainsTheRest()
      throws Exception {
    long size = 1024 * 1024 + 17;
    Vertx own = Vertx.vertx();
    CalloutTransport onePooledConnection =
        CalloutTransports.create(
            own, CalloutTransportOptions.defaults().withMaxPoolSize(1), TargetServer.LOOPBACK);
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              if (request.path().equals("/large")) {
                request.response().setStatusCode(401).setChunked(true);
                new GeneratedBody(vertx.getOrCreateContext(), size).pipeTo(request.response());
              } else {
                request.response().end("next");
              }
            })) {
      CalloutResponse response = sent(onePooledConnection.send(get(target.uri("/large"))));

      byte[] bytes = ((Body.Bytes) response.body()).bytes();
      assertThat(bytes).hasSize(WebClientCalloutTransport.MAX_BUFFERED_BODY_BYTES);
      for (int i = 0; i < bytes.length; i++) {
        assertThat(bytes[i]).isEqualTo(GeneratedBody.byteAt(i));
      }
      // the only pooled connection is free again once the rest was drained
      CalloutResponse next = sent(onePooledConnection.send(get(target.uri("/next"))));
      assertThat(readAll(next.body())).isEqualTo("next");
    } finally {
      own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sendWhenBodyIsBytesThenTargetReceivesThemWithTheirLength() throws Exception {
    try (TargetServer target = TargetServer.start(vertx, WebClientCalloutTransportTest::echoBody)) {
      OutboundRequest request =
          new OutboundRequest(
              "POST",
              target.uri("/echo"),
              Headers.of("Content-Type", "application/json"),
              Body.of("{\"amount\":42}"));

      CalloutResponse response = sent(transport.send(request));

      assertThat(readAll(response.body()))
          .isEqualTo("length=13 chunked=false body={\"amount\":42}");
    }
  }

  @Test
  void sendWhenBodyIsStreamedWithKnownLengthThenTargetReceivesItWithContentLength()
      throws Exception {
    long size = 3 * GeneratedBody.CHUNK + 5;
    try (TargetServer target =
        TargetServer.start(vertx, WebClientCalloutTransportTest::checksumBody)) {
      GeneratedBody body = new GeneratedBody(vertx.getOrCreateContext(), size);
      OutboundRequest request =
          new OutboundRequest(
              "POST",
              target.uri("/upload"),
              Headers.EMPTY,
              VertxStreamedContent.of(body, size).asBody());

      CalloutResponse response = sent(transport.send(request));

      assertThat(readAll(response.body()))
          .isEqualTo("length=" + size + " chunked=false count=" + size + " crc=" + body.checksum());
    }
  }

  @Test
  void sendWhenBodyIsStreamedWithUnknownLengthThenTargetReceivesItChunked() throws Exception {
    long size = 5 * GeneratedBody.CHUNK + 1;
    try (TargetServer target =
        TargetServer.start(vertx, WebClientCalloutTransportTest::checksumBody)) {
      GeneratedBody body = new GeneratedBody(vertx.getOrCreateContext(), size);
      OutboundRequest request =
          new OutboundRequest(
              "PUT", target.uri("/upload"), Headers.EMPTY, VertxStreamedContent.of(body).asBody());

      CalloutResponse response = sent(transport.send(request));

      assertThat(readAll(response.body()))
          .isEqualTo("length=none chunked=true count=" + size + " crc=" + body.checksum());
    }
  }

  @Test
  void sendWhenStreamedBodyIsNotAVertxStreamThenRefusesIt() {
    Body foreign = new Body.Streamed(OptionalLong::empty);
    OutboundRequest request =
        new OutboundRequest("POST", URI.create("http://127.0.0.1:9/"), Headers.EMPTY, foreign);

    assertThatThrownBy(() -> transport.send(request))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VertxStreamedContent");
  }

  @Test
  void sendWhenNothingListensThenConnectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Unreachable unreachable =
        unreachable(transport.send(get(URI.create("http://127.0.0.1:" + port + "/"))));

    assertThat(unreachable).isEqualTo(new Unreachable("connection refused", false));
  }

  @Test
  void sendWhenHostIsUnknownThenUnknownHost() throws Exception {
    Unreachable unreachable =
        unreachable(transport.send(get(URI.create("http://callgate-test.invalid/"))));

    assertThat(unreachable).isEqualTo(new Unreachable("unknown host", false));
  }

  @Test
  void sendWhenTargetSpeaksPlainHttpToHttpsThenTlsHandshakeFailed() throws Exception {
    try (TargetServer target = TargetServer.start(vertx, request -> request.response().end())) {
      URI https = URI.create("https://127.0.0.1:" + target.port() + "/");

      Unreachable unreachable = unreachable(transport.send(get(https)));

      assertThat(unreachable).isEqualTo(new Unreachable("TLS handshake failed", false));
    }
  }

  @Test
  void sendWhenTargetDoesNotAnswerInTimeThenTimedOut() throws Exception {
    CalloutTransport impatient =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults().withResponseTimeout(Duration.ofMillis(300)),
            TargetServer.LOOPBACK);
    try (TargetServer target = TargetServer.start(vertx, request -> {})) {
      long start = System.nanoTime();

      Unreachable unreachable =
          unreachable(
              impatient.send(
                  new OutboundRequest(
                      "GET",
                      target.uri("/slow"),
                      Headers.of("Authorization", "Bearer " + SECRET),
                      Body.EMPTY)));

      assertThat(unreachable).isEqualTo(new Unreachable("timed out after 300 ms", true));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void sendWhenConnectionCannotBeEstablishedInTimeThenTimedOut() throws Exception {
    // a listening socket whose accept queue is full drops further SYNs: connecting hangs
    try (ServerSocket full = new ServerSocket()) {
      full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
      List<Socket> fillers = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket filler = new Socket();
          try {
            filler.connect(full.getLocalSocketAddress(), 100);
            fillers.add(filler);
          } catch (java.io.IOException queueFull) {
            filler.close();
          }
        }
        CalloutTransport impatient =
            CalloutTransports.create(
                vertx,
                CalloutTransportOptions.defaults().withConnectTimeout(Duration.ofMillis(400)),
                TargetServer.LOOPBACK);

        Unreachable unreachable =
            unreachable(
                impatient.send(get(URI.create("http://127.0.0.1:" + full.getLocalPort() + "/"))));

        assertThat(unreachable).isEqualTo(new Unreachable("could not connect within 400 ms", true));
      } finally {
        for (Socket filler : fillers) {
          filler.close();
        }
      }
    }
  }

  @Test
  void sendWhenTargetClosesTheConnectionThenConnectionClosed() throws Exception {
    try (TargetServer target = TargetServer.start(vertx, request -> request.connection().close())) {
      Unreachable unreachable = unreachable(transport.send(get(target.uri("/"))));

      assertThat(unreachable)
          .isEqualTo(new Unreachable("connection closed by the target before it answered", false));
      assertThat(unreachable.reason()).doesNotContain(SECRET);
    }
  }

  @Test
  void sendWhenMethodIsHeadThenBodyIsEmptyAndContentLengthIsKept() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx, request -> request.response().putHeader("Content-Length", "1234").end())) {
      CalloutResponse response =
          sent(
              transport.send(
                  new OutboundRequest("HEAD", target.uri("/"), Headers.EMPTY, Body.EMPTY)));

      assertThat(response.body()).isEqualTo(Body.EMPTY);
      assertThat(response.headers().first("Content-Length")).contains("1234");
    }
  }

  private static OutboundRequest get(URI uri) {
    return new OutboundRequest("GET", uri, Headers.EMPTY, Body.EMPTY);
  }

  private static TransportOutcome outcome(
      java.util.concurrent.CompletionStage<TransportOutcome> stage) throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private static CalloutResponse sent(java.util.concurrent.CompletionStage<TransportOutcome> stage)
      throws Exception {
    TransportOutcome outcome = outcome(stage);
    assertThat(outcome).isInstanceOf(Sent.class);
    return ((Sent) outcome).response();
  }

  private static Unreachable unreachable(
      java.util.concurrent.CompletionStage<TransportOutcome> stage) throws Exception {
    TransportOutcome outcome = outcome(stage);
    assertThat(outcome).isInstanceOf(Unreachable.class);
    return (Unreachable) outcome;
  }

  private static String readAll(Body body) throws Exception {
    if (body instanceof Body.Bytes bytes) {
      return bytes.text();
    }
    VertxStreamedContent content = (VertxStreamedContent) ((Body.Streamed) body).content();
    ReceivedBody received = ReceivedBody.keepingAll();
    content.pipeTo(received).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    return received.text();
  }

  private static void echoHeaders(HttpServerRequest request) {
    String lines =
        request.headers().entries().stream()
            .map(e -> Headers.normalize(e.getKey()) + "=" + e.getValue())
            .collect(Collectors.joining("\n"));
    request.response().end(lines);
  }

  private static Map<String, String> parseEcho(String lines) {
    return lines
        .lines()
        .map(line -> line.split("=", 2))
        .collect(Collectors.toMap(p -> p[0], p -> p[1], (a, b) -> a + "," + b));
  }

  private static void echoBody(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body ->
                request
                    .response()
                    .end(
                        "length="
                            + request.getHeader("Content-Length")
                            + " chunked="
                            + request.headers().contains("Transfer-Encoding")
                            + " body="
                            + body.toString(StandardCharsets.UTF_8)));
  }

  /**
   * Answers with what arrived: declared length, framing, byte count and CRC-32, never holding it.
   */
  static void checksumBody(HttpServerRequest request) {
    CRC32 crc = new CRC32();
    long[] count = {0};
    String length = request.getHeader("Content-Length");
    boolean chunked = request.headers().contains("Transfer-Encoding");
    request.handler(
        (Buffer chunk) -> {
          crc.update(chunk.getBytes());
          count[0] += chunk.length();
        });
    request.endHandler(
        ended ->
            request
                .response()
                .end(
                    "length="
                        + (length == null ? "none" : length)
                        + " chunked="
                        + chunked
                        + " count="
                        + count[0]
                        + " crc="
                        + crc.getValue()));
  }
}
