package dev.callgate.app.http;

import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.service.WebhookSummary;
import dev.callgate.core.webhook.WebhookDelivery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Webhooks in JSON: the body a receiver gets, {@code {"type","timestamp","data"}} with the event in
 * {@code data} exactly as {@link EventJson} writes it for the events API, and the webhooks and
 * deliveries as the admin API shows them — never a webhook's secret.
 */
public final class WebhookJson {
  private WebhookJson() {}

  /**
   * The body of the webhook for {@code recorded}: {@code type} its wire name, {@code timestamp}
   * when it happened, {@code data} the event.
   */
  public static String payload(RecordedEvent recorded) {
    return new JsonObject()
        .put("type", recorded.event().type().wireName())
        .put("timestamp", recorded.event().time().toString())
        .put("data", EventJson.of(recorded))
        .encode();
  }

  /** {@code events} is null when the webhook takes every type. */
  static JsonObject webhook(WebhookSummary webhook) {
    return new JsonObject()
        .put("id", webhook.id())
        .put("url", webhook.url().toString())
        .put(
            "events",
            webhook.types().isEmpty()
                ? null
                : new JsonArray(
                    webhook.types().stream().map(EventType::wireName).sorted().toList()))
        .put("createdAt", webhook.createdAt().toString())
        .put("pending", webhook.pending())
        .put("failingSince", webhook.health().failingSince().map(Object::toString).orElse(null))
        .put("lastError", webhook.health().lastError().orElse(null));
  }

  static JsonObject delivery(WebhookDelivery delivery) {
    return new JsonObject()
        .put("eventId", Long.toString(delivery.eventId()))
        .put("type", delivery.type().wireName())
        .put("credential", delivery.credential().orElse(null))
        .put("status", delivery.status().wireName())
        .put("attempts", delivery.attempts())
        .put("lastAttemptAt", delivery.lastAttemptAt().map(Object::toString).orElse(null))
        .put("lastStatus", delivery.lastStatus().orElse(null))
        .put("lastError", delivery.lastError().orElse(null))
        .put("nextAttemptAt", delivery.nextAttemptAt().map(Object::toString).orElse(null));
  }
}
