package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where token records are kept. Writes are compare-and-set on {@link TokenRecord#version()}, so two
 * writers can never silently overwrite each other; a refresh <em>lease</em> (owner and expiry) lets
 * one instance of a cluster refresh a given token while the others wait for its result.
 */
public interface TokenStore {

  CompletionStage<Optional<TokenRecord>> find(TokenKey key);

  /**
   * Stores {@code next} if the stored version is still {@code next.version()} (0: nothing stored
   * yet). Returns the record as stored, with its version incremented, or empty when another writer
   * came first.
   */
  default CompletionStage<Optional<TokenRecord>> compareAndSet(TokenRecord next) {
    return compareAndSet(next, List.of());
  }

  /**
   * Like {@link #compareAndSet(TokenRecord)}, and appends {@code events} to the {@link EventLog} in
   * the same transaction: both are stored, or (another writer came first, or a failure) neither.
   */
  CompletionStage<Optional<TokenRecord>> compareAndSet(TokenRecord next, List<Event> events);

  /**
   * Takes the refresh lease of {@code key} for {@code owner} until {@code until}, if nobody else
   * holds an unexpired one (the same owner may extend its own). True when taken.
   */
  CompletionStage<Boolean> tryLease(TokenKey key, String owner, Instant until, Instant now);

  /** Gives the lease back if {@code owner} holds it. */
  CompletionStage<Void> releaseLease(TokenKey key, String owner);

  /**
   * Claims up to {@code limit} records whose {@code nextRefreshAt} is at or before {@code now} and
   * whose lease is free or expired, leasing each to {@code owner} until {@code leaseUntil},
   * earliest due first. Concurrent claimers never receive the same record.
   */
  CompletionStage<List<TokenRecord>> claimDue(
      Instant now, int limit, String owner, Instant leaseUntil);

  /** All records of a credential (its per-user tokens too). */
  CompletionStage<List<TokenRecord>> findByCredential(String credentialName);

  CompletionStage<Void> delete(TokenKey key);

  /**
   * Counts the records by state as they stand at {@code now} — a record in a state that keeps its
   * grant ({@code ACTIVE}, {@code EXPIRING}, {@code REFRESHING}, {@code REFRESH_FAILED}, {@code
   * CLIENT_REJECTED}) whose refresh token's known expiry (reported, from its claim, or configured;
   * not assumed) is not after {@code now} counts as {@code NEEDS_AUTHORIZATION} and as predicted
   * expired — and those whose {@code nextRefreshAt} is before {@code overdueBefore}, and returns
   * the {@code soonest} records with the earliest refresh-token expiry.
   */
  CompletionStage<TokenCensus> census(Instant now, Instant overdueBefore, int soonest);
}
