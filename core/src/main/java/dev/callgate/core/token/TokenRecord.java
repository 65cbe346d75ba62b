package dev.callgate.core.token;

import dev.callgate.core.diagnosis.Diagnosis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything Callgate keeps about one token, as stored: its {@link TokenState}, the current {@link
 * TokenSet}, when it was last refreshed and last used by a callout, the streak of passing failures
 * and the earliest next attempt (back-off), the refresh attempts of the current hour (storm bound),
 * the diagnoses a person should see, when the schedule wants the next refresh, the refresh that
 * began and has not recorded its outcome (if any), whose grant it is at the provider, and the
 * {@code version} that every write compares and sets. Version 0 means "never stored".
 *
 * <p>A record changes only by the transitions named for what happened ({@link #authorized}, {@link
 * #refreshStarted}, {@link #refreshed}, {@link #refreshFailed}, {@link #revoked}, {@link #usedAt}
 * …): each applies the {@link TokenStateMachine} and recomputes {@code nextRefreshAt} through the
 * {@link RefreshPlan} it is given, so no caller can skip either.
 */
public record TokenRecord(
    TokenKey key,
    TokenState state,
    Optional<TokenSet> tokens,
    Optional<Instant> lastRefreshAt,
    Optional<Instant> lastUsedAt,
    FailureStreak failures,
    Optional<Instant> nextAttemptAt,
    RefreshAttempts attempts,
    List<Diagnosis> diagnoses,
    Optional<Instant> nextRefreshAt,
    Optional<RefreshStart> unsettledRefresh,
    Optional<ProviderIdentity> identity,
    long version) {

  public TokenRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(lastRefreshAt, "lastRefreshAt");
    Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    Objects.requireNonNull(failures, "failures");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(attempts, "attempts");
    Objects.requireNonNull(nextRefreshAt, "nextRefreshAt");
    Objects.requireNonNull(unsettledRefresh, "unsettledRefresh");
    Objects.requireNonNull(identity, "identity");
    diagnoses = List.copyOf(diagnoses);
    if (version < 0) {
      throw new IllegalArgumentException("version cannot be negative");
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
        FailureStreak.NONE,
        Optional.empty(),
        RefreshAttempts.NONE,
        List.of(),
        Optional.empty(),
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

  // ---- transitions, named for what happened ----

  /**
   * A person completed the authorization flow, or a grant without a person (client credentials, JWT
   * bearer) produced its first tokens: new tokens, whose ever grant came before; failures, attempts
   * and diagnoses start afresh, with {@code warnings} about the new grant.
   */
  public TokenRecord authorized(
      TokenSet next,
      Optional<ProviderIdentity> grantedTo,
      List<Diagnosis> warnings,
      Instant now,
      RefreshPlan plan) {
    return new Builder(this)
        .on(TokenEvent.AUTHORIZED)
        .tokens(Optional.of(next))
        .lastRefreshAt(Optional.of(now))
        .failures(FailureStreak.NONE, Optional.empty())
        .attempts(RefreshAttempts.NONE)
        .unsettledRefresh(Optional.empty())
        .diagnoses(warnings)
        .identity(grantedTo.or(() -> identity))
        .plannedBy(plan);
  }

  /**
   * This instance began a refresh at {@code now}: one more attempt in {@code budget}'s hourly
   * count, and the refresh is unsettled until its outcome is recorded — unless an earlier one is
   * still unsettled, whose lost answer may have replaced the refresh token and which therefore
   * stays on record.
   */
  public TokenRecord refreshStarted(
      RefreshStart start, RefreshBudget budget, Duration attemptWindow, RefreshPlan plan) {
    return new Builder(this)
        .on(TokenEvent.REFRESH_STARTED)
        .attempts(attempts.plusOne(budget, start.at(), attemptWindow))
        .unsettledRefresh(Optional.of(unsettledRefresh.orElse(start)))
        .plannedBy(plan);
  }

  /**
   * The identity provider issued {@code next}. The failure streak ends and the refresh settles; the
   * hourly attempt count of {@code restartedBudget} starts afresh (the refresh succeeded because a
   * token was due, or an admin asked). A refused client that a person's refresh got through is
   * active again.
   */
  public TokenRecord refreshed(
      TokenSet next,
      Optional<ProviderIdentity> grantedTo,
      List<Diagnosis> warnings,
      Instant now,
      Optional<RefreshBudget> restartedBudget,
      RefreshPlan plan) {
    TokenEvent event = state.keepsGrant() ? TokenEvent.REFRESH_SUCCEEDED : TokenEvent.AUTHORIZED;
    return new Builder(this)
        .on(event)
        .tokens(Optional.of(next))
        .lastRefreshAt(Optional.of(now))
        .failures(FailureStreak.NONE, Optional.empty())
        .attempts(restartedBudget.map(attempts::restarted).orElse(attempts))
        .unsettledRefresh(Optional.empty())
        .diagnoses(warnings)
        .identity(grantedTo.or(() -> identity))
        .plannedBy(plan);
  }

  /**
   * The refresh failed at {@code now} for a reason that may pass: the streak grows, the next
   * attempt waits until {@code nextAttempt}, and {@code stillUnsettled} says which refresh may have
   * been answered unseen.
   */
  public TokenRecord refreshFailed(
      Diagnosis diagnosis,
      Instant now,
      Instant nextAttempt,
      Optional<RefreshStart> stillUnsettled,
      RefreshPlan plan) {
    return new Builder(this)
        .on(TokenEvent.REFRESH_FAILED_TRANSIENTLY)
        .failures(failures.plus(now), Optional.of(nextAttempt))
        .unsettledRefresh(stillUnsettled)
        .diagnoses(List.of(diagnosis))
        .plannedBy(plan);
  }

  /** The identity provider refused the grant for good: a person must authorize again. */
  public TokenRecord refreshRejected(Diagnosis diagnosis, RefreshPlan plan) {
    return settledBy(TokenEvent.REFRESH_REJECTED, diagnosis, plan);
  }

  /**
   * The identity provider refused Callgate's client: the grant is kept and automatic refreshes stop
   * until the provider changes ({@link #providerChanged}) or a person asks for a refresh.
   */
  public TokenRecord clientRejected(Diagnosis diagnosis, RefreshPlan plan) {
    return settledBy(TokenEvent.CLIENT_REJECTED, diagnosis, plan);
  }

  /** The grant ended by what Callgate knows: no refresh token, and the access token expired. */
  public TokenRecord refreshTokenExpired(Diagnosis diagnosis, RefreshPlan plan) {
    return new Builder(this)
        .on(TokenEvent.REFRESH_TOKEN_EXPIRED)
        .diagnoses(List.of(diagnosis))
        .plannedBy(plan);
  }

  /** Callgate revoked the grant: its tokens are dropped; {@code diagnosis} says when and how. */
  public TokenRecord revoked(Diagnosis diagnosis, RefreshPlan plan) {
    return new Builder(this)
        .on(TokenEvent.REVOKED)
        .tokens(Optional.empty())
        .failures(FailureStreak.NONE, Optional.empty())
        .unsettledRefresh(Optional.empty())
        .diagnoses(List.of(diagnosis))
        .plannedBy(plan);
  }

  /**
   * The provider's (or credential's) configuration changed at {@code now}: a refused client is
   * tried again at once, by the schedule or the next callout. Other states are left as they are.
   */
  public TokenRecord providerChanged(Instant now, RefreshPlan plan) {
    TokenState next = TokenStateMachine.next(state, TokenEvent.PROVIDER_CHANGED);
    if (next == state) {
      return this;
    }
    Builder rearmed =
        new Builder(this)
            .on(TokenEvent.PROVIDER_CHANGED)
            .failures(FailureStreak.NONE, Optional.empty())
            .diagnoses(List.of());
    TokenRecord planned = rearmed.plannedBy(plan);
    return new Builder(planned).nextRefreshAt(Optional.of(now)).build();
  }

  /**
   * An authorization flow for this token failed; {@code diagnosis} says why. Where the token has no
   * usable grant it is what callouts report from now on; a live grant goes on working, and the
   * failure is shown beside its own diagnoses until the next authorization or refresh.
   */
  public TokenRecord authorizationFailed(Diagnosis diagnosis) {
    List<Diagnosis> next = new ArrayList<>();
    if (state.allowsRefresh()) {
      diagnoses.stream().filter(d -> d.code() != diagnosis.code()).forEach(next::add);
      next.add(diagnosis);
    } else {
      next.add(diagnosis);
    }
    return new Builder(this).diagnoses(next).build();
  }

  /**
   * A new authorization replaced a grant that Callgate did not (or could not) revoke at the
   * provider: {@code note} says so beside the new grant's own diagnoses.
   */
  public TokenRecord previousGrantKept(Diagnosis note) {
    List<Diagnosis> next = new ArrayList<>(diagnoses);
    next.add(note);
    return new Builder(this).diagnoses(next).build();
  }

  /** A callout used the token at {@code now} (only tokens people use are refreshed ahead). */
  public TokenRecord usedAt(Instant now, RefreshPlan plan) {
    return new Builder(this).lastUsedAt(Optional.of(now)).plannedBy(plan);
  }

  /**
   * The schedule could not refresh the token now (it was refused or deferred before reaching the
   * provider) and looks at it again at {@code next}, or only when something changes.
   */
  public TokenRecord rescheduled(Optional<Instant> next) {
    return new Builder(this).nextRefreshAt(next).build();
  }

  /** The record as the store holds it at {@code next}; only stores set versions. */
  public TokenRecord withVersion(long next) {
    return new Builder(this).version(next).build();
  }

  private TokenRecord settledBy(TokenEvent event, Diagnosis diagnosis, RefreshPlan plan) {
    return new Builder(this)
        .on(event)
        .failures(failures, Optional.empty())
        .unsettledRefresh(Optional.empty())
        .diagnoses(List.of(diagnosis))
        .plannedBy(plan);
  }

  /** The one place that copies a record field by field. */
  private static final class Builder {
    private final TokenKey key;
    private TokenState state;
    private Optional<TokenSet> tokens;
    private Optional<Instant> lastRefreshAt;
    private Optional<Instant> lastUsedAt;
    private FailureStreak failures;
    private Optional<Instant> nextAttemptAt;
    private RefreshAttempts attempts;
    private List<Diagnosis> diagnoses;
    private Optional<Instant> nextRefreshAt;
    private Optional<RefreshStart> unsettledRefresh;
    private Optional<ProviderIdentity> identity;
    private long version;

    Builder(TokenRecord record) {
      key = record.key;
      state = record.state;
      tokens = record.tokens;
      lastRefreshAt = record.lastRefreshAt;
      lastUsedAt = record.lastUsedAt;
      failures = record.failures;
      nextAttemptAt = record.nextAttemptAt;
      attempts = record.attempts;
      diagnoses = record.diagnoses;
      nextRefreshAt = record.nextRefreshAt;
      unsettledRefresh = record.unsettledRefresh;
      identity = record.identity;
      version = record.version;
    }

    Builder on(TokenEvent event) {
      state = TokenStateMachine.next(state, event);
      return this;
    }

    Builder tokens(Optional<TokenSet> value) {
      tokens = value;
      return this;
    }

    Builder lastRefreshAt(Optional<Instant> value) {
      lastRefreshAt = value;
      return this;
    }

    Builder lastUsedAt(Optional<Instant> value) {
      lastUsedAt = value;
      return this;
    }

    Builder failures(FailureStreak streak, Optional<Instant> nextAttempt) {
      failures = streak;
      nextAttemptAt = nextAttempt;
      return this;
    }

    Builder attempts(RefreshAttempts value) {
      attempts = value;
      return this;
    }

    Builder diagnoses(List<Diagnosis> value) {
      diagnoses = value;
      return this;
    }

    Builder nextRefreshAt(Optional<Instant> value) {
      nextRefreshAt = value;
      return this;
    }

    Builder unsettledRefresh(Optional<RefreshStart> value) {
      unsettledRefresh = value;
      return this;
    }

    Builder identity(Optional<ProviderIdentity> value) {
      identity = value;
      return this;
    }

    Builder version(long value) {
      version = value;
      return this;
    }

    /** The record with its next refresh recomputed by {@code plan} from everything else. */
    TokenRecord plannedBy(RefreshPlan plan) {
      TokenRecord unplanned = build();
      return nextRefreshAt(plan.nextRefreshAt(unplanned)).build();
    }

    TokenRecord build() {
      return new TokenRecord(
          key,
          state,
          tokens,
          lastRefreshAt,
          lastUsedAt,
          failures,
          nextAttemptAt,
          attempts,
          diagnoses,
          nextRefreshAt,
          unsettledRefresh,
          identity,
          version);
    }
  }
}
