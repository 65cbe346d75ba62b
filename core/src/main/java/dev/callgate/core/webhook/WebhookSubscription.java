package dev.callgate.core.webhook;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.EventType;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A receiver that asked to be told of events: where to POST them, which {@link EventType}s (none
 * named: every type), the {@code whsec_…} secret deliveries are signed with, and the state of its
 * deliveries: {@code cursor}, the id of the last event of the log already queued for it, and its
 * {@link WebhookHealth}.
 */
public record WebhookSubscription(
    String id,
    URI url,
    Set<EventType> types,
    Secret secret,
    Instant createdAt,
    long cursor,
    WebhookHealth health) {

  public WebhookSubscription {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    types = Set.copyOf(types);
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(health, "health");
    if (cursor < 0) {
      throw new IllegalArgumentException("a cursor cannot be negative");
    }
  }

  /** Whether events of {@code type} are sent to this receiver. */
  public boolean wants(EventType type) {
    return types.isEmpty() || types.contains(type);
  }
}
