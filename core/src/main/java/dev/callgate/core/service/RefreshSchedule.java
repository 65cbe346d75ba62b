package dev.callgate.core.service;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The refreshes nobody asks for: every token record carries the time its next refresh is due
 * ({@code nextRefreshAt}, kept by every writer), and {@link #runDue()} claims a batch of due
 * records from the store — leased to this instance, so several instances share the work without
 * doing it twice — and refreshes them: proactively for tokens in use, to keep the refresh token
 * alive for tokens nobody has called lately. The caller (the service's timer) runs it periodically.
 */
public final class RefreshSchedule {

  /** {@code owner} must be the {@link Refresher}'s instance id, so its lease carries over. */
  public record Settings(String owner, int batchSize, Duration claimLease) {
    public Settings {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(claimLease, "claimLease");
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be positive");
      }
    }
  }

  /** What one run did. */
  public record Run(int claimed, int refreshed, int deferred, int rejected) {}

  private final TokenStore tokens;
  private final Refresher refresher;
  private final Clock clock;
  private final RefreshPlanner planner;
  private final TokenUpdates updates;
  private final CredentialStore credentials;
  private final Settings settings;

  public RefreshSchedule(
      CredentialStore credentials,
      TokenStore tokens,
      Refresher refresher,
      Clock clock,
      RefreshPolicy policy,
      Settings settings) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.refresher = refresher;
    this.clock = clock;
    this.planner = new RefreshPlanner(policy);
    // only bookkeeping (a new schedule): the refresher's source names this instance
    this.updates = new TokenUpdates(tokens, refresher.events());
    this.settings = settings;
  }

  /** When {@code record} should next be refreshed by the schedule, if at all. */
  public Optional<Instant> nextRefreshAt(NamedCredential credential, TokenRecord record) {
    return planner.nextRefreshAt(credential, record);
  }

  /** What one claim started: how many records it claimed, and their settling. */
  public record Started(int claimed, CompletionStage<Run> settled) {}

  /** Claims one batch of due records and refreshes them; completes when all have settled. */
  public CompletionStage<Run> runDue() {
    return startDue(settings.batchSize()).thenCompose(Started::settled);
  }

  /**
   * Claims up to {@code limit} due records and starts their refreshes; completes once they are
   * claimed, so that a caller can claim more while these run.
   */
  public CompletionStage<Started> startDue(int limit) {
    Instant now = clock.now();
    return tokens
        .claimDue(now, limit, settings.owner(), now.plus(settings.claimLease()))
        .thenApply(
            claimed -> {
              List<CompletableFuture<RefreshOutcome>> refreshes = new ArrayList<>();
              for (TokenRecord record : claimed) {
                refreshes.add(refreshClaimed(record).toCompletableFuture());
              }
              CompletionStage<Run> settled =
                  CompletableFuture.allOf(refreshes.toArray(CompletableFuture[]::new))
                      .handle((all, failure) -> run(claimed.size(), refreshes));
              return new Started(claimed.size(), settled);
            });
  }

  /** How the refreshes of one claim ended; one that failed on the store counts as deferred. */
  private static Run run(int claimed, List<CompletableFuture<RefreshOutcome>> refreshes) {
    int refreshed = 0;
    int deferred = 0;
    int rejected = 0;
    for (CompletableFuture<RefreshOutcome> refresh : refreshes) {
      if (refresh.isCompletedExceptionally()) {
        deferred++;
        continue;
      }
      switch (refresh.join().fold(r -> Kind.REFRESHED, r -> Kind.REJECTED, d -> Kind.DEFERRED)) {
        case REFRESHED -> refreshed++;
        case REJECTED -> rejected++;
        case DEFERRED -> deferred++;
      }
    }
    return new Run(claimed, refreshed, deferred, rejected);
  }

  private enum Kind {
    REFRESHED,
    REJECTED,
    DEFERRED
  }

  private CompletionStage<RefreshOutcome> refreshClaimed(TokenRecord record) {
    RefreshTrigger trigger =
        record.usedSinceIssued() ? RefreshTrigger.PROACTIVE : RefreshTrigger.KEEP_ALIVE;
    return refresher
        .refresh(record.key(), trigger, record.tokens().map(TokenSet::accessToken))
        .thenCompose(outcome -> reschedule(record, outcome).thenApply(done -> outcome))
        .whenComplete((outcome, failure) -> tokens.releaseLease(record.key(), settings.owner()));
  }

  /**
   * A refresh that was refused or deferred before it reached the provider wrote nothing; move the
   * record's due time so the next run does not claim it again at once.
   */
  private CompletionStage<Void> reschedule(TokenRecord claimed, RefreshOutcome outcome) {
    if (outcome.fold(refreshed -> true, rejected -> false, deferred -> false)) {
      return CompletableFuture.completedStage(null);
    }
    Optional<Instant> retry =
        outcome.fold(
            refreshed -> Optional.empty(),
            rejected -> Optional.empty(),
            deferred -> Optional.of(deferred.nextAttemptAt()));
    return credentials
        .findCredential(claimed.key().credentialName())
        .thenCompose(
            credential ->
                updates.update(
                    claimed.key(),
                    TokenChange.BOOKKEEPING,
                    latest -> {
                      Optional<Instant> planned =
                          credential.flatMap(c -> planner.nextRefreshAt(c, latest));
                      Instant now = clock.now();
                      boolean stillDue = planned.filter(at -> !at.isAfter(now)).isPresent();
                      return latest.rescheduled(stillDue ? retry : planned);
                    }))
        .thenApply(stored -> null);
  }
}
