package dev.callgate.core.service;

import dev.callgate.core.event.EventType;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A webhook as admins see it: where it sends, which types (none: every type), since when, and how
 * its deliveries go — how many are pending and its {@link WebhookHealth}. Never its secret.
 */
public record WebhookSummary(
    String id,
    URI url,
    Set<EventType> types,
    Instant createdAt,
    long pending,
    WebhookHealth health) {

  public WebhookSummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    types = Set.copyOf(types);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(health, "health");
  }

  static WebhookSummary of(WebhookSubscription subscription, long pending) {
    return new WebhookSummary(
        subscription.id(),
        subscription.url(),
        subscription.types(),
        subscription.createdAt(),
        pending,
        subscription.health());
  }
}
