package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A {@link TokenStore} in memory, exact to the port: compare-and-set on the version, refresh leases
 * (an unexpired lease belongs to its owner, who may extend it; an expired one to whoever asks), and
 * {@link #claimDue} that picks, leases and returns due records in one atomic step. Every operation
 * runs under one lock and returns an already-completed stage. For assertions it logs the records it
 * stored ({@link #writes()}) and counts lost compare-and-sets ({@link #casConflicts()}); {@link
 * #failWith(RuntimeException)} makes every call fail until {@link #recover()}.
 */
public final class InMemoryTokenStore implements TokenStore {

  /** A refresh lease: who holds it, until when. */
  public record Lease(String owner, Instant until) {
    public Lease {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(until, "until");
    }

    /** Held at {@code now} while {@code now} is before {@code until}. */
    public boolean isHeldAt(Instant now) {
      return now.isBefore(until);
    }
  }

  private final Object lock = new Object();
  private final Map<TokenKey, TokenRecord> records = new HashMap<>();
  private final Map<TokenKey, Lease> leases = new HashMap<>();
  private final List<TokenRecord> writes = new ArrayList<>();
  private final InMemoryEventLog eventLog;
  private long casConflicts;
  private volatile RuntimeException failure;

  public InMemoryTokenStore() {
    this(new InMemoryEventLog());
  }

  /** A store whose writes append their events to {@code eventLog}. */
  public InMemoryTokenStore(InMemoryEventLog eventLog) {
    this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
  }

  /** The log its writes append to. */
  public InMemoryEventLog eventLog() {
    return eventLog;
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> find(TokenKey key) {
    Objects.requireNonNull(key, "key");
    return call(() -> Optional.ofNullable(records.get(key)));
  }

  @Override
  public CompletionStage<Optional<TokenRecord>> compareAndSet(
      TokenRecord next, List<Event> events) {
    Objects.requireNonNull(next, "next");
    return call(
        () -> {
          TokenRecord current = records.get(next.key());
          long storedVersion = current == null ? 0 : current.version();
          if (storedVersion != next.version()) {
            casConflicts++;
            return Optional.empty();
          }
          TokenRecord stored = next.withVersion(next.version() + 1);
          records.put(stored.key(), stored);
          writes.add(stored);
          eventLog.record(events);
          return Optional.of(stored);
        });
  }

  @Override
  public CompletionStage<Boolean> tryLease(TokenKey key, String owner, Instant until, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(now, "now");
    return call(
        () -> {
          Lease current = leases.get(key);
          if (current != null && current.isHeldAt(now) && !current.owner().equals(owner)) {
            return false;
          }
          leases.put(key, new Lease(owner, until));
          return true;
        });
  }

  @Override
  public CompletionStage<Void> releaseLease(TokenKey key, String owner) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(owner, "owner");
    return call(
        () -> {
          Lease current = leases.get(key);
          if (current != null && current.owner().equals(owner)) {
            leases.remove(key);
          }
          return null;
        });
  }

  @Override
  public CompletionStage<List<TokenRecord>> claimDue(
      Instant now, int limit, String owner, Instant leaseUntil) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(leaseUntil, "leaseUntil");
    return call(
        () -> {
          if (limit <= 0) {
            return List.of();
          }
          // a lease held by the claimer itself is skipped as well: that record is being worked on
          List<TokenRecord> due =
              records.values().stream()
                  .filter(r -> r.nextRefreshAt().isPresent())
                  .filter(r -> !r.nextRefreshAt().get().isAfter(now))
                  .filter(r -> leases.get(r.key()) == null || !leases.get(r.key()).isHeldAt(now))
                  .sorted(
                      Comparator.comparing((TokenRecord r) -> r.nextRefreshAt().get())
                          .thenComparing(r -> r.key().credentialName())
                          .thenComparing(r -> r.key().userSubject()))
                  .limit(limit)
                  .toList();
          due.forEach(r -> leases.put(r.key(), new Lease(owner, leaseUntil)));
          return due;
        });
  }

  @Override
  public CompletionStage<List<TokenRecord>> findByCredential(String credentialName) {
    Objects.requireNonNull(credentialName, "credentialName");
    return call(
        () ->
            records.values().stream()
                .filter(r -> r.key().credentialName().equals(credentialName))
                .sorted(Comparator.comparing(r -> r.key().userSubject()))
                .toList());
  }

  @Override
  public CompletionStage<Void> delete(TokenKey key) {
    Objects.requireNonNull(key, "key");
    return call(
        () -> {
          records.remove(key);
          leases.remove(key);
          return null;
        });
  }

  @Override
  public CompletionStage<TokenCensus> census(Instant now, Instant overdueBefore, int soonest) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(overdueBefore, "overdueBefore");
    return call(
        () -> {
          Map<TokenState, Long> byState = new EnumMap<>(TokenState.class);
          long predicted = 0;
          for (TokenRecord record : records.values()) {
            boolean expired = predictedExpired(record, now);
            predicted += expired ? 1 : 0;
            byState.merge(expired ? TokenState.NEEDS_AUTHORIZATION : record.state(), 1L, Long::sum);
          }
          long overdue =
              records.values().stream()
                  .filter(
                      r -> r.nextRefreshAt().filter(at -> at.isBefore(overdueBefore)).isPresent())
                  .count();
          List<TokenRecord> soonestExpiring =
              records.values().stream()
                  .filter(r -> refreshTokenExpiry(r).isPresent())
                  .sorted(
                      Comparator.comparing((TokenRecord r) -> refreshTokenExpiry(r).get())
                          .thenComparing(r -> r.key().credentialName())
                          .thenComparing(r -> r.key().userSubject()))
                  .limit(Math.max(0, soonest))
                  .toList();
          return new TokenCensus(byState, predicted, overdue, soonestExpiring);
        });
  }

  /** The census's rule: a grant kept by its state, with a known refresh-token expiry passed. */
  private static boolean predictedExpired(TokenRecord record, Instant now) {
    return record.state().keepsGrant()
        && record
            .tokens()
            .flatMap(TokenSet::refreshTokenExpiry)
            .filter(RefreshTokenExpiry::isKnown)
            .filter(expiry -> !expiry.at().isAfter(now))
            .isPresent();
  }

  private static Optional<Instant> refreshTokenExpiry(TokenRecord record) {
    return record.tokens().flatMap(TokenSet::refreshTokenExpiresAt);
  }

  /** Every record of a credential goes, with its leases (what deleting a credential does). */
  public void deleteCredential(String credentialName) {
    synchronized (lock) {
      records.keySet().removeIf(k -> k.credentialName().equals(credentialName));
      leases.keySet().removeIf(k -> k.credentialName().equals(credentialName));
    }
  }

  /**
   * Puts {@code record} in place as is, bypassing compare-and-set and the {@link #writes()} log:
   * the state a test starts from. Its version must be at least 1 (it is stored).
   */
  public void seed(TokenRecord record) {
    if (record.version() < 1) {
      throw new IllegalArgumentException("a stored record has a version of at least 1");
    }
    synchronized (lock) {
      records.put(record.key(), record);
    }
  }

  /** Makes every following call fail its stage with {@code failure}, until {@link #recover()}. */
  public void failWith(RuntimeException failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public void recover() {
    this.failure = null;
  }

  /** The records stored by successful compare-and-sets, in order, as stored (version set). */
  public List<TokenRecord> writes() {
    synchronized (lock) {
      return List.copyOf(writes);
    }
  }

  /** How many compare-and-sets found another version stored. */
  public long casConflicts() {
    synchronized (lock) {
      return casConflicts;
    }
  }

  /** The lease of {@code key} as recorded, expired or not. */
  public Optional<Lease> lease(TokenKey key) {
    synchronized (lock) {
      return Optional.ofNullable(leases.get(key));
    }
  }

  /** Who holds (or last held, if expired and not taken since) the lease of {@code key}. */
  public Optional<String> leaseHolder(TokenKey key) {
    return lease(key).map(Lease::owner);
  }

  /** The stored record, read directly (no failure injection), for assertions. */
  public Optional<TokenRecord> stored(TokenKey key) {
    synchronized (lock) {
      return Optional.ofNullable(records.get(key));
    }
  }

  public int size() {
    synchronized (lock) {
      return records.size();
    }
  }

  private <T> CompletionStage<T> call(Supplier<T> operation) {
    RuntimeException failing = failure;
    if (failing != null) {
      return CompletableFuture.failedFuture(failing);
    }
    synchronized (lock) {
      return CompletableFuture.completedFuture(operation.get());
    }
  }
}
