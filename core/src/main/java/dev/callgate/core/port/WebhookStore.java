package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Webhook subscriptions with their secrets (sealed like every secret), each one's cursor into the
 * {@link EventLog} and its deliveries, and the dispatch lease that lets one instance of a cluster
 * send webhooks at a time. Writes that describe an admin action carry its events, written in the
 * same transaction.
 */
public interface WebhookStore {

  /**
   * Stores a new subscription whose cursor starts after the newest event recorded before it, so it
   * receives what happens from now on — {@code events} (its creation) included.
   */
  CompletionStage<Void> create(WebhookSubscription subscription, List<Event> events);

  /** Every subscription, oldest first. */
  CompletionStage<List<WebhookSubscription>> subscriptions();

  CompletionStage<Optional<WebhookSubscription>> find(String id);

  /** Deletes a subscription and its deliveries; false when there was none. */
  CompletionStage<Boolean> delete(String id, List<Event> events);

  /**
   * Queues {@code deliveries} and moves the subscription's cursor from {@code expectedCursor} to
   * {@code nextCursor}, only if the cursor still is {@code expectedCursor} (else false: another
   * dispatcher queued them). A delivery already queued stays as it is.
   */
  CompletionStage<Boolean> enqueue(
      String subscriptionId,
      long expectedCursor,
      long nextCursor,
      List<WebhookDelivery> deliveries);

  /**
   * The oldest pending delivery of each credential (events of no credential count as one more) of
   * the subscription, up to {@code limit} of them, oldest event first: the only ones that may go
   * next, so that a backlog of one credential holds back no other.
   */
  CompletionStage<List<WebhookDelivery>> pendingHeads(String subscriptionId, int limit);

  /** Up to {@code limit} deliveries of the subscription, newest event first. */
  CompletionStage<List<WebhookDelivery>> recent(String subscriptionId, int limit);

  /** Writes a delivery's new state. */
  CompletionStage<Void> record(WebhookDelivery delivery);

  CompletionStage<Void> recordHealth(String subscriptionId, WebhookHealth health);

  /**
   * Forgets the subscription's settled deliveries but the newest {@code keep} (at least 1); pending
   * ones stay.
   */
  CompletionStage<Void> forgetSettled(String subscriptionId, int keep);

  /** How many deliveries are pending, by subscription id (those with none absent). */
  CompletionStage<Map<String, Long>> pendingCounts();

  /**
   * Takes the dispatch lease for {@code owner} until {@code until}, if it is free, expired at
   * {@code now} or already {@code owner}'s.
   */
  CompletionStage<Boolean> tryLease(String owner, Instant until, Instant now);
}
