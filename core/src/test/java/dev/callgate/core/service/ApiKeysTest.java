package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
  private final ApiKeys keys =
      new ApiKeys(
          store,
          new EventSource("instance-1", new ManualClock()),
          new SplittableRandom(3),
          Optional.empty());

  @Test
  void authenticateWhenKeyWasCreatedThenYieldsItsSubjectAndRoles() {
    ApiKeys.Created created = join(keys.create("billing", Set.of(Caller.Role.CALLER)));

    Optional<Caller> caller = join(keys.authenticate(created.key()));

    assertThat(caller)
        .contains(new Caller("billing", created.stored().id(), Set.of(Caller.Role.CALLER)));
    assertThat(created.key().reveal()).startsWith("cg." + created.stored().id() + ".");
  }

  @Test
  void createWhenStoredThenOnlyTheHashIsKept() {
    ApiKeys.Created created = join(keys.create("billing", Set.of(Caller.Role.CALLER)));

    assertThat(created.stored().hash()).hasSize(32).isNotEqualTo(created.key().reveal().getBytes());
    assertThat(created.stored().toString()).doesNotContain(created.key().reveal());
  }

  @Test
  void authenticateWhenSecretPartIsWrongOrFormatUnknownThenNobody() {
    ApiKeys.Created created = join(keys.create("billing", Set.of(Caller.Role.CALLER)));
    String forged = "cg." + created.stored().id() + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    assertThat(join(keys.authenticate(Secret.of(forged)))).isEmpty();
    assertThat(join(keys.authenticate(Secret.of("Bearer nonsense")))).isEmpty();
    assertThat(join(keys.authenticate(Secret.of("cg.unknown.secret")))).isEmpty();
  }

  @Test
  void authenticateWhenKeyIsDeletedThenNobody() {
    ApiKeys.Created created = join(keys.create("billing", Set.of(Caller.Role.CALLER)));

    assertThat(join(keys.delete(new ApiKeys.DeleteApiKey(created.stored().id(), ADMIN_ACTOR))))
        .isEmpty();

    assertThat(join(keys.authenticate(created.key()))).isEmpty();
  }

  @Test
  void bootstrapWhenNoKeyExistsThenCreatesOneAdminKeyOnce() {
    Optional<ApiKeys.Created> first = join(keys.bootstrap());
    Optional<ApiKeys.Created> second = join(keys.bootstrap());

    assertThat(first).isPresent();
    assertThat(second).isEmpty();
    assertThat(join(keys.authenticate(first.get().key())))
        .contains(new Caller("admin", first.get().stored().id(), Set.of(Caller.Role.ADMIN)));
  }

  @Test
  void authenticateWhenConfiguredAdminKeyThenAdminAndNoBootstrapKey() {
    Secret configured = Secret.of("a-configured-admin-key-of-some-length");
    ApiKeys withConfigured =
        new ApiKeys(
            store,
            new EventSource("instance-1", new ManualClock()),
            new SplittableRandom(3),
            Optional.of(configured));

    assertThat(join(withConfigured.bootstrap())).isEmpty();
    assertThat(join(withConfigured.authenticate(configured)).map(c -> c.subject() + c.roles()))
        .contains("admin[ADMIN]");
    assertThat(
            join(withConfigured.authenticate(Secret.of("a-configured-admin-key-of-some-lengtH"))))
        .isEmpty();
  }

  @Test
  void authenticateWhenTheConfiguredAdminKeyIsRevokedThenRefusedAtOnceAndAfterARestart() {
    Secret configured = Secret.of("a-configured-admin-key-of-some-length");
    ApiKeys withConfigured =
        new ApiKeys(
            store,
            new EventSource("instance-1", new ManualClock()),
            new SplittableRandom(3),
            Optional.of(configured));
    join(withConfigured.bootstrap());
    String id = join(withConfigured.list()).get(0).id();

    assertThat(join(withConfigured.delete(new ApiKeys.DeleteApiKey(id, ADMIN_ACTOR)))).isEmpty();

    assertThat(join(withConfigured.authenticate(configured))).isEmpty();
    ApiKeys restarted =
        new ApiKeys(
            store,
            new EventSource("instance-1", new ManualClock()),
            new SplittableRandom(4),
            Optional.of(configured));
    assertThat(join(restarted.bootstrap())).isEmpty();
    assertThat(join(restarted.authenticate(configured))).isEmpty();
  }

  @Test
  void bootstrapWhenTheConfiguredAdminKeyChangesThenTheOldOneIsRefused() {
    Secret old = Secret.of("a-configured-admin-key-of-some-length");
    Secret next = Secret.of("another-configured-admin-key-now-in-use");
    join(
        new ApiKeys(
                store,
                new EventSource("instance-1", new ManualClock()),
                new SplittableRandom(3),
                Optional.of(old))
            .bootstrap());

    ApiKeys restarted =
        new ApiKeys(
            store,
            new EventSource("instance-1", new ManualClock()),
            new SplittableRandom(4),
            Optional.of(next));
    join(restarted.bootstrap());

    assertThat(join(restarted.authenticate(old))).isEmpty();
    assertThat(join(restarted.authenticate(next)).map(c -> c.subject() + c.roles()))
        .contains("admin[ADMIN]");
    assertThat(join(restarted.list())).hasSize(1);
  }

  @Test
  void problemsWhenTheSubjectIsMalformedReservedOrTheRolesEmptyThenEachIsNamed() {
    Set<Caller.Role> caller = Set.of(Caller.Role.CALLER);

    assertThat(ApiKeys.problems("billing", caller)).isEmpty();
    assertThat(ApiKeys.problems("svc-1.billing@corp:eu+a_b", caller)).isEmpty();
    for (String bad :
        List.of(
            "",
            "bill\r\nX-Injected: 1",
            "bill\u0000ing",
            "b".repeat(5_000),
            " billing",
            "bil ling",
            "admin",
            "Admin",
            "callgate")) {
      assertThat(ApiKeys.problems(bad, caller))
          .as(bad.length() > 40 ? bad.length() + " characters" : bad)
          .singleElement()
          .satisfies(d -> assertThat(d.facts()).containsEntry("field", "subject"));
    }
    assertThat(ApiKeys.problems("billing", Set.of()))
        .singleElement()
        .satisfies(d -> assertThat(d.facts()).containsEntry("field", "roles"));
    assertThatThrownBy(() -> keys.create("admin", caller))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void authenticateWhenManyThreadsPresentKeysAtOnceThenEachFindsItsOwnCaller() throws Exception {
    List<ApiKeys.Created> created = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      created.add(join(keys.create("caller-" + i, Set.of(Caller.Role.CALLER))));
    }
    ExecutorService threads = Executors.newFixedThreadPool(created.size());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> refusals = new ArrayList<>();
    try {
      for (ApiKeys.Created key : created) {
        refusals.add(
            threads.submit(
                () -> {
                  start.await();
                  long refused = 0;
                  for (int round = 0; round < 2_000; round++) {
                    Optional<Caller> caller = join(keys.authenticate(key.key()));
                    if (!caller.map(c -> c.keyId().equals(key.stored().id())).orElse(false)) {
                      refused++;
                    }
                  }
                  return refused;
                }));
      }
      start.countDown();
      for (Future<Long> refused : refusals) {
        assertThat(refused.get()).isZero();
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
