package dev.callgate.core.token;

import dev.callgate.core.diagnosis.Diagnosis;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything Callgate keeps about one token, as stored: its {@link TokenState}, the current {@link
 * TokenSet}, when it was last refreshed and last used by a callout, the failure streak and the
 * earliest next attempt (back-off), the refresh attempts of the current hour (storm bound), the
 * diagnoses a person should see, when the schedule wants the next refresh, the refresh that began
 * and has not recorded its outcome (if any), and the {@code version} that every write compares and
 * sets. Version 0 means "never stored".
 */
public record TokenRecord(
    TokenKey key,
    TokenState state,
    Optional<TokenSet> tokens,
    Optional<Instant> lastRefreshAt,
    Optional<Instant> lastUsedAt,
    int consecutiveFailures,
    Optional<Instant> nextAttemptAt,
    RefreshAttempts attempts,
    List<Diagnosis> diagnoses,
    Optional<Instant> nextRefreshAt,
    Optional<RefreshStart> unsettledRefresh,
    long version) {

  public TokenRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(attempts, "attempts");
    Objects.requireNonNull(unsettledRefresh, "unsettledRefresh");
    diagnoses = List.copyOf(diagnoses);
    if (consecutiveFailures < 0 || version < 0) {
      throw new IllegalArgumentException("counts cannot be negative");
    }
  }

  /** A token that has never been authorized. */
  public static TokenRecord unauthorized(TokenKey key) {
    return new TokenRecord(
        key,
        TokenState.UNAUTHORIZED,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        Optional.empty(),
        RefreshAttempts.NONE,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        0);
  }

  /** Whether a callout used the current token set since it was issued. */
  public boolean usedSinceIssued() {
    return tokens
        .flatMap(set -> lastUsedAt.map(used -> !used.isBefore(set.issuedAt())))
        .orElse(false);
  }

  /** Applies an event through the state machine. */
  public TokenRecord on(TokenEvent event) {
    return withState(TokenStateMachine.next(state, event));
  }

  public TokenRecord withState(TokenState next) {
    return new TokenRecord(
        key,
        next,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withTokens(TokenSet next) {
    return new TokenRecord(
        key,
        state,
        Optional.of(next),
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withLastRefreshAt(Instant at) {
    return new TokenRecord(
        key,
        state,
        tokens,
        Optional.of(at),
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withLastUsedAt(Instant at) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        Optional.of(at),
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withFailures(int count, Optional<Instant> nextAttempt) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        count,
        nextAttempt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withAttempts(RefreshAttempts next) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        next,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withDiagnoses(List<Diagnosis> next) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        next,
        nextRefreshAt,
        unsettledRefresh,
        version);
  }

  public TokenRecord withNextRefreshAt(Optional<Instant> next) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        next,
        unsettledRefresh,
        version);
  }

  public TokenRecord withUnsettledRefresh(Optional<RefreshStart> next) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        next,
        version);
  }

  public TokenRecord withVersion(long next) {
    return new TokenRecord(
        key,
        state,
        tokens,
        lastRefreshAt,
        lastUsedAt,
        consecutiveFailures,
        nextAttemptAt,
        attempts,
        diagnoses,
        nextRefreshAt,
        unsettledRefresh,
        next);
  }
}
