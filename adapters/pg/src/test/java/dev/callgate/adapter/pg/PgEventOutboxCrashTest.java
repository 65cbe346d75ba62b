package dev.callgate.adapter.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox under {@code kill -9}: a child JVM ({@link OutboxCrashWriter}) writes tokens,
 * credentials and API keys with their events through the real stores, and is killed at random
 * points, round after round. After each kill the store must hold an event for every write that
 * committed and none for one that did not, and a reader that followed the log live with its cursor
 * must have seen every event up to its cursor.
 */
class PgEventOutboxCrashTest {
  private static final String DATABASE = "callgate_test_outbox_crash";
  private static final int ROUNDS = 5;

  private PgConnectOptions database;
  private SqlStores stores;
  private Pool activity;

  @BeforeEach
  void createTheDatabase() {
    database = PgFixture.freshDatabase(DATABASE);
    stores =
        PgStores.connect(
                PgFixture.VERTX,
                database,
                AesGcmSecretCipher.of("k1", Map.of("k1", PgFixture.KEY)),
                4)
            .await();
    activity = PgBuilder.pool().connectingTo(database).using(PgFixture.VERTX).build();
    for (int t = 0; t < OutboxCrashWriter.TOKENS; t++) {
      TokenKey key = OutboxCrashWriter.token(t);
      join(
          stores
              .credentials()
              .saveCredential(OutboxCrashWriter.credential(key.credentialName(), 0)));
      join(
          stores
              .tokens()
              .compareAndSet(
                  TokenRecord.unauthorized(key), List.of(OutboxCrashWriter.refreshed(key, 1))));
    }
    for (int c = 0; c < OutboxCrashWriter.CREDENTIALS; c++) {
      join(
          stores
              .credentials()
              .saveCredential(
                  OutboxCrashWriter.credential(OutboxCrashWriter.credentialName(c), 0)));
    }
  }

  @AfterEach
  void closeTheStores() {
    activity.close().await();
    stores.close().await();
  }

  @Test
  void writesWhenTheWriterIsKilledAtRandomPointsThenEveryCommittedWriteHasItsEventsAndNoOtherHas()
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long written = 0;
    for (int round = 0; round < ROUNDS; round++) {
      LiveReader reader = new LiveReader();
      Process writer = start(round);
      Thread following = new Thread(reader);
      following.start();
      try {
        // killed while it writes, not while it warms up
        reader.awaitMoreThan(written + 10);
        Thread.sleep(random.nextInt(1_500));
      } finally {
        writer.destroyForcibly();
        assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitWriterConnectionsGone();
        reader.stop();
        following.join(10_000);
      }

      List<RecordedEvent> events = readAll();
      String context = "round " + round + " (seed " + seed + ")";
      everyTokenVersionHasExactlyOneEvent(events, context);
      everyCredentialCounterHasExactlyOneEvent(events, context);
      apiKeysAreThoseCreatedAndNotDeleted(events, context);
      theLiveReaderMissedNoEvent(reader, events, context);
      written = events.size();
    }
  }

  private Process start(int round) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived writer: quick to start rather than fast in the long run
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                OutboxCrashWriter.class.getName(),
                database.getHost(),
                database.getDatabase(),
                Integer.toString(round))
            // what the writer says on its way goes to a file, for when a round fails
            .redirectError(
                ProcessBuilder.Redirect.appendTo(
                    Path.of("target", "outbox-crash-writer.log").toFile()));
    builder.environment().put(OutboxCrashWriter.KEY_VARIABLE, PgFixture.KEY);
    Process process = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readLine(out));
    try {
      assertThat(ready.get(30, TimeUnit.SECONDS)).isEqualTo(OutboxCrashWriter.READY);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new AssertionError("the writer did not start", e);
    }
    return process;
  }

  private static String readLine(BufferedReader out) {
    try {
      return out.readLine();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  /**
   * A killed client's transactions end when PostgreSQL notices the closed connection; until then a
   * commit it sent may still land. The checks start once its connections are gone.
   */
  private void awaitWriterConnectionsGone() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      long left =
          activity
              .preparedQuery(
                  "SELECT count(*) AS n FROM pg_stat_activity"
                      + " WHERE datname = $1 AND application_name = $2")
              .execute(Tuple.of(DATABASE, OutboxCrashWriter.APPLICATION_NAME))
              .map(rows -> rows.iterator().next().getLong("n"))
              .await();
      if (left == 0) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the killed writer's connections are still open");
  }

  private void everyTokenVersionHasExactlyOneEvent(List<RecordedEvent> events, String context) {
    for (int t = 0; t < OutboxCrashWriter.TOKENS; t++) {
      TokenKey key = OutboxCrashWriter.token(t);
      long stored = join(stores.tokens().find(key)).orElseThrow().version();
      List<Long> versions =
          events.stream()
              .filter(e -> e.event().type() == EventType.TOKEN_REFRESHED)
              .filter(e -> e.event().credential().orElseThrow().equals(key.credentialName()))
              .map(e -> Long.parseLong(e.event().details().get("version")))
              .toList();
      assertThat(versions)
          .as("%s: the versions named by %s's events, in id order", context, key)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, stored).boxed().toList());
    }
  }

  private void everyCredentialCounterHasExactlyOneEvent(
      List<RecordedEvent> events, String context) {
    for (int c = 0; c < OutboxCrashWriter.CREDENTIALS; c++) {
      String name = OutboxCrashWriter.credentialName(c);
      long stored =
          OutboxCrashWriter.counter(join(stores.credentials().findCredential(name)).orElseThrow());
      List<Long> counters =
          events.stream()
              .filter(e -> e.event().type() == EventType.AUDIT_CREDENTIAL_SAVED)
              .filter(e -> e.event().credential().orElseThrow().equals(name))
              .map(e -> Long.parseLong(e.event().details().get("counter")))
              .toList();
      assertThat(counters)
          .as("%s: the counters named by %s's audit events, in id order", context, name)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, stored).boxed().toList());
    }
  }

  private void apiKeysAreThoseCreatedAndNotDeleted(List<RecordedEvent> events, String context) {
    List<String> created = keysOf(events, EventType.AUDIT_KEY_CREATED);
    List<String> deleted = keysOf(events, EventType.AUDIT_KEY_DELETED);
    Set<String> stored = new TreeSet<>();
    join(stores.apiKeys().list()).stream().map(StoredApiKey::id).forEach(stored::add);
    Set<String> expected = new TreeSet<>(created);
    deleted.forEach(expected::remove);

    assertThat(new HashSet<>(created))
        .as("%s: one creation event per key", context)
        .hasSize(created.size());
    assertThat(created)
        .as("%s: a key is deleted after it is created", context)
        .containsAll(deleted);
    assertThat(stored).as("%s: the keys stored", context).isEqualTo(expected);
  }

  private static List<String> keysOf(List<RecordedEvent> events, EventType type) {
    return events.stream()
        .filter(e -> e.event().type() == type)
        .map(e -> e.event().details().get("key"))
        .toList();
  }

  private static void theLiveReaderMissedNoEvent(
      LiveReader reader, List<RecordedEvent> events, String context) {
    List<Long> upToItsCursor =
        events.stream().map(RecordedEvent::id).filter(id -> id <= reader.cursor.get()).toList();
    assertThat(reader.seen)
        .as(
            "%s: the ids a reader following the log saw, up to its cursor %d",
            context, reader.cursor.get())
        .containsExactlyElementsOf(upToItsCursor);
  }

  private List<RecordedEvent> readAll() {
    List<RecordedEvent> all = new ArrayList<>();
    long cursor = 0;
    while (true) {
      EventPage page = join(stores.events().read(EventQuery.after(cursor, EventQuery.MAX_LIMIT)));
      all.addAll(page.events());
      if (page.next() == cursor) {
        return all;
      }
      cursor = page.next();
    }
  }

  /** Follows the log from its start with the cursor, as a live view does, while the writer runs. */
  private final class LiveReader implements Runnable {
    final AtomicLong cursor = new AtomicLong();
    final List<Long> seen = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public void run() {
      while (!stopped.get()) {
        EventPage page =
            join(stores.events().read(EventQuery.after(cursor.get(), EventQuery.MAX_LIMIT)));
        synchronized (this) {
          page.events().forEach(e -> seen.add(e.id()));
        }
        cursor.set(page.next());
      }
    }

    void awaitMoreThan(long events) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (seenCount() <= events) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the writer wrote no more than " + seenCount() + " events");
        }
        Thread.sleep(5);
      }
    }

    private synchronized long seenCount() {
      return seen.size();
    }

    void stop() {
      stopped.set(true);
    }
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }
}
