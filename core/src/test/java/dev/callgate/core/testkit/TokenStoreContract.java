package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.TokenCensus;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TokenStore} must do, whatever keeps the records: an adapter's test extends this
 * class and returns an empty store from {@link #createStore()}. Instants are whole milliseconds, so
 * stores with microsecond precision round-trip them exactly; concurrent tests join stages from
 * plain threads, never from an event loop.
 */
public abstract class TokenStoreContract {

  /** A fixed instant the tests count from. */
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123Z");

  protected TokenStore store;

  /** A new, empty store. Called before each test. */
  protected abstract TokenStore createStore();

  /**
   * Makes {@code credentialName} exist for stores whose tokens belong to a stored credential (a
   * foreign key); by default nothing. Called before a token of that credential is written.
   */
  protected void credentialExists(String credentialName) {}

  /** Frees what {@link #createStore()} took; by default nothing. */
  protected void closeStore(TokenStore closing) {}

  @BeforeEach
  void createTheStore() {
    store = createStore();
  }

  @AfterEach
  void closeTheStore() {
    closeStore(store);
  }

  // ---- compare-and-set ----

  @Test
  void compareAndSetWhenNothingStoredAndVersionZeroThenInsertsWithVersionOne() {
    TokenRecord record = TokenRecord.unauthorized(key("crm"));
    credentialExists("crm");

    Optional<TokenRecord> stored = join(store.compareAndSet(record));

    assertThat(stored).contains(record.withVersion(1));
    assertThat(join(store.find(key("crm")))).contains(record.withVersion(1));
  }

  @Test
  void compareAndSetWhenNothingStoredAndVersionAboveZeroThenConflicts() {
    credentialExists("crm");

    assertThat(join(store.compareAndSet(TokenRecord.unauthorized(key("crm")).withVersion(3))))
        .isEmpty();
    assertThat(join(store.find(key("crm")))).isEmpty();
  }

  @Test
  void compareAndSetWhenRecordExistsAndVersionZeroThenConflicts() {
    TokenRecord first = insert(TokenRecord.unauthorized(key("crm")));

    Optional<TokenRecord> second =
        join(
            store.compareAndSet(
                TokenRecords.edit(TokenRecord.unauthorized(key("crm")))
                    .state(TokenState.ACTIVE)
                    .build()));

    assertThat(second).isEmpty();
    assertThat(join(store.find(key("crm")))).contains(first);
  }

  @Test
  void compareAndSetWhenVersionMatchesThenUpdatesAndIncrementsVersion() {
    TokenRecord stored = insert(fullRecord(key("crm")));

    TokenRecord next =
        TokenRecords.edit(stored).state(TokenState.EXPIRING).lastUsedAt(T0.plusSeconds(5)).build();
    Optional<TokenRecord> updated = join(store.compareAndSet(next));

    assertThat(updated).contains(next.withVersion(2));
    assertThat(join(store.find(key("crm")))).contains(next.withVersion(2));
  }

  @Test
  void compareAndSetWhenVersionIsStaleThenConflictsAndKeepsTheStoredRecord() {
    TokenRecord stored = insert(fullRecord(key("crm")));
    TokenRecord newer =
        join(store.compareAndSet(TokenRecords.edit(stored).state(TokenState.EXPIRING).build()))
            .get();

    Optional<TokenRecord> stale =
        join(store.compareAndSet(TokenRecords.edit(stored).state(TokenState.REVOKED).build()));

    assertThat(stale).isEmpty();
    assertThat(join(store.find(key("crm")))).contains(newer);
  }

  @Test
  void compareAndSetWhenFiftyWritersRaceOneVersionThenExactlyOneWins() {
    TokenRecord stored = insert(fullRecord(key("crm")));

    List<Optional<TokenRecord>> results =
        race(
            50,
            i ->
                join(
                    store.compareAndSet(
                        TokenRecords.edit(stored)
                            .failures(i, Optional.of(T0.plusSeconds(i)))
                            .build())));

    List<TokenRecord> winners = results.stream().flatMap(Optional::stream).toList();
    assertThat(winners).hasSize(1);
    assertThat(winners.get(0).version()).isEqualTo(2);
    assertThat(join(store.find(key("crm")))).contains(winners.get(0));
  }

  @Test
  void compareAndSetWhenFiftyWritersRaceTheInsertThenExactlyOneWins() {
    credentialExists("crm");

    List<Optional<TokenRecord>> results =
        race(
            50,
            i ->
                join(
                    store.compareAndSet(
                        TokenRecords.edit(TokenRecord.unauthorized(key("crm")))
                            .failures(i, Optional.empty())
                            .build())));

    assertThat(results.stream().filter(Optional::isPresent)).hasSize(1);
    assertThat(join(store.find(key("crm"))).get().version()).isEqualTo(1);
  }

  @Test
  void compareAndSetWhenWritersTakeTurnsThenEveryWriteLands() {
    insert(TokenRecord.unauthorized(key("crm")));

    // each writer re-reads and retries until its increment lands: no update may be lost
    race(
        20,
        i -> {
          while (true) {
            TokenRecord current = join(store.find(key("crm"))).get();
            TokenRecord next =
                TokenRecords.edit(current)
                    .failures(current.failures().count() + 1, Optional.empty())
                    .build();
            if (join(store.compareAndSet(next)).isPresent()) {
              return null;
            }
          }
        });

    TokenRecord last = join(store.find(key("crm"))).get();
    assertThat(last.failures().count()).isEqualTo(20);
    assertThat(last.version()).isEqualTo(21);
  }

  // ---- round trip ----

  @Test
  void findWhenRecordHasEveryFieldSetThenReturnsItUnchanged() {
    TokenRecord record = fullRecord(TokenKey.perUser("crm", "alice@example.com"));

    TokenRecord stored = insert(record);

    assertThat(stored).isEqualTo(record.withVersion(1));
    TokenRecord found = join(store.find(record.key())).get();
    assertThat(found).isEqualTo(record.withVersion(1));
    assertThat(found.tokens().get().accessToken().reveal()).isEqualTo("at-secret-1");
    assertThat(found.tokens().get().refreshToken().get().reveal()).isEqualTo("rt-secret-1");
    assertThat(found.diagnoses()).extracting(Diagnosis::message).hasSize(2);
  }

  @Test
  void findWhenOptionalFieldsAreEmptyThenReturnsThemEmpty() {
    TokenSet withoutRefresh =
        new TokenSet(
            Secret.of("at-only"),
            "Bearer",
            T0,
            T0.plusSeconds(3600),
            Optional.empty(),
            Optional.empty(),
            List.of());
    TokenRecord record =
        TokenRecords.edit(TokenRecord.unauthorized(key("crm"))).tokens(withoutRefresh).build();

    insert(record);

    assertThat(join(store.find(key("crm")))).contains(record.withVersion(1));
  }

  @Test
  void findWhenEachRefreshTokenExpirySourceIsStoredThenReturnsIt() {
    for (RefreshTokenExpiry.Source source : RefreshTokenExpiry.Source.values()) {
      TokenKey key = TokenKey.perUser("crm", "user-" + source.name().toLowerCase());
      TokenSet full = fullTokens();
      TokenSet tokens =
          new TokenSet(
              full.accessToken(),
              full.tokenType(),
              full.issuedAt(),
              full.expiresAt(),
              full.refreshToken(),
              Optional.of(new RefreshTokenExpiry(T0.plusSeconds(86400), source)),
              full.scope());
      TokenRecord record = TokenRecords.edit(TokenRecord.unauthorized(key)).tokens(tokens).build();

      insert(record);

      assertThat(join(store.find(key))).contains(record.withVersion(1));
    }
  }

  @Test
  void findWhenEachStateIsStoredThenReturnsIt() {
    for (TokenState state : TokenState.values()) {
      TokenKey key = TokenKey.perUser("crm", "user-" + state.name().toLowerCase());
      TokenRecord record = TokenRecords.edit(fullRecord(key)).state(state).build();

      insert(record);

      assertThat(join(store.find(key))).contains(record.withVersion(1));
    }
  }

  @Test
  void findWhenNamedAndPerUserTokensShareACredentialThenKeepsThemApart() {
    TokenRecord named = insert(fullRecord(TokenKey.named("crm")));
    TokenRecord alice =
        insert(
            TokenRecords.edit(fullRecord(TokenKey.perUser("crm", "alice")))
                .state(TokenState.EXPIRING)
                .build());

    assertThat(join(store.find(TokenKey.named("crm")))).contains(named);
    assertThat(join(store.find(TokenKey.perUser("crm", "alice")))).contains(alice);
    assertThat(join(store.find(TokenKey.perUser("crm", "bob")))).isEmpty();
  }

  // ---- leases ----

  @Test
  void tryLeaseWhenFreeThenTakesIt() {
    insert(fullRecord(key("crm")));

    assertThat(join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0))).isTrue();
  }

  @Test
  void tryLeaseWhenAnotherOwnerHoldsAnUnexpiredOneThenRefuses() {
    insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(60), T0.plusSeconds(29))))
        .isFalse();
  }

  @Test
  void tryLeaseWhenTheSameOwnerHoldsItThenExtendsIt() {
    insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    assertThat(join(store.tryLease(key("crm"), "a", T0.plusSeconds(90), T0.plusSeconds(20))))
        .isTrue();
    // the extension holds past the first expiry
    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(120), T0.plusSeconds(60))))
        .isFalse();
  }

  @Test
  void tryLeaseWhenTheLeaseExpiredThenAnyoneTakesIt() {
    insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(90), T0.plusSeconds(30))))
        .isTrue();
    assertThat(join(store.tryLease(key("crm"), "a", T0.plusSeconds(95), T0.plusSeconds(31))))
        .isFalse();
  }

  @Test
  void releaseLeaseWhenOwnerReleasesThenAnotherMayTakeIt() {
    insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    join(store.releaseLease(key("crm"), "a"));

    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(30), T0.plusSeconds(1))))
        .isTrue();
  }

  @Test
  void releaseLeaseWhenAnotherOwnerReleasesThenTheLeaseStays() {
    insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    join(store.releaseLease(key("crm"), "b"));

    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(30), T0.plusSeconds(1))))
        .isFalse();
  }

  @Test
  void tryLeaseWhenFiftyOwnersRaceThenExactlyOneHoldsIt() {
    insert(fullRecord(key("crm")));

    List<Boolean> taken =
        race(50, i -> join(store.tryLease(key("crm"), "owner-" + i, T0.plusSeconds(30), T0)));

    assertThat(taken.stream().filter(Boolean::booleanValue)).hasSize(1);
  }

  @Test
  void compareAndSetWhenALeaseIsHeldThenStillWritesAndKeepsTheLease() {
    TokenRecord stored = insert(fullRecord(key("crm")));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    assertThat(
            join(
                store.compareAndSet(
                    TokenRecords.edit(stored).state(TokenState.REFRESHING).build())))
        .isPresent();
    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(30), T0.plusSeconds(1))))
        .isFalse();
  }

  // ---- claimDue ----

  @Test
  void claimDueWhenRecordsAreDueThenReturnsEarliestFirstUpToTheLimit() {
    insert(due("c", T0.minusSeconds(10)));
    insert(due("a", T0.minusSeconds(30)));
    insert(due("b", T0.minusSeconds(20)));
    insert(due("d", T0));

    List<TokenRecord> claimed = join(store.claimDue(T0, 3, "a", T0.plusSeconds(60)));

    assertThat(claimed).extracting(r -> r.key().credentialName()).containsExactly("a", "b", "c");
  }

  @Test
  void claimDueWhenRecordsAreNotDueOrHaveNoNextRefreshThenSkipsThem() {
    insert(due("later", T0.plusMillis(1)));
    insert(TokenRecords.edit(fullRecord(key("never"))).nextRefreshAt(Optional.empty()).build());
    insert(due("now", T0));

    List<TokenRecord> claimed = join(store.claimDue(T0, 10, "a", T0.plusSeconds(60)));

    assertThat(claimed).extracting(r -> r.key().credentialName()).containsExactly("now");
  }

  @Test
  void claimDueWhenRecordsAreClaimedThenReturnsThemAsStored() {
    TokenRecord stored = insert(due("crm", T0.minusSeconds(1)));

    assertThat(join(store.claimDue(T0, 10, "a", T0.plusSeconds(60)))).containsExactly(stored);
  }

  @Test
  void claimDueWhenARecordIsLeasedThenSkipsItUntilTheLeaseExpires() {
    insert(due("leased", T0.minusSeconds(30)));
    insert(due("free", T0.minusSeconds(10)));
    join(store.tryLease(key("leased"), "other", T0.plusSeconds(60), T0));

    assertThat(join(store.claimDue(T0, 10, "a", T0.plusSeconds(60))))
        .extracting(r -> r.key().credentialName())
        .containsExactly("free");
    assertThat(join(store.claimDue(T0.plusSeconds(60), 10, "b", T0.plusSeconds(120))))
        .extracting(r -> r.key().credentialName())
        .containsExactly("leased", "free");
  }

  @Test
  void claimDueWhenClaimedThenLeasesToTheClaimer() {
    insert(due("crm", T0.minusSeconds(1)));

    join(store.claimDue(T0, 10, "a", T0.plusSeconds(60)));

    assertThat(join(store.claimDue(T0.plusSeconds(59), 10, "b", T0.plusSeconds(120)))).isEmpty();
    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(90), T0.plusSeconds(59))))
        .isFalse();
    assertThat(join(store.tryLease(key("crm"), "a", T0.plusSeconds(90), T0.plusSeconds(59))))
        .isTrue();
  }

  @Test
  void claimDueWhenTwoClaimersRaceThenNoRecordIsClaimedTwice() {
    for (int i = 0; i < 40; i++) {
      insert(due(String.format("c%02d", i), T0.minusSeconds(i)));
    }

    List<List<TokenRecord>> claims =
        race(8, i -> join(store.claimDue(T0, 7, "owner-" + i, T0.plusSeconds(60))));

    List<TokenKey> claimed = claims.stream().flatMap(List::stream).map(TokenRecord::key).toList();
    assertThat(claimed).doesNotHaveDuplicates().hasSize(40);
  }

  @Test
  void claimDueWhenLimitIsZeroThenClaimsNothing() {
    insert(due("crm", T0.minusSeconds(1)));

    assertThat(join(store.claimDue(T0, 0, "a", T0.plusSeconds(60)))).isEmpty();
    assertThat(join(store.tryLease(key("crm"), "b", T0.plusSeconds(60), T0))).isTrue();
  }

  // ---- findByCredential, delete ----

  @Test
  void findByCredentialWhenSeveralCredentialsHaveTokensThenReturnsOnlyThatCredentials() {
    TokenRecord named = insert(fullRecord(TokenKey.named("crm")));
    TokenRecord alice = insert(fullRecord(TokenKey.perUser("crm", "alice")));
    insert(fullRecord(TokenKey.named("crm2")));
    insert(fullRecord(TokenKey.perUser("erp", "alice")));

    assertThat(join(store.findByCredential("crm"))).containsExactlyInAnyOrder(named, alice);
    assertThat(join(store.findByCredential("none"))).isEmpty();
  }

  @Test
  void deleteWhenRecordExistsThenItIsGoneAndMayBeInsertedAgain() {
    insert(fullRecord(key("crm")));
    TokenRecord other = insert(fullRecord(TokenKey.perUser("crm", "alice")));

    join(store.delete(key("crm")));

    assertThat(join(store.find(key("crm")))).isEmpty();
    assertThat(join(store.find(other.key()))).contains(other);
    assertThat(join(store.compareAndSet(TokenRecord.unauthorized(key("crm"))))).isPresent();
  }

  @Test
  void deleteWhenNothingIsStoredThenCompletes() {
    join(store.delete(key("none")));

    assertThat(join(store.find(key("none")))).isEmpty();
  }

  // ---- building blocks ----

  @Test
  void censusWhenRecordsStandInSeveralStatesThenCountsThemAndListsTheSoonestExpiring() {
    insert(fullRecord(key("full")));
    insert(due("due-early", T0.minusSeconds(120)));
    insert(due("due-late", T0.plusSeconds(120)));
    TokenSet tokens = fullTokens();
    TokenSet expiringFirst =
        new TokenSet(
            tokens.accessToken(),
            tokens.tokenType(),
            tokens.issuedAt(),
            tokens.expiresAt(),
            tokens.refreshToken(),
            Optional.of(
                new RefreshTokenExpiry(T0.plusSeconds(60), RefreshTokenExpiry.Source.CONFIGURED)),
            tokens.scope());
    insert(
        TokenRecords.edit(TokenRecord.unauthorized(key("first")))
            .tokens(expiringFirst)
            .state(TokenState.ACTIVE)
            .build());

    TokenCensus census = join(store.census(T0, T0.minusSeconds(60), 1));

    assertThat(census.byState())
        .containsOnly(Map.entry(TokenState.REFRESH_FAILED, 3L), Map.entry(TokenState.ACTIVE, 1L));
    assertThat(census.overdue()).isEqualTo(1);
    assertThat(census.soonestRefreshTokenExpiry())
        .singleElement()
        .satisfies(record -> assertThat(record.key()).isEqualTo(key("first")));
    assertThat(census.predictedExpired()).isZero();
    assertThat(join(store.census(T0, T0, 10)).soonestRefreshTokenExpiry())
        .extracting(TokenRecord::key)
        .containsExactly(key("first"), key("due-early"), key("due-late"), key("full"));
  }

  @Test
  void censusWhenAKnownRefreshTokenExpiryHasPassedThenCountsTheGrantAsNeedingAuthorization() {
    TokenSet tokens = fullTokens();
    for (RefreshTokenExpiry.Source source : RefreshTokenExpiry.Source.values()) {
      TokenSet expired =
          new TokenSet(
              tokens.accessToken(),
              tokens.tokenType(),
              tokens.issuedAt(),
              tokens.expiresAt(),
              tokens.refreshToken(),
              Optional.of(new RefreshTokenExpiry(T0.minusSeconds(1), source)),
              tokens.scope());
      insert(
          TokenRecords.edit(TokenRecord.unauthorized(key("idle-" + source.name().toLowerCase())))
              .tokens(expired)
              .state(TokenState.ACTIVE)
              .build());
    }
    insert(TokenRecords.edit(fullRecord(key("refused"))).state(TokenState.CLIENT_REJECTED).build());
    insert(
        TokenRecords.edit(fullRecord(key("dead"))).state(TokenState.NEEDS_AUTHORIZATION).build());

    TokenCensus before = join(store.census(T0.minusSeconds(2), T0.minusSeconds(60), 0));
    TokenCensus after = join(store.census(T0.plusSeconds(86400), T0.minusSeconds(60), 0));

    // an assumed expiry is no knowledge: that grant may well live on
    assertThat(before.byState())
        .containsOnly(
            Map.entry(TokenState.ACTIVE, 4L),
            Map.entry(TokenState.CLIENT_REJECTED, 1L),
            Map.entry(TokenState.NEEDS_AUTHORIZATION, 1L));
    assertThat(before.predictedExpired()).isZero();
    assertThat(after.byState())
        .containsOnly(
            Map.entry(TokenState.ACTIVE, 1L), Map.entry(TokenState.NEEDS_AUTHORIZATION, 5L));
    assertThat(after.predictedExpired()).isEqualTo(4);
  }

  protected static TokenKey key(String credentialName) {
    return TokenKey.named(credentialName);
  }

  /** Inserts {@code record} (version 0) and returns it as stored. */
  protected TokenRecord insert(TokenRecord record) {
    credentialExists(record.key().credentialName());
    Optional<TokenRecord> stored = join(store.compareAndSet(record.withVersion(0)));
    assertThat(stored).as("insert of %s", record.key()).isPresent();
    return stored.get();
  }

  protected static TokenSet fullTokens() {
    return new TokenSet(
        Secret.of("at-secret-1"),
        "Bearer",
        T0,
        T0.plusSeconds(3600),
        Optional.of(Secret.of("rt-secret-1")),
        Optional.of(
            new RefreshTokenExpiry(T0.plusSeconds(86400), RefreshTokenExpiry.Source.REPORTED)),
        List.of("openid", "offline_access", "api.read"));
  }

  /** A record with every optional field present and every count non-zero. */
  protected static TokenRecord fullRecord(TokenKey key) {
    return new TokenRecord(
        key,
        TokenState.REFRESH_FAILED,
        Optional.of(fullTokens()),
        Optional.of(T0.minusSeconds(600)),
        Optional.of(T0.minusSeconds(5)),
        new FailureStreak(3, Optional.of(T0.minusSeconds(90)), Optional.of(T0.minusSeconds(10))),
        Optional.of(T0.plusSeconds(8)),
        new RefreshAttempts(
            T0.minusSeconds(1200),
            Map.of(
                RefreshBudget.SCHEDULE,
                4,
                RefreshBudget.AFTER_REJECTION,
                3,
                RefreshBudget.ADMIN,
                2,
                RefreshBudget.OWNER,
                1)),
        List.of(
            Diagnosis.of(
                DiagnosisCode.REFRESH_FAILED_TRANSIENT,
                "reason",
                "HTTP 503 from https://idp.test/token",
                "nextAttemptAt",
                T0.plusSeconds(8)),
            Diagnosis.of(
                DiagnosisCode.REFRESH_TOKEN_EXPIRING,
                "refreshTokenExpiresAt",
                T0.plusSeconds(86400))),
        Optional.of(T0.plusSeconds(3000)),
        Optional.of(new RefreshStart("callgate-contract", T0.minusSeconds(30))),
        Optional.of(
            new ProviderIdentity(
                "f:1d3c:alice",
                Optional.of("alice"),
                Optional.of("alice@example.com"),
                Optional.of("session-77"))),
        0);
  }

  protected static TokenRecord due(String credentialName, Instant nextRefreshAt) {
    return TokenRecords.edit(fullRecord(key(credentialName)))
        .nextRefreshAt(Optional.of(nextRefreshAt))
        .build();
  }

  protected static <T> T join(CompletionStage<T> stage) {
    return Concurrently.join(stage);
  }

  protected static <T> List<T> race(int threads, Concurrently.Racer<T> racer) {
    return Concurrently.race(threads, racer);
  }
}
