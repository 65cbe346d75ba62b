package dev.callgate.adapter.http;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.WebhookSender;
import dev.callgate.core.webhook.SendOutcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@link WebhookSender} on the Vert.x HTTP client, signed by the Standard Webhooks reference
 * library. It connects only where the {@link OutboundGuard} allows (to the address it checked),
 * follows no redirect, gives the whole exchange one deadline, and reads at most {@link
 * #MAX_ANSWER_BYTES} of the answer: only its status matters, and a receiver that streams on is cut
 * off rather than read.
 */
final class VertxWebhookSender implements WebhookSender {
  static final int MAX_ANSWER_BYTES = 4096;

  private final Vertx vertx;
  private final HttpClient client;
  private final OutboundGuard guard;
  private final CalloutTransportOptions timeouts;
  private final Function<RecordedEvent, String> payload;

  VertxWebhookSender(
      Vertx vertx,
      HttpClient client,
      OutboundGuard guard,
      CalloutTransportOptions timeouts,
      Function<RecordedEvent, String> payload) {
    this.vertx = vertx;
    this.client = client;
    this.guard = guard;
    this.timeouts = timeouts;
    this.payload = payload;
  }

  @Override
  public CompletionStage<SendOutcome> send(
      URI url, Secret secret, RecordedEvent event, Instant attemptAt) {
    String body = payload.apply(event);
    String id = Long.toString(event.id());
    long timestamp = attemptAt.getEpochSecond();
    String signature;
    try {
      signature = new Webhook(secret.reveal()).sign(id, timestamp, body);
    } catch (WebhookSigningException | IllegalArgumentException e) {
      // the message would not carry the secret, but nothing of it is needed either
      return Future.<SendOutcome>succeededFuture(
              new SendOutcome.NotAnswered("the delivery could not be signed"))
          .toCompletionStage();
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url.toASCIIString())
            .setFollowRedirects(false)
            .setConnectTimeout(timeouts.connectTimeout().toMillis())
            .setIdleTimeout(timeouts.responseTimeout().toMillis())
            .putHeader("content-type", "application/json")
            .putHeader("user-agent", "Callgate-Webhooks")
            .putHeader("webhook-id", id)
            .putHeader("webhook-timestamp", Long.toString(timestamp))
            .putHeader("webhook-signature", signature);
    Promise<SendOutcome> outcome = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long deadline = timeouts.connectTimeout().plus(timeouts.responseTimeout()).toMillis();
    long timer =
        vertx.setTimer(
            deadline,
            fired -> {
              if (outcome.tryComplete(
                  new SendOutcome.NotAnswered("no answer within " + deadline / 1000 + " s"))) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                  request.reset();
                }
              }
            });
    guard
        .destination(url)
        // the checked address, never a second lookup; the URL still names the host for Host and SNI
        .compose(destination -> client.request(options.setServer(destination.server())))
        .compose(
            request -> {
              sent.set(request);
              return request.send(body);
            })
        .onComplete(
            answered -> {
              if (answered.failed()) {
                outcome.tryComplete(notAnswered(answered.cause(), sent.get() != null));
              } else {
                readStatus(answered.result(), outcome);
              }
            });
    return outcome.future().onComplete(done -> vertx.cancelTimer(timer)).toCompletionStage();
  }

  private static void readStatus(HttpClientResponse response, Promise<SendOutcome> outcome) {
    SendOutcome answered = new SendOutcome.Answered(response.statusCode());
    AtomicLong read = new AtomicLong();
    response.handler(
        chunk -> {
          if (read.addAndGet(chunk.length()) > MAX_ANSWER_BYTES && outcome.tryComplete(answered)) {
            response.request().reset();
          }
        });
    response.exceptionHandler(failure -> outcome.tryComplete(answered));
    response.endHandler(end -> outcome.tryComplete(answered));
  }

  private SendOutcome notAnswered(Throwable failure, boolean connected) {
    if (failure instanceof OutboundAddressRefusedException refused) {
      return new SendOutcome.NotAnswered(refused.diagnosis().message());
    }
    return new SendOutcome.NotAnswered(
        connected
            ? UnreachableReasons.whileExchanging(failure, timeouts).reason()
            : UnreachableReasons.whileConnecting(failure, timeouts).reason());
  }
}
