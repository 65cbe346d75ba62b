package dev.callgate.core.service;

import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.WebhookSender;
import dev.callgate.core.port.WebhookStore;
import dev.callgate.core.webhook.DeliveryPolicy;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * Sends webhooks from the event log, at least once: one round queues for each webhook the events
 * after its cursor that it wants, then attempts what the {@link DeliveryPolicy} lets go now, and
 * records each outcome and the webhook's health. Only the holder of the dispatch lease sends, so
 * one instance of a cluster does; another takes over when its lease runs out. An event purged from
 * the log before it could be delivered is marked failed.
 */
public final class WebhookDispatch {

  /**
   * {@code owner} names this instance in the lease, held for {@code lease} from each round; at most
   * {@code batch} events are queued and {@code batch} pending deliveries looked at per webhook and
   * round; the newest {@code keep} settled deliveries of each webhook are kept for the deliveries
   * API, older ones forgotten.
   */
  public record Settings(String owner, Duration lease, DeliveryPolicy policy, int batch, int keep) {
    public Settings {
      if (keep < 1) {
        throw new IllegalArgumentException("keep at least one settled delivery");
      }
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(policy, "policy");
      if (batch < 1 || batch > EventQuery.MAX_LIMIT) {
        throw new IllegalArgumentException("batch must be between 1 and " + EventQuery.MAX_LIMIT);
      }
    }
  }

  /** Hears of every delivery settled by an attempt (or given up): the metrics. */
  @FunctionalInterface
  public interface Observer {
    void settled(WebhookDelivery delivery);
  }

  /** What one round did: whether this instance held the lease, and how many attempts it made. */
  public record Round(boolean leased, int attempts) {
    static Round notLeased() {
      return new Round(false, 0);
    }
  }

  private final WebhookStore store;
  private final EventLog events;
  private final WebhookSender sender;
  private final Clock clock;
  private final RandomGenerator random;
  private final Settings settings;
  private final Observer observer;

  public WebhookDispatch(
      WebhookStore store,
      EventLog events,
      WebhookSender sender,
      Clock clock,
      RandomGenerator random,
      Settings settings,
      Observer observer) {
    this.store = store;
    this.events = events;
    this.sender = sender;
    this.clock = clock;
    this.random = random;
    this.settings = settings;
    this.observer = observer;
  }

  /** One round over every webhook. */
  public CompletionStage<Round> dispatch() {
    Instant now = clock.now();
    return store
        .tryLease(settings.owner(), now.plus(settings.lease()), now)
        .thenCompose(
            leased ->
                leased
                    ? store.subscriptions().thenCompose(this::dispatchAll)
                    : CompletableFuture.completedStage(Round.notLeased()));
  }

  private CompletionStage<Round> dispatchAll(List<WebhookSubscription> subscriptions) {
    CompletionStage<Integer> attempts = CompletableFuture.completedStage(0);
    for (WebhookSubscription subscription : subscriptions) {
      attempts =
          attempts.thenCompose(
              sum ->
                  queue(subscription).thenCompose(v -> send(subscription)).thenApply(n -> sum + n));
    }
    return attempts.thenApply(n -> new Round(true, n));
  }

  private CompletionStage<Void> queue(WebhookSubscription subscription) {
    EventQuery query =
        new EventQuery(
            subscription.cursor(),
            Optional.empty(),
            Optional.empty(),
            subscription.types(),
            settings.batch());
    return events
        .read(query)
        .thenCompose(
            page -> {
              if (page.next() <= subscription.cursor()) {
                return CompletableFuture.completedStage(null);
              }
              Instant now = clock.now();
              List<WebhookDelivery> queued =
                  page.events().stream()
                      .map(event -> WebhookDelivery.queued(subscription.id(), event, now))
                      .toList();
              return store
                  .enqueue(subscription.id(), subscription.cursor(), page.next(), queued)
                  .thenApply(moved -> (Void) null);
            });
  }

  private CompletionStage<Integer> send(WebhookSubscription subscription) {
    return store
        .pendingHeads(subscription.id(), settings.batch())
        .thenCompose(
            pending -> {
              Instant now = clock.now();
              List<WebhookDelivery> sendable = DeliveryPolicy.sendable(pending, now);
              List<WebhookHealth.Attempt> attempts =
                  Collections.synchronizedList(new ArrayList<>());
              List<CompletableFuture<Void>> sends = new ArrayList<>();
              for (WebhookDelivery delivery : sendable) {
                sends.add(attempt(subscription, delivery, attempts).toCompletableFuture());
              }
              return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                  .thenCompose(
                      v ->
                          attempts.isEmpty()
                              ? CompletableFuture.completedStage((Void) null)
                              : store
                                  .recordHealth(
                                      subscription.id(), subscription.health().after(attempts))
                                  .thenCompose(
                                      recorded ->
                                          store.forgetSettled(subscription.id(), settings.keep())))
                  .thenApply(v -> sendable.size());
            });
  }

  private CompletionStage<Void> attempt(
      WebhookSubscription subscription,
      WebhookDelivery delivery,
      List<WebhookHealth.Attempt> attempts) {
    return events
        .read(EventQuery.after(delivery.eventId() - 1, 1))
        .thenCompose(
            page -> {
              Optional<RecordedEvent> event =
                  page.events().stream().filter(e -> e.id() == delivery.eventId()).findFirst();
              if (event.isEmpty()) {
                return settle(
                    delivery.abandoned(
                        clock.now(), "the event was purged from the log before it was delivered"));
              }
              Instant at = clock.now();
              return sender
                  .send(subscription.url(), subscription.secret(), event.get(), at)
                  .thenCompose(
                      outcome -> {
                        attempts.add(new WebhookHealth.Attempt(at, outcome));
                        return settle(settings.policy().settle(delivery, outcome, at, random));
                      });
            });
  }

  private CompletionStage<Void> settle(WebhookDelivery settled) {
    return store
        .record(settled)
        .thenApply(
            v -> {
              observer.settled(settled);
              return null;
            });
  }
}
