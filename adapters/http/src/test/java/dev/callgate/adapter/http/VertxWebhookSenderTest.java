package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.standardwebhooks.Webhook;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.WebhookSender;
import dev.callgate.core.webhook.SendOutcome;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VertxWebhookSenderTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Instant AT = Instant.parse("2030-01-01T00:00:07Z");
  private static final Function<RecordedEvent, String> PAYLOAD =
      e -> "{\"type\":\"" + e.event().type().wireName() + "\",\"id\":" + e.id() + "}";

  private Vertx vertx;
  private HttpServer server;
  private final List<Map.Entry<Map<String, List<String>>, String>> received =
      new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private URI receiver(Handler<HttpServerRequest> answer) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              Map<String, List<String>> headers = new java.util.HashMap<>();
                              request
                                  .headers()
                                  .names()
                                  .forEach(n -> headers.put(n, request.headers().getAll(n)));
                              received.add(Map.entry(headers, body.toString()));
                              answer.handle(request);
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/hooks?team=7");
  }

  private WebhookSender sender(OutboundAddressPolicy policy, Duration timeout) {
    return WebhookSenders.create(vertx, policy, timeout, timeout, PAYLOAD);
  }

  private static RecordedEvent event() {
    return new RecordedEvent(
        42,
        new Event(
            EventType.GRANT_LOST,
            AT,
            Optional.of("crm"),
            Optional.empty(),
            "a",
            Optional.empty(),
            Optional.empty(),
            Map.of()));
  }

  private SendOutcome send(WebhookSender sender, URI url) {
    return send(sender, url, AT);
  }

  private SendOutcome send(WebhookSender sender, URI url, Instant attemptAt) {
    return sender.send(url, Secret.of(SECRET), event(), attemptAt).toCompletableFuture().join();
  }

  @Test
  void sendThenPostsTheBodySignedAsStandardWebhooksSpecify() throws Exception {
    URI url = receiver(request -> request.response().setStatusCode(204).end());
    Instant now = Instant.now();
    SendOutcome outcome = send(sender(TargetServer.LOOPBACK, Duration.ofSeconds(5)), url, now);

    assertThat(outcome).isEqualTo(new SendOutcome.Answered(204));
    assertThat(received).hasSize(1);
    Map<String, List<String>> headers = received.get(0).getKey();
    String body = received.get(0).getValue();
    assertThat(body).isEqualTo("{\"type\":\"grant.lost\",\"id\":42}");
    assertThat(headers.get("webhook-id")).containsExactly("42");
    assertThat(headers.get("webhook-timestamp"))
        .containsExactly(Long.toString(now.getEpochSecond()));
    assertThat(headers.get("webhook-signature").get(0)).startsWith("v1,");
    assertThat(headers.get("content-type")).containsExactly("application/json");
    // the reference library's own check; the app's tests verify with an independent one
    new Webhook(SECRET)
        .verify(
            body,
            Map.of(
                "webhook-id", List.of("42"),
                "webhook-timestamp", headers.get("webhook-timestamp"),
                "webhook-signature", headers.get("webhook-signature")));
  }

  @Test
  void sendWhenTheReceiverRedirectsThenTheRedirectIsNotFollowed() throws Exception {
    URI url =
        receiver(
            request ->
                request.response().setStatusCode(303).putHeader("location", "/elsewhere").end());
    assertThat(send(sender(TargetServer.LOOPBACK, Duration.ofSeconds(5)), url))
        .isEqualTo(new SendOutcome.Answered(303));
    assertThat(received).hasSize(1);
  }

  @Test
  void sendWhenTheAddressIsNotAllowedThenNothingIsSent() throws Exception {
    URI url = receiver(request -> request.response().setStatusCode(204).end());
    SendOutcome outcome =
        send(sender(OutboundAddressPolicy.publicOnly(), Duration.ofSeconds(5)), url);
    assertThat(outcome.delivered()).isFalse();
    assertThat(outcome.describe()).contains("loopback");
    assertThat(received).isEmpty();
  }

  @Test
  void sendWhenTheReceiverIsClosedThenNotAnswered() throws Exception {
    URI url = receiver(request -> request.response().setStatusCode(204).end());
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    SendOutcome outcome = send(sender(TargetServer.LOOPBACK, Duration.ofSeconds(5)), url);
    assertThat(outcome).isEqualTo(new SendOutcome.NotAnswered("connection refused"));
  }

  @Test
  void sendWhenTheAnswerStreamsOnThenItIsCutOffAfterAFewKilobytes() throws Exception {
    URI url =
        receiver(
            request -> {
              request.response().setChunked(true).setStatusCode(200);
              vertx.setPeriodic(
                  5,
                  id -> {
                    if (request.response().closed()) {
                      vertx.cancelTimer(id);
                    } else {
                      request.response().write(Buffer.buffer(new byte[8192]));
                    }
                  });
            });
    long started = System.nanoTime();
    SendOutcome outcome = send(sender(TargetServer.LOOPBACK, Duration.ofSeconds(20)), url);
    assertThat(outcome).isEqualTo(new SendOutcome.Answered(200));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void sendWhenTheReceiverNeverAnswersThenNotAnsweredAtTheDeadline() throws Exception {
    URI url = receiver(request -> {});
    SendOutcome outcome = send(sender(TargetServer.LOOPBACK, Duration.ofMillis(500)), url);
    assertThat(outcome.delivered()).isFalse();
    assertThat(outcome.describe()).isNotEmpty();
  }
}
