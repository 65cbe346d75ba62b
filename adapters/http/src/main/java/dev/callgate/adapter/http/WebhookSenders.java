package dev.callgate.adapter.http;

import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.WebhookSender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/** Builds the {@link WebhookSender}. */
public final class WebhookSenders {
  private WebhookSenders() {}

  /**
   * A sender that connects only where {@code outbound} allows, within {@code connectTimeout}, and
   * waits up to {@code responseTimeout} more for the answer; {@code payload} writes an event as the
   * JSON body of its webhook.
   */
  public static WebhookSender create(
      Vertx vertx,
      OutboundAddressPolicy outbound,
      Duration connectTimeout,
      Duration responseTimeout,
      Function<RecordedEvent, String> payload) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(payload, "payload");
    CalloutTransportOptions timeouts =
        CalloutTransportOptions.defaults()
            .withConnectTimeout(connectTimeout)
            .withResponseTimeout(responseTimeout);
    return new VertxWebhookSender(
        vertx,
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()))
                .setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(16)),
        OutboundGuard.create(vertx, outbound),
        timeouts,
        payload);
  }
}
