package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_URL;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.WEBHOOK_NOT_FOUND;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.WebhookStore;
import dev.callgate.core.webhook.WebhookDelivery;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import dev.callgate.core.webhook.WebhookUrlRule;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Webhook subscriptions, as admins manage them: subscribe a receiver's URL to some event types (or
 * all), list the webhooks with how their deliveries go, delete one, and read one's recent
 * deliveries. A new webhook gets a {@code whsec_} secret of 32 random bytes, shown once; the URL
 * must pass the {@link WebhookUrlRule}. Creating and deleting one are audit events naming who
 * acted, written with the change.
 */
public final class Webhooks {
  /** How a Standard Webhooks secret starts. */
  public static final String SECRET_PREFIX = "whsec_";

  /** How many deliveries {@link #deliveries} shows at most, newest first. */
  public static final int RECENT_DELIVERIES = 100;

  private static final int SECRET_BYTES = 32;

  /** Subscribe {@code url} to the types named {@code events} (absent: every type). */
  public record Subscribe(Optional<String> url, Optional<List<String>> events, Actor actor) {
    public Subscribe {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(events, "events");
      Objects.requireNonNull(actor, "actor");
      events = events.map(List::copyOf);
    }
  }

  /** What subscribing came to: the webhook and its secret, shown this once, or every problem. */
  public sealed interface SubscribeOutcome {
    <R> R fold(
        BiFunction<WebhookSummary, Secret, R> subscribed, Function<List<Diagnosis>, R> rejected);

    record Subscribed(WebhookSummary webhook, Secret secret) implements SubscribeOutcome {
      @Override
      public <R> R fold(
          BiFunction<WebhookSummary, Secret, R> subscribed, Function<List<Diagnosis>, R> rejected) {
        return subscribed.apply(webhook, secret);
      }
    }

    record Rejected(List<Diagnosis> problems) implements SubscribeOutcome {
      public Rejected {
        problems = List.copyOf(problems);
      }

      @Override
      public <R> R fold(
          BiFunction<WebhookSummary, Secret, R> subscribed, Function<List<Diagnosis>, R> rejected) {
        return rejected.apply(problems);
      }
    }
  }

  /** A webhook's recent deliveries, or why there are none to show. */
  public sealed interface DeliveriesOutcome {
    <R> R fold(Function<List<WebhookDelivery>, R> found, Function<Diagnosis, R> rejected);

    record Found(List<WebhookDelivery> deliveries) implements DeliveriesOutcome {
      public Found {
        deliveries = List.copyOf(deliveries);
      }

      @Override
      public <R> R fold(Function<List<WebhookDelivery>, R> found, Function<Diagnosis, R> rejected) {
        return found.apply(deliveries);
      }
    }

    record Rejected(Diagnosis diagnosis) implements DeliveriesOutcome {
      @Override
      public <R> R fold(Function<List<WebhookDelivery>, R> found, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  private final WebhookStore store;
  private final EventSource events;
  private final RandomGenerator random;
  private final WebhookUrlRule urlRule;

  /**
   * {@code random} must be cryptographically strong ({@code SecureRandom}); {@code events} dates
   * the audit events and names this instance in them.
   */
  public Webhooks(
      WebhookStore store, EventSource events, RandomGenerator random, WebhookUrlRule urlRule) {
    this.store = store;
    this.events = events;
    this.random = random;
    this.urlRule = urlRule;
  }

  public CompletionStage<SubscribeOutcome> subscribe(Subscribe command) {
    List<Diagnosis> problems = new ArrayList<>();
    Optional<URI> url = url(command.url(), problems);
    Set<EventType> types = types(command.events(), problems);
    if (!problems.isEmpty()) {
      return CompletableFuture.completedStage(new SubscribeOutcome.Rejected(problems));
    }
    String id = HexFormat.of().formatHex(bytes(8));
    Secret secret =
        Secret.of(SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes(SECRET_BYTES)));
    WebhookSubscription subscription =
        new WebhookSubscription(
            id, url.orElseThrow(), types, secret, events.clock().now(), 0, WebhookHealth.healthy());
    return store
        .create(
            subscription,
            List.of(audit(EventType.AUDIT_WEBHOOK_CREATED, subscription, command.actor())))
        .thenApply(
            created -> new SubscribeOutcome.Subscribed(WebhookSummary.of(subscription, 0), secret));
  }

  /** Every webhook, oldest first, with its pending deliveries counted. */
  public CompletionStage<List<WebhookSummary>> list() {
    return store
        .subscriptions()
        .thenCompose(
            subscriptions ->
                store
                    .pendingCounts()
                    .thenApply(
                        counts ->
                            subscriptions.stream()
                                .map(s -> WebhookSummary.of(s, counts.getOrDefault(s.id(), 0L)))
                                .toList()));
  }

  /** Deletes the webhook {@code id} and its deliveries; the refusal when there is none. */
  public CompletionStage<Optional<Diagnosis>> delete(String id, Actor actor) {
    return store
        .find(id)
        .thenCompose(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedStage(false)
                    : store.delete(
                        id, List.of(audit(EventType.AUDIT_WEBHOOK_DELETED, found.get(), actor))))
        .thenApply(
            deleted ->
                deleted
                    ? Optional.<Diagnosis>empty()
                    : Optional.of(Diagnosis.of(WEBHOOK_NOT_FOUND, "id", id)));
  }

  /** The webhook's last {@link #RECENT_DELIVERIES} deliveries, newest event first. */
  public CompletionStage<DeliveriesOutcome> deliveries(String id) {
    return store
        .find(id)
        .thenCompose(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedStage(
                        new DeliveriesOutcome.Rejected(Diagnosis.of(WEBHOOK_NOT_FOUND, "id", id)))
                    : store.recent(id, RECENT_DELIVERIES).thenApply(DeliveriesOutcome.Found::new));
  }

  private Optional<URI> url(Optional<String> url, List<Diagnosis> problems) {
    if (url.isEmpty() || url.get().isBlank()) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", "url", "problem", "a webhook needs a url"));
      return Optional.empty();
    }
    Optional<String> violation = urlRule.violation(url.get());
    if (violation.isPresent()) {
      problems.add(
          Diagnosis.of(
              INVALID_URL,
              "field",
              "url",
              "value",
              withoutQuery(url.get()),
              "reason",
              violation.get()));
      return Optional.empty();
    }
    return Optional.of(URI.create(url.get()));
  }

  /** A refused URL is echoed without its query or user info, which may hold a secret. */
  private static String withoutQuery(String url) {
    String shown = url.replaceFirst("//[^/@?#]*@", "//");
    int cut = shown.indexOf('?');
    return cut < 0 ? shown : shown.substring(0, cut) + "?…";
  }

  private static Set<EventType> types(Optional<List<String>> names, List<Diagnosis> problems) {
    if (names.isEmpty()) {
      return Set.of();
    }
    if (names.get().isEmpty()) {
      problems.add(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "events",
              "problem",
              "name at least one event type, or leave events out to receive every type"));
      return Set.of();
    }
    Set<EventType> types = EnumSet.noneOf(EventType.class);
    for (String name : names.get()) {
      Optional<EventType> type = EventType.fromWireName(name);
      if (type.isPresent()) {
        types.add(type.get());
      } else {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "events",
                "problem",
                "'"
                    + name
                    + "' is not an event type (known: "
                    + Arrays.stream(EventType.values())
                        .map(EventType::wireName)
                        .collect(Collectors.joining(", "))
                    + ")"));
      }
    }
    return types;
  }

  private Event audit(EventType type, WebhookSubscription subscription, Actor actor) {
    // the URL's path and query may carry the receiver's own secret: the audit names its origin
    URI url = subscription.url();
    String origin =
        url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    return events.audit(
        type,
        actor,
        Optional.empty(),
        Optional.empty(),
        Map.of("webhook", subscription.id(), "origin", origin));
  }

  private byte[] bytes(int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }
}
