package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link PgEventOutboxCrashTest} kills: it writes through the real stores, as fast as
 * it can, until it dies. Two writers per token race compare-and-sets whose event names the version
 * they write; one writer per credential saves it with a counter one higher and an audit event
 * naming that counter; API-key writers save and delete keys with their audit events. Prints {@value
 * #READY} once connected. Arguments: host, database, round; the cipher key comes in {@value
 * #KEY_VARIABLE}.
 */
public final class OutboxCrashWriter {
  static final String READY = "ready";
  static final String KEY_VARIABLE = "CALLGATE_CRASH_KEY";
  static final String APPLICATION_NAME = "callgate-crash-writer";
  static final int TOKENS = 6;
  static final int CREDENTIALS = 3;
  static final int KEY_WRITERS = 2;

  private OutboxCrashWriter() {}

  public static void main(String[] args) throws InterruptedException {
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(args[0])
            .setPort(5432)
            .setUser("postgres")
            .setDatabase(args[1])
            .addProperty("application_name", APPLICATION_NAME);
    String round = args[2];
    // a writer whose test is gone (its stdin closed) or that outlived any round stops by itself
    Thread orphaned =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {}
              } catch (IOException e) {
                // closed as well
              }
              Runtime.getRuntime().halt(1);
            });
    orphaned.setDaemon(true);
    orphaned.start();
    Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread timer = new Thread(runnable);
              timer.setDaemon(true);
              return timer;
            })
        .schedule(() -> Runtime.getRuntime().halt(2), 60, TimeUnit.SECONDS);
    SqlStores stores =
        PgStores.connect(
                Vertx.vertx(),
                options,
                AesGcmSecretCipher.of("k1", Map.of("k1", System.getenv(KEY_VARIABLE))),
                8)
            .await();
    System.out.println(READY);
    System.out.flush();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < TOKENS; t++) {
      for (int racer = 0; racer < 2; racer++) {
        TokenKey key = token(t);
        writers.add(new Thread(() -> refreshForever(stores, key)));
      }
    }
    for (int c = 0; c < CREDENTIALS; c++) {
      String name = credentialName(c);
      writers.add(new Thread(() -> saveForever(stores, name)));
    }
    for (int k = 0; k < KEY_WRITERS; k++) {
      String prefix = "r" + round + "-w" + k + "-";
      writers.add(new Thread(() -> rotateKeysForever(stores, prefix)));
    }
    writers.forEach(Thread::start);
    for (Thread writer : writers) {
      writer.join();
    }
  }

  private static void refreshForever(SqlStores stores, TokenKey key) {
    while (true) {
      TokenRecord stored = stores.tokens().find(key).toCompletableFuture().join().orElseThrow();
      long writes = stored.version() + 1;
      TokenRecord next = TokenRecords.edit(stored).lastUsedAt(now()).build();
      // a lost race writes nothing, so it must keep no event either
      stores
          .tokens()
          .compareAndSet(next, List.of(refreshed(key, writes)))
          .toCompletableFuture()
          .join();
    }
  }

  private static void saveForever(SqlStores stores, String name) {
    while (true) {
      NamedCredential stored =
          stores.credentials().findCredential(name).toCompletableFuture().join().orElseThrow();
      long counter = counter(stored) + 1;
      stores
          .credentials()
          .saveCredential(credential(name, counter), List.of(saved(name, counter)))
          .toCompletableFuture()
          .join();
    }
  }

  private static void rotateKeysForever(SqlStores stores, String prefix) {
    for (long n = 0; ; n++) {
      String id = prefix + n;
      stores
          .apiKeys()
          .save(
              new StoredApiKey(id, "ops", Set.of("admin"), new byte[32], now()),
              List.of(keyEvent(EventType.AUDIT_KEY_CREATED, id)))
          .toCompletableFuture()
          .join();
      if (n % 2 == 0) {
        stores
            .apiKeys()
            .delete(id, List.of(keyEvent(EventType.AUDIT_KEY_DELETED, id)))
            .toCompletableFuture()
            .join();
      }
    }
  }

  static TokenKey token(int t) {
    return TokenKey.named("crash-token-" + t);
  }

  static String credentialName(int c) {
    return "crash-credential-" + c;
  }

  static Event refreshed(TokenKey key, long version) {
    return new Event(
        EventType.TOKEN_REFRESHED,
        now(),
        Optional.of(key.credentialName()),
        Optional.empty(),
        "crash-writer",
        Optional.empty(),
        Optional.empty(),
        Map.of("version", Long.toString(version)));
  }

  /** The counter lives in the credential's URL, so that a save writes it with its event. */
  static NamedCredential credential(String name, long counter) {
    return new NamedCredential(
        name,
        URI.create("https://api.test/counter/" + counter),
        new Authentication.None(),
        PrincipalType.NAMED,
        true,
        false,
        false,
        Set.of(),
        true,
        Optional.empty());
  }

  static long counter(NamedCredential credential) {
    String path = credential.url().getPath();
    return Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
  }

  static Event saved(String name, long counter) {
    return new Event(
        EventType.AUDIT_CREDENTIAL_SAVED,
        now(),
        Optional.of(name),
        Optional.empty(),
        "crash-writer",
        Optional.empty(),
        Optional.of(new Actor("ops", "key-0", "req-" + name + "-" + counter)),
        Map.of("counter", Long.toString(counter)));
  }

  private static Event keyEvent(EventType type, String id) {
    return new Event(
        type,
        now(),
        Optional.empty(),
        Optional.empty(),
        "crash-writer",
        Optional.empty(),
        Optional.of(new Actor("ops", "key-0", "req-" + id)),
        Map.of("key", id));
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
