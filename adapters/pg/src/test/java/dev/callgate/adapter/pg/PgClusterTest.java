package dev.callgate.adapter.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SqlDialect;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two instances on one database: change notifications, exclusive claims, idempotent migrations. */
class PgClusterTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private PgFixture first;
  private SqlStores second;

  @BeforeEach
  void twoInstances() {
    first = new PgFixture();
    second =
        PgStores.connect(
                PgFixture.VERTX,
                PgFixture.database(),
                AesGcmSecretCipher.of("k1", Map.of("k1", PgFixture.KEY)),
                4)
            .await();
  }

  @AfterEach
  void close() {
    first.close();
    second.close().await();
  }

  private TokenRecord due(String credential, int minute) {
    first.credentialExists(credential);
    return TokenRecords.edit(TokenRecord.unauthorized(TokenKey.named(credential)))
        .nextRefreshAt(java.util.Optional.of(T0.plusSeconds(60L * minute)))
        .build();
  }

  @Test
  void tokenChangeWhenWrittenByOneInstanceThenTheOtherHearsOfIt() throws Exception {
    LinkedBlockingQueue<StoreChange> heard = new LinkedBlockingQueue<>();
    TokenRecord record = due("crm", 1);
    try (AutoCloseable subscription = second.changes().subscribe(heard::add)) {
      assertThat(second.changes().listening()).isTrue();

      first.stores.tokens().compareAndSet(record).toCompletableFuture().join();

      assertThat(hearUntil(heard, new StoreChange.TokenChanged(TokenKey.named("crm"))))
          .as("heard within 5 s")
          .isTrue();
    }
  }

  @Test
  void changeWhenACredentialProviderOrApiKeyIsWrittenThenTheOtherInstanceHearsOfIt()
      throws Exception {
    LinkedBlockingQueue<StoreChange> heard = new LinkedBlockingQueue<>();
    try (AutoCloseable subscription = second.changes().subscribe(heard::add)) {
      first.credentialExists("crm");
      assertThat(heard.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new StoreChange.CredentialChanged("crm"));

      first.stores.credentials().deleteCredential("crm").toCompletableFuture().join();
      assertThat(heard.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new StoreChange.CredentialChanged("crm"));

      first
          .stores
          .apiKeys()
          .save(new StoredApiKey("k1", "billing", Set.of("caller"), new byte[32], T0))
          .toCompletableFuture()
          .join();
      assertThat(heard.poll(5, TimeUnit.SECONDS)).isEqualTo(new StoreChange.ApiKeyChanged("k1"));
    }
  }

  @Test
  void eventsWhenAppendedByOneInstanceThenTheOtherHearsThatEventsWereAppended() throws Exception {
    LinkedBlockingQueue<StoreChange> heard = new LinkedBlockingQueue<>();
    TokenRecord record = due("crm", 1);
    try (AutoCloseable subscription = second.changes().subscribe(heard::add)) {
      first
          .stores
          .tokens()
          .compareAndSet(record, List.of(refreshed()))
          .toCompletableFuture()
          .join();
      assertThat(hearUntil(heard, new StoreChange.EventsAppended()))
          .as("heard within 5 s")
          .isTrue();

      heard.clear();
      first.stores.events().append(List.of(refreshed())).toCompletableFuture().join();
      assertThat(hearUntil(heard, new StoreChange.EventsAppended()))
          .as("heard within 5 s")
          .isTrue();
    }
  }

  private static Event refreshed() {
    return new Event(
        EventType.TOKEN_REFRESHED,
        T0,
        Optional.of("crm"),
        Optional.empty(),
        "instance-a",
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }

  @Test
  void feedWhenItsConnectionIsCutThenStopsListeningAndAnnouncesResumedOnceBack() throws Exception {
    LinkedBlockingQueue<StoreChange> heard = new LinkedBlockingQueue<>();
    try (AutoCloseable subscription = second.changes().subscribe(heard::add)) {
      assertThat(second.changes().listening()).isTrue();

      terminateListeners();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (second.changes().listening() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(second.changes().listening()).as("listening after the cut").isFalse();
      assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(new StoreChange.Resumed());
      assertThat(second.changes().listening()).isTrue();

      first.credentialExists("after-the-cut");
      assertThat(heard.poll(5, TimeUnit.SECONDS))
          .isEqualTo(new StoreChange.CredentialChanged("after-the-cut"));
    }
  }

  /** Whether {@code expected} is heard within 5 s, whatever else is heard before it. */
  private static boolean hearUntil(LinkedBlockingQueue<StoreChange> heard, StoreChange expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      StoreChange next = heard.poll(100, TimeUnit.MILLISECONDS);
      if (expected.equals(next)) {
        return true;
      }
    }
    return false;
  }

  /** Ends every session that LISTENs, as a database restart or a network cut would. */
  private static void terminateListeners() {
    Pool admin = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      long terminated =
          admin
              .query(
                  "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND query LIKE 'LISTEN%'")
              .execute()
              .await()
              .iterator()
              .next()
              .getLong("n");
      assertThat(terminated).isPositive();
    } finally {
      admin.close().await();
    }
  }

  @Test
  void claimDueWhenTwoInstancesClaimAtOnceThenNoRecordIsClaimedTwice() {
    for (int i = 0; i < 40; i++) {
      first.stores.tokens().compareAndSet(due("c" + i, i % 7)).toCompletableFuture().join();
    }
    Instant now = T0.plusSeconds(3600);
    List<CompletableFuture<List<TokenRecord>>> claims = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      claims.add(
          first
              .stores
              .tokens()
              .claimDue(now, 15, "one", now.plusSeconds(30))
              .toCompletableFuture());
      claims.add(
          second.tokens().claimDue(now, 15, "two", now.plusSeconds(30)).toCompletableFuture());
    }

    Set<TokenKey> seen = new HashSet<>();
    int total = 0;
    for (CompletableFuture<List<TokenRecord>> claim : claims) {
      for (TokenRecord record : claim.join()) {
        assertThat(seen.add(record.key())).as("claimed twice: %s", record.key()).isTrue();
        total++;
      }
    }
    assertThat(total).isEqualTo(40);
  }

  @Test
  void migrationsWhenAppliedAgainThenChangeNothing() {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      assertThat(Migrations.apply(pool, SqlDialect.POSTGRESQL, PgStores.MIGRATIONS).await())
          .isZero();
      assertThat(
              pool.query("SELECT count(*) AS n FROM schema_migrations")
                  .execute()
                  .await()
                  .iterator()
                  .next()
                  .getLong("n"))
          .isEqualTo(PgStores.MIGRATIONS.size());
    } finally {
      pool.close().await();
    }
  }
}
