package dev.callgate.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.testkit.DelegatingTokenStore;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CachedStoresTest {
  private static final TokenKey CRM = TokenKey.named("crm");
  private static final Duration STALENESS = Duration.ofSeconds(10);

  private final InMemoryTokenStore memory = new InMemoryTokenStore();
  private final InMemoryCredentialStore credentialMemory = new InMemoryCredentialStore(memory);
  private final InMemoryApiKeyStore keyMemory = new InMemoryApiKeyStore();
  private final ScriptedChangeFeed feed = new ScriptedChangeFeed();
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicInteger tokenReads = new AtomicInteger();
  private final List<CompletableFuture<Void>> heldReads = new ArrayList<>();
  private volatile boolean holdReads;

  /** The store as the caches see it: token reads are counted, and held while a test says so. */
  private final DelegatingTokenStore counted =
      new DelegatingTokenStore(memory) {
        @Override
        public CompletionStage<Optional<TokenRecord>> find(TokenKey key) {
          tokenReads.incrementAndGet();
          if (!holdReads) {
            return super.find(key);
          }
          CompletableFuture<Void> gate = new CompletableFuture<>();
          synchronized (heldReads) {
            heldReads.add(gate);
          }
          return gate.thenCompose(v -> super.find(key));
        }
      };

  private CachedStores cached;

  @BeforeEach
  void stored() {
    cached =
        new CachedStores(
            credentialMemory,
            counted,
            keyMemory,
            feed,
            new CacheOptions(STALENESS, 1000),
            nanos::get);
    memory.seed(record("at-1").withVersion(1));
  }

  private static TokenRecord record(String accessToken) {
    return TokenRecords.edit(TokenRecord.unauthorized(CRM))
        .state(TokenState.ACTIVE)
        .tokens(
            new TokenSet(
                Secret.of(accessToken),
                "Bearer",
                Instant.parse("2029-12-31T23:00:00Z"),
                Instant.parse("2030-01-01T01:00:00Z"),
                Optional.empty(),
                Optional.empty(),
                List.of()))
        .build();
  }

  /** Another instance writes to the shared store (not through these caches). */
  private void writtenElsewhere(String accessToken) {
    TokenRecord latest = memory.stored(CRM).orElseThrow();
    TokenRecord next = record(accessToken).withVersion(latest.version());
    assertThat(join(memory.compareAndSet(next))).isPresent();
  }

  private String cachedAccessToken() {
    return join(cached.tokens().find(CRM))
        .orElseThrow()
        .tokens()
        .orElseThrow()
        .accessToken()
        .reveal();
  }

  private void releaseHeldReads() {
    List<CompletableFuture<Void>> due;
    synchronized (heldReads) {
      due = List.copyOf(heldReads);
      heldReads.clear();
    }
    due.forEach(gate -> gate.complete(null));
  }

  @Test
  void findWhenReadAgainWhileNothingChangedThenReadsTheStoreOnce() {
    for (int i = 0; i < 100; i++) {
      assertThat(cachedAccessToken()).isEqualTo("at-1");
    }

    assertThat(tokenReads).hasValue(1);
    assertThat(cached.statistics()).isEqualTo(new CacheStatistics(99, 1, 0));
  }

  @Test
  void findWhenAnotherInstanceChangedTheTokenThenTheFeedsNewsMakesItRead() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    writtenElsewhere("at-2");
    assertThat(cachedAccessToken()).as("no news yet").isEqualTo("at-1");

    feed.announce(new StoreChange.TokenChanged(CRM));

    assertThat(cachedAccessToken()).isEqualTo("at-2");
    assertThat(tokenReads).hasValue(2);
  }

  @Test
  void findWhenTheNewsOfAChangeIsLostThenServedNoLongerThanTheStalenessBound() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    writtenElsewhere("at-2");

    nanos.addAndGet(STALENESS.minusMillis(1).toNanos());
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    nanos.addAndGet(Duration.ofMillis(1).toNanos());

    assertThat(cachedAccessToken()).isEqualTo("at-2");
  }

  @Test
  void findWhenTheFeedIsNotListeningThenReadsTheStoreEveryTime() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    feed.listening(false);

    writtenElsewhere("at-2");
    assertThat(cachedAccessToken()).isEqualTo("at-2");
    assertThat(cachedAccessToken()).isEqualTo("at-2");

    assertThat(tokenReads).hasValue(3);
  }

  @Test
  void findWhenTheFeedResumesThenEverythingIsReadAgain() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    writtenElsewhere("at-2");

    feed.announce(new StoreChange.Resumed());

    assertThat(cachedAccessToken()).isEqualTo("at-2");
  }

  @Test
  void findWhenTheStoreIsDownThenServesTheLastValueAndTriesTheStoreAgainNextTime() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    feed.listening(false);
    memory.failWith(new StoreUnavailableException("connection refused", null));

    assertThat(cachedAccessToken()).isEqualTo("at-1");
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    assertThat(tokenReads).hasValue(3);
    assertThat(cached.statistics().servedStale()).isEqualTo(2);

    memory.recover();
    writtenElsewhere("at-2");
    assertThat(cachedAccessToken()).isEqualTo("at-2");
  }

  @Test
  void findWhenAChangeWasAnnouncedAndThenTheStoreWentDownThenServesTheLastValue() {
    assertThat(cachedAccessToken()).isEqualTo("at-1");
    feed.announce(new StoreChange.TokenChanged(CRM));
    feed.announce(new StoreChange.Resumed());
    memory.failWith(new StoreUnavailableException("connection refused", null));

    assertThat(cachedAccessToken()).isEqualTo("at-1");

    memory.recover();
    writtenElsewhere("at-2");
    assertThat(cachedAccessToken()).as("read again once the store is back").isEqualTo("at-2");
  }

  @Test
  void findWhenTheStoreIsDownAndNothingIsCachedThenFailsAsUnavailable() {
    memory.failWith(new StoreUnavailableException("connection refused", null));

    assertThatThrownBy(() -> cached.tokens().find(CRM).toCompletableFuture().join())
        .hasCauseInstanceOf(StoreUnavailableException.class);

    memory.recover();
    assertThat(cachedAccessToken()).isEqualTo("at-1");
  }

  @Test
  void findWhenManyMissAtOnceThenOneStoreReadServesThemAll() {
    holdReads = true;
    List<CompletableFuture<Optional<TokenRecord>>> finds = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      finds.add(cached.tokens().find(CRM).toCompletableFuture());
    }
    holdReads = false;
    releaseHeldReads();

    assertThat(finds).allSatisfy(find -> assertThat(join(find)).isPresent());
    assertThat(tokenReads).hasValue(1);
  }

  @Test
  void findWhenAChangeIsAnnouncedDuringAReadThenTheReadIsNotKept() {
    holdReads = true;
    CompletableFuture<Optional<TokenRecord>> before =
        cached.tokens().find(CRM).toCompletableFuture();
    writtenElsewhere("at-2");
    feed.announce(new StoreChange.TokenChanged(CRM));
    holdReads = false;
    // the held read may return either version; what matters is what is kept
    releaseHeldReads();
    join(before);

    assertThat(cachedAccessToken()).isEqualTo("at-2");
    assertThat(tokenReads).hasValue(2);
  }

  @Test
  void compareAndSetWhenWrittenThroughTheCacheThenTheNextFindReadsTheWrite() {
    TokenRecord seen = join(cached.tokens().find(CRM)).orElseThrow();

    assertThat(
            join(
                cached
                    .tokens()
                    .compareAndSet(TokenRecords.edit(seen).state(TokenState.EXPIRING).build())))
        .isPresent();

    assertThat(join(cached.tokens().find(CRM)).orElseThrow().state())
        .isEqualTo(TokenState.EXPIRING);
  }

  @Test
  void compareAndSetWhenAnotherWriterCameFirstThenTheNextFindReadsTheirWrite() {
    TokenRecord seen = join(cached.tokens().find(CRM)).orElseThrow();
    writtenElsewhere("at-2");

    assertThat(
            join(
                cached
                    .tokens()
                    .compareAndSet(TokenRecords.edit(seen).state(TokenState.EXPIRING).build())))
        .isEmpty();

    assertThat(cachedAccessToken()).isEqualTo("at-2");
  }

  @Test
  void deleteCredentialWhenItsTokensAreCachedThenTheyAreDroppedWithIt() {
    NamedCredential crm =
        new NamedCredential(
            "crm",
            URI.create("https://api.test"),
            new Authentication.None(),
            PrincipalType.NAMED,
            true,
            false,
            false,
            Set.of(),
            true,
            Optional.empty());
    join(cached.credentials().saveCredential(crm));
    assertThat(join(cached.credentials().findCredential("crm"))).contains(crm);
    assertThat(cachedAccessToken()).isEqualTo("at-1");

    join(cached.credentials().deleteCredential("crm"));

    assertThat(join(cached.credentials().findCredential("crm"))).isEmpty();
    assertThat(join(cached.tokens().find(CRM))).isEmpty();
  }

  @Test
  void findApiKeyWhenDeletedByAnotherInstanceThenTheNewsEndsIt() {
    StoredApiKey key =
        new StoredApiKey("k1", "billing", Set.of("caller"), new byte[32], Instant.EPOCH);
    join(keyMemory.save(key));
    assertThat(join(cached.apiKeys().find("k1"))).isPresent();

    join(keyMemory.delete("k1"));
    assertThat(join(cached.apiKeys().find("k1"))).as("no news yet").isPresent();
    feed.announce(new StoreChange.ApiKeyChanged("k1"));

    assertThat(join(cached.apiKeys().find("k1"))).isEmpty();
  }

  @Test
  void closeWhenClosedThenStopsListening() throws Exception {
    assertThat(feed.listeners()).isEqualTo(1);

    cached.close();

    assertThat(feed.listeners()).isZero();
  }

  private static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
