package dev.callgate.core.testkit;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Token records in any shape, for tests of what stores and services do with them: a store must keep
 * whatever it is given, and a service must cope with whatever a store holds, so these records are
 * built field by field rather than through the transitions the domain allows.
 */
public final class TokenRecords {
  private TokenRecords() {}

  /** A record like {@code record}, to change field by field. */
  public static Edit edit(TokenRecord record) {
    return new Edit(record);
  }

  /** A mutable copy of a record. */
  public static final class Edit {
    private TokenRecord record;

    private Edit(TokenRecord record) {
      this.record = record;
    }

    public Edit state(TokenState state) {
      return with(state, null, null, null, null, null, null, null, null, null, null);
    }

    public Edit tokens(TokenSet tokens) {
      return tokens(Optional.of(tokens));
    }

    public Edit tokens(Optional<TokenSet> tokens) {
      return with(null, tokens, null, null, null, null, null, null, null, null, null);
    }

    public Edit lastRefreshAt(Instant at) {
      return with(null, null, Optional.of(at), null, null, null, null, null, null, null, null);
    }

    public Edit lastUsedAt(Instant at) {
      return with(null, null, null, Optional.of(at), null, null, null, null, null, null, null);
    }

    /** {@code count} failures in a row, the first and the last at {@code lastAt}'s moment. */
    public Edit failures(int count, Optional<Instant> nextAttemptAt) {
      Instant at = nextAttemptAt.orElse(Instant.EPOCH);
      FailureStreak streak =
          count == 0
              ? FailureStreak.NONE
              : new FailureStreak(count, Optional.of(at), Optional.of(at));
      return failures(streak, nextAttemptAt);
    }

    public Edit failures(FailureStreak streak, Optional<Instant> nextAttemptAt) {
      return with(null, null, null, null, streak, nextAttemptAt, null, null, null, null, null);
    }

    public Edit attempts(RefreshAttempts attempts) {
      return with(null, null, null, null, null, null, attempts, null, null, null, null);
    }

    public Edit diagnoses(List<Diagnosis> diagnoses) {
      return with(null, null, null, null, null, null, null, diagnoses, null, null, null);
    }

    public Edit nextRefreshAt(Optional<Instant> at) {
      return with(null, null, null, null, null, null, null, null, at, null, null);
    }

    public Edit unsettledRefresh(Optional<RefreshStart> start) {
      return with(null, null, null, null, null, null, null, null, null, start, null);
    }

    public Edit identity(Optional<ProviderIdentity> identity) {
      return with(null, null, null, null, null, null, null, null, null, null, identity);
    }

    public Edit version(long version) {
      record = record.withVersion(version);
      return this;
    }

    public TokenRecord build() {
      return record;
    }

    private Edit with(
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
        Optional<ProviderIdentity> identity) {
      TokenRecord r = record;
      record =
          new TokenRecord(
              r.key(),
              state != null ? state : r.state(),
              tokens != null ? tokens : r.tokens(),
              lastRefreshAt != null ? lastRefreshAt : r.lastRefreshAt(),
              lastUsedAt != null ? lastUsedAt : r.lastUsedAt(),
              failures != null ? failures : r.failures(),
              nextAttemptAt != null ? nextAttemptAt : r.nextAttemptAt(),
              attempts != null ? attempts : r.attempts(),
              diagnoses != null ? diagnoses : r.diagnoses(),
              nextRefreshAt != null ? nextRefreshAt : r.nextRefreshAt(),
              unsettledRefresh != null ? unsettledRefresh : r.unsettledRefresh(),
              identity != null ? identity : r.identity(),
              r.version());
      return this;
    }
  }
}
