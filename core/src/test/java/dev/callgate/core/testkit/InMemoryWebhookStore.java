package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.WebhookStore;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link WebhookStore} in memory; its writes append their events to the {@link InMemoryEventLog} it
 * is built with, whose newest event a new subscription's cursor starts at.
 */
public final class InMemoryWebhookStore implements WebhookStore {
  private final InMemoryEventLog eventLog;
  private final Map<String, WebhookSubscription> subscriptions = new LinkedHashMap<>();
  private final Map<String, TreeMap<Long, WebhookDelivery>> deliveries = new HashMap<>();
  private String leaseOwner;
  private Instant leaseUntil = Instant.MIN;

  public InMemoryWebhookStore(InMemoryEventLog eventLog) {
    this.eventLog = eventLog;
  }

  @Override
  public synchronized CompletionStage<Void> create(
      WebhookSubscription subscription, List<Event> events) {
    subscriptions.put(
        subscription.id(),
        new WebhookSubscription(
            subscription.id(),
            subscription.url(),
            subscription.types(),
            subscription.secret(),
            subscription.createdAt(),
            eventLog.lastId(),
            subscription.health()));
    deliveries.put(subscription.id(), new TreeMap<>());
    eventLog.record(events);
    return done(null);
  }

  @Override
  public synchronized CompletionStage<List<WebhookSubscription>> subscriptions() {
    return done(List.copyOf(subscriptions.values()));
  }

  @Override
  public synchronized CompletionStage<Optional<WebhookSubscription>> find(String id) {
    return done(Optional.ofNullable(subscriptions.get(id)));
  }

  @Override
  public synchronized CompletionStage<Boolean> delete(String id, List<Event> events) {
    boolean existed = subscriptions.remove(id) != null;
    deliveries.remove(id);
    if (existed) {
      eventLog.record(events);
    }
    return done(existed);
  }

  @Override
  public synchronized CompletionStage<Boolean> enqueue(
      String subscriptionId, long expectedCursor, long nextCursor, List<WebhookDelivery> queued) {
    WebhookSubscription subscription = subscriptions.get(subscriptionId);
    if (subscription == null || subscription.cursor() != expectedCursor) {
      return done(false);
    }
    subscriptions.put(
        subscriptionId,
        new WebhookSubscription(
            subscription.id(),
            subscription.url(),
            subscription.types(),
            subscription.secret(),
            subscription.createdAt(),
            nextCursor,
            subscription.health()));
    TreeMap<Long, WebhookDelivery> rows = deliveries.get(subscriptionId);
    queued.forEach(delivery -> rows.putIfAbsent(delivery.eventId(), delivery));
    return done(true);
  }

  @Override
  public synchronized CompletionStage<List<WebhookDelivery>> pendingHeads(
      String subscriptionId, int limit) {
    Map<Optional<String>, WebhookDelivery> heads = new LinkedHashMap<>();
    rows(subscriptionId).values().stream()
        .filter(WebhookDelivery::pending)
        .forEach(delivery -> heads.putIfAbsent(delivery.credential(), delivery));
    return done(heads.values().stream().limit(limit).toList());
  }

  @Override
  public synchronized CompletionStage<List<WebhookDelivery>> recent(
      String subscriptionId, int limit) {
    return done(rows(subscriptionId).descendingMap().values().stream().limit(limit).toList());
  }

  @Override
  public synchronized CompletionStage<Void> record(WebhookDelivery delivery) {
    TreeMap<Long, WebhookDelivery> rows = deliveries.get(delivery.subscriptionId());
    if (rows != null) {
      rows.put(delivery.eventId(), delivery);
    }
    return done(null);
  }

  @Override
  public synchronized CompletionStage<Void> recordHealth(
      String subscriptionId, WebhookHealth health) {
    WebhookSubscription subscription = subscriptions.get(subscriptionId);
    if (subscription != null) {
      subscriptions.put(
          subscriptionId,
          new WebhookSubscription(
              subscription.id(),
              subscription.url(),
              subscription.types(),
              subscription.secret(),
              subscription.createdAt(),
              subscription.cursor(),
              health));
    }
    return done(null);
  }

  @Override
  public synchronized CompletionStage<Void> forgetSettled(String subscriptionId, int keep) {
    TreeMap<Long, WebhookDelivery> rows = deliveries.get(subscriptionId);
    if (rows != null && rows.size() > keep) {
      Long oldestKept = rows.descendingKeySet().stream().skip(keep - 1).findFirst().orElseThrow();
      rows.headMap(oldestKept, false).values().removeIf(d -> !d.pending());
    }
    return done(null);
  }

  @Override
  public synchronized CompletionStage<Map<String, Long>> pendingCounts() {
    Map<String, Long> counts = new HashMap<>();
    deliveries.forEach(
        (id, rows) -> {
          long pending = rows.values().stream().filter(WebhookDelivery::pending).count();
          if (pending > 0) {
            counts.put(id, pending);
          }
        });
    return done(counts);
  }

  @Override
  public synchronized CompletionStage<Boolean> tryLease(String owner, Instant until, Instant now) {
    if (leaseOwner == null || !leaseUntil.isAfter(now) || leaseOwner.equals(owner)) {
      leaseOwner = owner;
      leaseUntil = until;
      return done(true);
    }
    return done(false);
  }

  /** Every delivery of the subscription, oldest event first. */
  public synchronized List<WebhookDelivery> deliveries(String subscriptionId) {
    return new ArrayList<>(rows(subscriptionId).values());
  }

  private TreeMap<Long, WebhookDelivery> rows(String subscriptionId) {
    return deliveries.getOrDefault(subscriptionId, new TreeMap<>(Comparator.naturalOrder()));
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedStage(value);
  }
}
