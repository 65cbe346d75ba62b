package dev.callgate.core.service;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.token.TokenKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A person asking for a token to be refreshed now: the credential must exist, let the caller use it
 * and hold tokens at all, and the token must be one the caller may name ({@link TokenKeys}); the
 * refresh itself is the {@link Refresher}'s, with its gate, lease and back-off.
 */
public final class ManualRefreshes {

  /**
   * Refresh {@code caller}'s token of {@code credentialName}, or {@code user}'s (admins); {@code
   * actor} is the caller in its request, as audit names it.
   */
  public record RefreshNow(
      Caller caller, String credentialName, Optional<String> user, Actor actor) {
    public RefreshNow {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(credentialName, "credentialName");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /**
   * What the refresh came to: the token's status after it, Callgate's refusal, or a deferral with
   * how long to wait before asking again.
   */
  public sealed interface RefreshNowOutcome {
    <R> R fold(
        Function<TokenStatus, R> refreshed,
        Function<Diagnosis, R> rejected,
        BiFunction<Diagnosis, Duration, R> deferred);

    record Refreshed(TokenStatus status) implements RefreshNowOutcome {
      @Override
      public <R> R fold(
          Function<TokenStatus, R> refreshed,
          Function<Diagnosis, R> rejected,
          BiFunction<Diagnosis, Duration, R> deferred) {
        return refreshed.apply(status);
      }
    }

    record Rejected(Diagnosis diagnosis) implements RefreshNowOutcome {
      @Override
      public <R> R fold(
          Function<TokenStatus, R> refreshed,
          Function<Diagnosis, R> rejected,
          BiFunction<Diagnosis, Duration, R> deferred) {
        return rejected.apply(diagnosis);
      }
    }

    /** {@code retryAfter}: until the next attempt Callgate would make, never negative. */
    record Deferred(Diagnosis diagnosis, Duration retryAfter) implements RefreshNowOutcome {
      @Override
      public <R> R fold(
          Function<TokenStatus, R> refreshed,
          Function<Diagnosis, R> rejected,
          BiFunction<Diagnosis, Duration, R> deferred) {
        return deferred.apply(diagnosis, retryAfter);
      }
    }
  }

  private final CallerCredentials credentials;
  private final Refresher refresher;
  private final TokenStatuses statuses;
  private final Clock clock;
  private final EventLog eventLog;

  /**
   * {@code eventLog} records each request (audit) before the refresh, which records its outcome.
   */
  public ManualRefreshes(
      CredentialStore credentials,
      Refresher refresher,
      TokenStatuses statuses,
      Clock clock,
      EventLog eventLog) {
    this.credentials = new CallerCredentials(credentials);
    this.refresher = refresher;
    this.statuses = statuses;
    this.clock = clock;
    this.eventLog = eventLog;
  }

  public CompletionStage<RefreshNowOutcome> refresh(RefreshNow command) {
    return credentials
        .usableBy(command.caller(), command.credentialName())
        .thenCompose(
            found ->
                found.fold(credential -> refresh(credential, command), ManualRefreshes::rejected));
  }

  private CompletionStage<RefreshNowOutcome> refresh(
      NamedCredential credential, RefreshNow command) {
    if (!credential.protocol().usesTokens()) {
      return rejected(Credentials.flowNotSupported(credential, "token refresh"));
    }
    return TokenKeys.resolve(credential, command.caller(), command.user())
        .fold(
            key ->
                eventLog
                    .append(List.of(refreshRequested(key, command.actor())))
                    .thenCompose(recorded -> refresher.refreshAskedBy(command.caller(), key))
                    .thenApply(
                        outcome ->
                            outcome.fold(
                                refreshed ->
                                    new RefreshNowOutcome.Refreshed(
                                        statuses.of(credential, refreshed.record())),
                                refused -> new RefreshNowOutcome.Rejected(refused.diagnosis()),
                                deferred ->
                                    new RefreshNowOutcome.Deferred(
                                        deferred.diagnosis(),
                                        max(
                                            Duration.ZERO,
                                            Duration.between(
                                                clock.now(), deferred.nextAttemptAt()))))),
            problems -> rejected(problems.get(0)));
  }

  private Event refreshRequested(TokenKey key, Actor actor) {
    return refresher
        .events()
        .audit(
            EventType.AUDIT_REFRESH_REQUESTED,
            actor,
            Optional.of(key.credentialName()),
            Optional.of(key.userSubject()),
            Map.of("credential", key.credentialName()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static CompletionStage<RefreshNowOutcome> rejected(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new RefreshNowOutcome.Rejected(diagnosis));
  }
}
