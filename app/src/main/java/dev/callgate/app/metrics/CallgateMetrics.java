package dev.callgate.app.metrics;

import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.RefreshObserver;
import dev.callgate.core.service.RefreshOutcome;
import dev.callgate.core.service.RefreshTrigger;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Callgate's own metrics, beside Vert.x's and the JVM's: callouts (count and latency by credential
 * and outcome), refreshes (by trigger and outcome), tokens by state, and seconds until each token's
 * access and refresh expiry (sampled from the store).
 */
public final class CallgateMetrics implements RefreshObserver {
  private final MeterRegistry registry;
  private final MultiGauge tokensByState;
  private final MultiGauge accessExpiry;
  private final MultiGauge refreshExpiry;

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
            .description("Seconds until the refresh token's known or assumed expiry")
            .register(registry);
  }

  /** One callout, timed from the request's arrival to Callgate's answer. */
  public void callout(String credential, CalloutResult result, Duration took) {
    String outcome;
    String code = "none";
    String status = "none";
    if (result instanceof CalloutResult.Relayed relayed) {
      outcome = "relayed";
      status = statusClass(relayed.response());
    } else if (result instanceof CalloutResult.RejectedAfterRefresh rejected) {
      outcome = "rejected_after_refresh";
      code = rejected.diagnosis().code().name();
      status = statusClass(rejected.response());
    } else {
      outcome = "refused";
      code = ((CalloutResult.Refused) result).diagnosis().code().name();
    }
    Tags tags =
        Tags.of("credential", credential, "outcome", outcome, "code", code, "status", status);
    Timer.builder("callgate_callouts")
        .description("Callouts by credential and outcome")
        .tags(tags)
        .register(registry)
        .record(took);
  }

  @Override
  public void settled(TokenKey key, RefreshTrigger trigger, RefreshOutcome outcome) {
    String result;
    String code = "none";
    if (outcome instanceof RefreshOutcome.Refreshed refreshed) {
      result = refreshed.calledProvider() ? "refreshed" : "already_refreshed";
    } else if (outcome instanceof RefreshOutcome.Deferred deferred) {
      result = "deferred";
      code = deferred.diagnosis().code().name();
    } else {
      result = "rejected";
      code = ((RefreshOutcome.Rejected) outcome).diagnosis().code().name();
    }
    Counter.builder("callgate_refreshes")
        .description("Refreshes by trigger and outcome")
        .tags(
            "credential",
            key.credentialName(),
            "trigger",
            trigger.name().toLowerCase(Locale.ROOT),
            "outcome",
            result,
            "code",
            code)
        .register(registry)
        .increment();
  }

  /** Samples every token of every credential; run it periodically off the request path. */
  public CompletionStage<Void> sample(
      CredentialStore credentials, TokenStore tokens, Supplier<Instant> now) {
    return credentials
        .listCredentials()
        .thenCompose(
            list -> {
              List<CompletableFuture<List<TokenRecord>>> reads = new ArrayList<>();
              list.forEach(c -> reads.add(tokens.findByCredential(c.name()).toCompletableFuture()));
              return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all -> {
                        List<TokenRecord> records = new ArrayList<>();
                        reads.forEach(r -> records.addAll(r.join()));
                        publish(records, now.get());
                        return null;
                      });
            });
  }

  private void publish(List<TokenRecord> records, Instant now) {
    Map<TokenState, Integer> counts = new EnumMap<>(TokenState.class);
    for (TokenState state : TokenState.values()) {
      counts.put(state, 0);
    }
    List<MultiGauge.Row<?>> access = new ArrayList<>();
    List<MultiGauge.Row<?>> refresh = new ArrayList<>();
    for (TokenRecord record : records) {
      counts.merge(record.state(), 1, Integer::sum);
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
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    counts.forEach(
        (state, count) -> states.add(MultiGauge.Row.of(Tags.of("state", state.name()), count)));
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
