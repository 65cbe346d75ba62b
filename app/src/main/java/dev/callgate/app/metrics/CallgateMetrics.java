package dev.callgate.app.metrics;

import dev.callgate.adapter.cache.CacheStatistics;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.RefreshObserver;
import dev.callgate.core.service.RefreshOutcome;
import dev.callgate.core.service.RefreshRuleObserver;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import dev.callgate.core.webhook.DeliveryStatus;
import dev.callgate.core.webhook.WebhookDelivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Callgate's own metrics, beside Vert.x's and the JVM's: callouts (count and latency by credential
 * and outcome), refreshes (by trigger and outcome), the caches' reads, and from the store's census:
 * tokens by state, overdue refreshes, and seconds until the access and refresh expiry of the tokens
 * whose refresh token ends first; and whether the instance is ready ({@code callgate_ready}).
 */
public final class CallgateMetrics implements RefreshObserver, RefreshRuleObserver {
  private final MeterRegistry registry;
  private final MultiGauge tokensByState;
  private final MultiGauge accessExpiry;
  private final MultiGauge refreshExpiry;
  private final AtomicLong overdue = new AtomicLong();
  private final AtomicLong predictedExpired = new AtomicLong();
  // not ready until the first check says so: a gauge that starts at 1 would hide a store that
  // never answered
  private final AtomicLong ready = new AtomicLong();
  private final AtomicLong webhookPending = new AtomicLong();
  private final AtomicInteger inboundConnections = new AtomicInteger();
  // counters of bounded label sets, registered once and kept: none is looked up per increment
  private final Map<EventType, Counter> eventCounters = new EnumMap<>(EventType.class);
  private final Map<DeliveryStatus, Counter> deliveryCounters = new EnumMap<>(DeliveryStatus.class);
  // one timer per callout series, built on its first callout and kept: building and registering
  // a meter on every callout (tags sorted and compared, the registry's map searched) stood out in
  // profiles of the callout path. Concurrent, as every event loop records callouts. A deleted
  // credential's timers stay, as the registry keeps its meters anyway: its series keep their last
  // counts until the restart, and a credential created again under the name continues them.
  private final Map<CalloutSeries, Timer> calloutTimers = new ConcurrentHashMap<>();
  private volatile Supplier<CacheStatistics> cacheStatistics = () -> new CacheStatistics(0, 0, 0);

  public CallgateMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.tokensByState =
        MultiGauge.builder("callgate_tokens").description("Tokens by state").register(registry);
    this.accessExpiry =
        MultiGauge.builder("callgate_access_token_expiry_seconds")
            .description("Seconds until the access token expires (negative: expired)")
            .register(registry);
    this.refreshExpiry =
        MultiGauge.builder("callgate_refresh_token_expiry_seconds")
            .description(
                "Seconds until the refresh token's known or assumed expiry, for the "
                    + EXPIRY_GAUGES
                    + " tokens whose refresh token ends first")
            .register(registry);
    Gauge.builder("callgate_tokens_overdue", overdue, AtomicLong::get)
        .description("Tokens whose scheduled refresh is more than a minute late")
        .register(registry);
    Gauge.builder("callgate_tokens_predicted_expired", predictedExpired, AtomicLong::get)
        .description(
            "Tokens counted as NEEDS_AUTHORIZATION because their refresh token's known expiry"
                + " has passed, although the identity provider has not been asked since")
        .register(registry);
    Gauge.builder("callgate_ready", ready, AtomicLong::get)
        .description(
            "1 while the instance is ready (its store answers, as /health/ready says), else 0")
        .register(registry);
    for (EventType type : EventType.values()) {
      // every type's series exists from the start, so an alert on its increase sees the first one
      eventCounters.put(type, events(type));
    }
    // in place of Vert.x's HTTP server metrics, which are off: they built tags on every request
    Gauge.builder("callgate_inbound_connections", inboundConnections, AtomicInteger::get)
        .description("Inbound HTTP connections open (at most CALLGATE_HTTP_MAX_CONNECTIONS)")
        .register(registry);
    Gauge.builder("callgate_webhook_pending", webhookPending, AtomicLong::get)
        .description("Webhook deliveries waiting to be sent or sent again, over every webhook")
        .register(registry);
    for (DeliveryStatus status : DeliveryStatus.values()) {
      deliveryCounters.put(status, webhookDeliveries(status));
    }
  }

  /**
   * One webhook delivery attempted (or given up): {@code callgate_webhook_deliveries_total} by
   * {@code outcome} — {@code delivered} (2xx), {@code retried} (pending again after a failure) or
   * {@code failed} (given up at its retry horizon).
   */
  public void webhookSettled(WebhookDelivery delivery) {
    deliveryCounters.get(delivery.status()).increment();
  }

  private Counter webhookDeliveries(DeliveryStatus status) {
    String outcome =
        switch (status) {
          case DELIVERED -> "delivered";
          case PENDING -> "retried";
          case FAILED -> "failed";
        };
    return Counter.builder("callgate_webhook_deliveries")
        .description("Webhook delivery attempts by outcome: delivered, retried or failed")
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * The count of open inbound connections the HTTP server keeps ({@link
   * dev.callgate.app.http.InboundServer}), published as {@code callgate_inbound_connections}.
   */
  public AtomicInteger inboundConnections() {
    return inboundConnections;
  }

  /** How many webhook deliveries are pending, as the store counted them. */
  public void webhookPending(long pending) {
    webhookPending.set(pending);
  }

  /**
   * Asks {@code check} — the one {@code /health/ready} answers from — and publishes its answer as
   * {@code callgate_ready}; a check that fails counts as not ready. Run it periodically, so that a
   * scrape reads the instance's readiness without waiting for the store.
   */
  public CompletionStage<Void> sampleReadiness(Supplier<CompletionStage<Boolean>> check) {
    CompletionStage<Boolean> answer;
    try {
      answer = check.get();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.handle(
        (ok, failure) -> {
          ready.set(failure == null && Boolean.TRUE.equals(ok) ? 1 : 0);
          return null;
        });
  }

  /**
   * One event this instance recorded: {@code callgate_events_total} by {@code type} (the wire
   * name), which alerts watch (a grant lost, an expiry ahead).
   */
  public void event(EventType type) {
    eventCounters.get(type).increment();
  }

  private Counter events(EventType type) {
    return Counter.builder("callgate_events")
        .description("Events this instance recorded, by type")
        .tag("type", type.wireName())
        .register(registry);
  }

  /**
   * The read-through caches' counts: {@code callgate_cache_reads_total} by {@code result} — {@code
   * hit} (from memory), {@code store} (read from the store), {@code stale} (from memory because the
   * store was down).
   */
  public void cache(Supplier<CacheStatistics> statistics) {
    // meters hold their state object weakly: this one lives as long as these metrics
    this.cacheStatistics = statistics;
    cacheReads("hit", CacheStatistics::hits);
    cacheReads("store", s -> s.misses() - s.servedStale());
    cacheReads("stale", CacheStatistics::servedStale);
  }

  private void cacheReads(String result, ToDoubleFunction<CacheStatistics> count) {
    FunctionCounter.builder(
            "callgate_cache_reads", this, m -> count.applyAsDouble(m.cacheStatistics.get()))
        .description("Cached lookups by where the answer came from")
        .tag("result", result)
        .register(registry);
  }

  /**
   * The methods that are label values of their own; any other method a caller makes up is {@code
   * other}, so that made-up methods cannot add series without bound.
   */
  static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

  /** The credential label of a callout to a credential that does not exist. */
  static final String OTHER = "other";

  /**
   * Keeps every {@code method} label — Vert.x's server and client metrics carry the caller's method
   * — within {@link #METHODS} and {@code other}. Call it before any meter is registered.
   */
  public static void boundLabels(MeterRegistry registry) {
    registry
        .config()
        .meterFilter(MeterFilter.replaceTagValues("method", m -> METHODS.contains(m) ? m : OTHER));
  }

  /**
   * The upper bounds of the callouts' latency histogram ({@code callgate_callouts_seconds_bucket}),
   * from which dashboards compute quantiles across instances: few enough that each series of a
   * credential adds a dozen buckets, not Micrometer's default seventy.
   */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  /**
   * One callout, timed from the request's arrival to Callgate's answer. A callout to a credential
   * that does not exist is labelled {@code other}: a name a caller makes up adds no series.
   */
  public void callout(String credential, CalloutResult result, Duration took) {
    calloutTimers
        .computeIfAbsent(CalloutSeries.of(credential, result), this::calloutTimer)
        .record(took);
  }

  /**
   * The labels of one series of {@code callgate_callouts}, each from a bounded set: the credential
   * named ({@code other} when it does not exist), three outcomes, the diagnosis codes, five status
   * classes.
   */
  private record CalloutSeries(String credential, String outcome, String code, String status) {
    static CalloutSeries of(String credential, CalloutResult result) {
      CalloutSeries series =
          result.fold(
              relayed ->
                  new CalloutSeries(credential, "relayed", "none", statusClass(relayed.response())),
              refused ->
                  new CalloutSeries(
                      credential, "refused", refused.diagnosis().code().name(), "none"),
              rejected ->
                  new CalloutSeries(
                      credential,
                      "rejected_after_refresh",
                      rejected.diagnosis().code().name(),
                      statusClass(rejected.response())));
      return series.code.equals(DiagnosisCode.CREDENTIAL_NOT_FOUND.name())
          ? new CalloutSeries(OTHER, series.outcome, series.code, series.status)
          : series;
    }
  }

  private Timer calloutTimer(CalloutSeries series) {
    return Timer.builder("callgate_callouts")
        .description("Callouts by credential and outcome")
        .tags(
            "credential",
            series.credential(),
            "outcome",
            series.outcome(),
            "code",
            series.code(),
            "status",
            series.status())
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  /**
   * A target's answer not relayed, or cut, because it repeated a secret Callgate injected: {@code
   * callgate_secret_echoes_blocked_total} by {@code where} ({@code headers} or {@code body}; any
   * other value counts as {@code other}, so the series stay few).
   */
  public void secretEchoBlocked(String where) {
    String part = "headers".equals(where) || "body".equals(where) ? where : "other";
    Counter.builder("callgate_secret_echoes_blocked")
        .description("Target answers withheld or cut because they repeated an injected secret")
        .tag("where", part)
        .register(registry)
        .increment();
  }

  /**
   * One settled refresh: {@code callgate_refreshes_total} counts the token-endpoint requests by
   * trigger and outcome; a refresh answered without one — from a stored diagnosis, a back-off, a
   * result another caller or instance had just brought — is counted in {@code
   * callgate_refresh_answers_total} instead.
   */
  @Override
  public void settled(TokenKey key, RefreshTrigger trigger, RefreshOutcome outcome) {
    String result =
        outcome.fold(
            refreshed -> refreshed.calledProvider() ? "refreshed" : "already_refreshed",
            rejected -> "rejected",
            deferred -> "deferred");
    String code =
        outcome.fold(
            refreshed -> "none",
            rejected -> rejected.diagnosis().code().name(),
            deferred -> deferred.diagnosis().code().name());
    // no credential tag: one series per credential would grow with their number (see the log
    // and the credential's status for which one failed)
    Counter.builder(outcome.calledProvider() ? "callgate_refreshes" : "callgate_refresh_answers")
        .description(
            outcome.calledProvider()
                ? "Token-endpoint requests of refreshes, by trigger and outcome"
                : "Refreshes answered without a token-endpoint request, by trigger and outcome")
        .tags("trigger", trigger.wireName(), "outcome", result, "code", code)
        .register(registry)
        .increment();
  }

  /**
   * A {@code refreshOn} rule named a target's answer a stale token: {@code
   * callgate_refresh_rule_firings_total} by credential and rule ({@code refreshOn[0]}); the refresh
   * it brings is counted with trigger {@code on_401}.
   */
  @Override
  public void fired(String credential, RefreshRules.Verdict.Matched matched) {
    Counter.builder("callgate_refresh_rule_firings")
        .description("Target answers a refreshOn rule named a stale token, by credential and rule")
        .tags("credential", credential, "rule", "refreshOn[" + matched.index() + "]")
        .register(registry)
        .increment();
  }

  /** Tokens this much past their scheduled refresh count as overdue. */
  static final Duration OVERDUE_AFTER = Duration.ofSeconds(60);

  /**
   * Per-token expiry gauges are kept for this many tokens, those whose refresh token ends first.
   */
  static final int EXPIRY_GAUGES = 100;

  /**
   * Samples the store's census, whatever the number of tokens: counts by state, overdue refreshes,
   * and expiry gauges for the tokens whose refresh token ends first. Run it periodically off the
   * request path.
   */
  public CompletionStage<Void> sample(TokenStore tokens, Supplier<Instant> now) {
    Instant at = now.get();
    return tokens
        .census(at, at.minus(OVERDUE_AFTER), EXPIRY_GAUGES)
        .thenAccept(census -> publish(census, at));
  }

  private void publish(TokenCensus census, Instant now) {
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    for (TokenState state : TokenState.values()) {
      states.add(
          MultiGauge.Row.of(
              Tags.of("state", state.name()), census.byState().getOrDefault(state, 0L)));
    }
    overdue.set(census.overdue());
    predictedExpired.set(census.predictedExpired());
    List<MultiGauge.Row<?>> access = new ArrayList<>();
    List<MultiGauge.Row<?>> refresh = new ArrayList<>();
    for (TokenRecord record : census.soonestRefreshTokenExpiry()) {
      Tags tags =
          Tags.of("credential", record.key().credentialName(), "user", record.key().userSubject());
      record
          .tokens()
          .ifPresent(t -> access.add(MultiGauge.Row.of(tags, seconds(now, t.expiresAt()))));
      record
          .tokens()
          .flatMap(TokenSet::refreshTokenExpiresAt)
          .ifPresent(at -> refresh.add(MultiGauge.Row.of(tags, seconds(now, at))));
    }
    tokensByState.register(states, true);
    accessExpiry.register(access, true);
    refreshExpiry.register(refresh, true);
  }

  private static double seconds(Instant now, Instant at) {
    return Duration.between(now, at).toMillis() / 1000.0;
  }

  private static String statusClass(CalloutResponse response) {
    return (response.status() / 100) + "xx";
  }
}
