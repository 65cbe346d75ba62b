package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CalloutTransport.ConnectionLimitReached;
import dev.callgate.core.port.CalloutTransport.Sent;
import dev.callgate.core.port.CalloutTransport.TransportOutcome;
import dev.callgate.core.port.CalloutTransport.Unreachable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What goes over the wire to the target, byte for byte, when a caller's upload breaks off, when the
 * target answers before the upload is complete, and when the reader of a streamed answer gives up:
 * a truncated request is never framed as complete, and a connection whose request was not sent
 * whole is closed, never reused by the next callout.
 */
class WebClientCalloutTransportWireTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String FIRST_BYTES = "0123456789";

  private Vertx vertx;
  private CapturedLog log;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    log = new CapturedLog();
  }

  @AfterEach
  void closeVertx() throws Exception {
    Thread.sleep(200);
    log.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // a broken exchange is an outcome, never an exception in the log
    assertThat(log.events())
        // a busy machine's blocked-thread warnings are not the code's doing
        .filteredOn(e -> !e.getFormattedMessage().contains("has been blocked for"))
        .filteredOn(
            e ->
                e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)
                    || e.getThrowableProxy() != null)
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .isEmpty();
  }

  private CalloutTransport transport(int maxPoolSize, int maxWaitQueueSize) {
    return CalloutTransports.create(
        vertx,
        CalloutTransportOptions.defaults()
            .withConnectTimeout(Duration.ofSeconds(2))
            .withResponseTimeout(Duration.ofSeconds(10))
            .withMaxPoolSize(maxPoolSize)
            .withMaxWaitQueueSize(maxWaitQueueSize),
        TargetServer.LOOPBACK);
  }

  @Test
  void sendWhenChunkedBodyBreaksOffThenTargetNeverSeesTheLastChunkAndTheConnectionIsClosed()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.silent()) {
      CutOffBody body = new CutOffBody(vertx.getOrCreateContext(), FIRST_BYTES);
      CompletionStage<TransportOutcome> outcome =
          transport(4, 4).send(post(target, VertxStreamedContent.of(body).asBody(), "crm"));
      target.awaitConnections(1, WAIT);
      RecordingTarget.Connection connection = target.connections().get(0);
      awaitText(connection, FIRST_BYTES);

      body.breakOff();

      assertThat(connection.awaitClosed(WAIT)).as("connection closed").isTrue();
      assertThat(connection.text())
          .containsIgnoringCase("Transfer-Encoding: chunked")
          .doesNotContain("0\r\n\r\n");
      assertThat(outcome(outcome)).isInstanceOf(Unreachable.class);
      assertThat(((Unreachable) outcome(outcome)).reason()).contains("request body broke off");
    }
  }

  @Test
  void sendWhenBodyOfDeclaredLengthBreaksOffThenTargetGetsFewerBytesAndTheConnectionIsClosed()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.silent()) {
      CutOffBody body = new CutOffBody(vertx.getOrCreateContext(), FIRST_BYTES);
      CompletionStage<TransportOutcome> outcome =
          transport(4, 4).send(post(target, VertxStreamedContent.of(body, 300).asBody(), "crm"));
      target.awaitConnections(1, WAIT);
      RecordingTarget.Connection connection = target.connections().get(0);
      awaitText(connection, FIRST_BYTES);

      body.breakOff();

      assertThat(connection.awaitClosed(WAIT)).as("connection closed").isTrue();
      String text = connection.text();
      assertThat(text).containsIgnoringCase("Content-Length: 300");
      assertThat(text.substring(text.indexOf("\r\n\r\n") + 4)).isEqualTo(FIRST_BYTES);
      assertThat(outcome(outcome)).isInstanceOf(Unreachable.class);
    }
  }

  @Test
  void sendWhenTargetAnswersEarlyAndTheBodyThenBreaksOffThenTheNextRequestGetsANewConnection()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.answeringEarly()) {
      // one connection per pool: a connection handed back would carry the next request
      CalloutTransport transport = transport(1, 4);
      CutOffBody body = new CutOffBody(vertx.getOrCreateContext(), FIRST_BYTES);
      CalloutResponse first =
          sent(transport.send(post(target, VertxStreamedContent.of(body, 300).asBody(), "crm")));
      assertThat(first.status()).isEqualTo(200);
      assertThat(readAll(first.body())).isEqualTo("ok");
      body.breakOff();

      CalloutResponse second = sent(transport.send(secondRequest(target, "crm")));

      assertThat(second.status()).isEqualTo(200);
      assertThat(target.connections()).hasSize(2);
      RecordingTarget.Connection firstConnection = target.connections().get(0);
      assertThat(firstConnection.awaitClosed(WAIT)).as("first connection closed").isTrue();
      assertThat(firstConnection.text()).doesNotContain("X-Second");
      assertThat(target.connections().get(1).text()).contains("X-Second: marker");
    }
  }

  @Test
  void sendWhenTargetAnswersBeforeTheBodyIsCompleteThenThatConnectionIsClosedNotPooled()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.answeringEarly()) {
      CalloutTransport transport = transport(1, 4);
      CutOffBody stalled = new CutOffBody(vertx.getOrCreateContext(), FIRST_BYTES);
      CalloutResponse first =
          sent(transport.send(post(target, VertxStreamedContent.of(stalled, 300).asBody(), "crm")));
      assertThat(readAll(first.body())).isEqualTo("ok");

      // the upload has neither ended nor failed: its connection still cannot carry another request
      CalloutResponse second = sent(transport.send(secondRequest(target, "crm")));

      assertThat(second.status()).isEqualTo(200);
      assertThat(target.connections()).hasSize(2);
      assertThat(target.connections().get(0).awaitClosed(WAIT)).isTrue();
      assertThat(target.connections().get(0).text()).doesNotContain("X-Second");
    }
  }

  @Test
  void sendWhenReaderAbandonsAStreamedAnswerThenTheConnectionIsClosedAndNothingIsLogged()
      throws Exception {
    long size = 8L * 1024 * 1024;
    try (RecordingTarget target = RecordingTarget.streaming(size)) {
      CalloutTransport transport = transport(1, 4);
      CalloutResponse first =
          sent(
              transport.send(
                  new OutboundRequest(
                      "GET",
                      target.uri("/large"),
                      Headers.EMPTY,
                      Body.EMPTY,
                      "crm",
                      TlsSettings.NONE)));
      VertxStreamedContent content =
          (VertxStreamedContent) ((Body.Streamed) first.body()).content();
      CompletableFuture<Long> fewKilobytes = new CompletableFuture<>();
      AtomicLong read = new AtomicLong();
      ReadStream<Buffer> stream = content.readStream();
      stream.handler(
          chunk -> {
            if (read.addAndGet(chunk.length()) >= 4096) {
              stream.pause();
              fewKilobytes.complete(read.get());
            }
          });
      stream.resume();
      fewKilobytes.get(5, TimeUnit.SECONDS);

      content.abandon();

      RecordingTarget.Connection connection = target.connections().get(0);
      assertThat(connection.awaitClosed(WAIT)).as("target-side connection closed").isTrue();
      assertThat(connection.bytesAnswered()).isLessThan(size);
      CalloutResponse next = sent(transport.send(secondRequest(target, "crm")));
      assertThat(next.status()).isEqualTo(200);
      assertThat(target.connections()).hasSize(2);
      content(next).readStream().handler(chunk -> {});
      content(next).abandon();
    }
  }

  @Test
  void sendWhenAStreamedUploadWasSentWholeAndItsAnswerIsAbandonedThenTheConnectionIsClosed()
      throws Exception {
    try (RecordingTarget target = RecordingTarget.streaming(1024 * 1024)) {
      CalloutTransport transport = transport(1, 4);
      GeneratedBody upload = new GeneratedBody(vertx.getOrCreateContext(), 1000);
      CalloutResponse answer =
          sent(transport.send(post(target, VertxStreamedContent.of(upload, 1000).asBody(), "crm")));
      RecordingTarget.Connection connection = target.connections().get(0);
      awaitTrue(() -> connection.text().length() > 1000);
      Thread.sleep(100);

      // an echo guard refusing the answer abandons it after the upload has ended
      org.assertj.core.api.Assertions.assertThatCode(() -> content(answer).abandon())
          .doesNotThrowAnyException();

      assertThat(connection.awaitClosed(WAIT)).as("target-side connection closed").isTrue();
    }
  }

  @Test
  void sendWhenOneCredentialFillsItsPoolThenAnotherCredentialStillConnects() throws Exception {
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              if (!request.path().startsWith("/hold")) {
                request.response().end("free");
              }
            })) {
      CalloutTransport transport = transport(1, 0);
      CompletionStage<TransportOutcome> holding =
          transport.send(
              new OutboundRequest(
                  "GET", target.uri("/hold"), Headers.EMPTY, Body.EMPTY, "busy", TlsSettings.NONE));
      awaitTrue(() -> target.port() > 0);
      Thread.sleep(300);

      TransportOutcome overflow =
          outcome(
              transport.send(
                  new OutboundRequest(
                      "GET",
                      target.uri("/other"),
                      Headers.EMPTY,
                      Body.EMPTY,
                      "busy",
                      TlsSettings.NONE)));
      CalloutResponse other =
          sent(
              transport.send(
                  new OutboundRequest(
                      "GET",
                      target.uri("/other"),
                      Headers.EMPTY,
                      Body.EMPTY,
                      "quiet",
                      TlsSettings.NONE)));

      assertThat(overflow).isEqualTo(new ConnectionLimitReached(1, 0));
      assertThat(other.status()).isEqualTo(200);
      assertThat(readAll(other.body())).isEqualTo("free");
      assertThat(holding.toCompletableFuture()).isNotDone();
    }
  }

  private static OutboundRequest post(RecordingTarget target, Body body, String credential) {
    return new OutboundRequest(
        "POST",
        target.uri("/upload"),
        Headers.of("Authorization", "Bearer first"),
        body,
        credential,
        TlsSettings.NONE);
  }

  private static OutboundRequest secondRequest(RecordingTarget target, String credential) {
    return new OutboundRequest(
        "GET",
        target.uri("/second"),
        Headers.of("X-Second", "marker", "Authorization", "Bearer second"),
        Body.EMPTY,
        credential,
        TlsSettings.NONE);
  }

  private static void awaitText(RecordingTarget.Connection connection, String text)
      throws InterruptedException {
    awaitTrue(() -> connection.text().contains(text));
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT);
      }
      Thread.sleep(10);
    }
  }

  private static TransportOutcome outcome(CompletionStage<TransportOutcome> stage)
      throws Exception {
    return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  private static CalloutResponse sent(CompletionStage<TransportOutcome> stage) throws Exception {
    TransportOutcome outcome = outcome(stage);
    assertThat(outcome).isInstanceOf(Sent.class);
    return ((Sent) outcome).response();
  }

  private static VertxStreamedContent content(CalloutResponse response) {
    return (VertxStreamedContent) ((Body.Streamed) response.body()).content();
  }

  private static String readAll(Body body) throws Exception {
    if (body instanceof Body.Bytes bytes) {
      // a small answer comes read whole
      return bytes.text();
    }
    ReceivedBody received = ReceivedBody.keepingAll();
    ((VertxStreamedContent) ((Body.Streamed) body).content())
        .pipeTo(received)
        .toCompletionStage()
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
    return received.text();
  }
}
