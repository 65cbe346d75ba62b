package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CalloutTransport.Sent;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 50 MB bodies both ways through a JVM whose heap cannot hold one (the {@code large-body} surefire
 * execution runs this class with {@code -Xmx48m}): they pass only if they are streamed.
 */
@Tag("large-body")
class WebClientCalloutTransportLargeBodyTest {

  private static final long FIFTY_MB = 50L * 1024 * 1024;
  private static Vertx vertx;
  private static CalloutTransport transport;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    transport =
        CalloutTransports.create(vertx, CalloutTransportOptions.defaults(), TargetServer.LOOPBACK);
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void heapWhenThisClassRunsThenCannotHoldAFiftyMegabyteBody() {
    assertThat(Runtime.getRuntime().maxMemory()).isLessThan(FIFTY_MB);
  }

  @Test
  void sendWhenRequestBodyIsFiftyMegabytesThenItIsStreamedToTheTarget() throws Exception {
    try (TargetServer target =
        TargetServer.start(vertx, WebClientCalloutTransportTest::checksumBody)) {
      GeneratedBody body = new GeneratedBody(vertx.getOrCreateContext(), FIFTY_MB);
      OutboundRequest request =
          new OutboundRequest(
              "POST", target.uri("/upload"), Headers.EMPTY, VertxStreamedContent.of(body).asBody());

      CalloutResponse response =
          ((Sent) transport.send(request).toCompletableFuture().get(30, TimeUnit.SECONDS))
              .response();

      // the target's short report comes read whole
      assertThat(((Body.Bytes) response.body()).text())
          .isEqualTo("length=none chunked=true count=" + FIFTY_MB + " crc=" + body.checksum());
      assertThat(body.emitted()).isEqualTo(FIFTY_MB);
    }
  }

  @Test
  void sendWhenResponseBodyIsFiftyMegabytesThenItIsStreamedToASlowReader() throws Exception {
    AtomicReference<GeneratedBody> generated = new AtomicReference<>();
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              GeneratedBody body = new GeneratedBody(vertx.getOrCreateContext(), FIFTY_MB);
              generated.set(body);
              request.response().putHeader("Content-Length", Long.toString(FIFTY_MB));
              body.pipeTo(request.response());
            })) {
      OutboundRequest request =
          new OutboundRequest("GET", target.uri("/download"), Headers.EMPTY, Body.EMPTY);

      CalloutResponse response =
          ((Sent) transport.send(request).toCompletableFuture().get(30, TimeUnit.SECONDS))
              .response();

      assertThat(response.body().length()).hasValue(FIFTY_MB);
      ReceivedBody received = ReceivedBody.throttled(vertx);
      content(response)
          .pipeTo(received)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertThat(received.count()).isEqualTo(FIFTY_MB);
      assertThat(received.checksum()).isEqualTo(generated.get().checksum());
    }
  }

  private static VertxStreamedContent content(CalloutResponse response) {
    return (VertxStreamedContent) ((Body.Streamed) response.body()).content();
  }
}
