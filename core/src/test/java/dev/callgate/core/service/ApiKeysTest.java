package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.ManualClock;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
  private final ApiKeys keys =
      new ApiKeys(store, new ManualClock(), new SplittableRandom(3), Optional.empty());

  @Test
  void authenticateWhenKeyWasCreatedThenYieldsItsSubjectAndRoles() {
    ApiKeys.Created created = join(keys.create("billing", Set.of(Caller.Role.CALLER)));

    Optional<Caller> caller = join(keys.authenticate(created.key()));

    assertThat(caller).contains(Caller.caller("billing"));
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

    assertThat(join(keys.delete(created.stored().id()))).isEmpty();

    assertThat(join(keys.authenticate(created.key()))).isEmpty();
  }

  @Test
  void bootstrapWhenNoKeyExistsThenCreatesOneAdminKeyOnce() {
    Optional<ApiKeys.Created> first = join(keys.bootstrap());
    Optional<ApiKeys.Created> second = join(keys.bootstrap());

    assertThat(first).isPresent();
    assertThat(second).isEmpty();
    assertThat(join(keys.authenticate(first.get().key()))).contains(Caller.admin("admin"));
  }

  @Test
  void authenticateWhenConfiguredAdminKeyThenAdminAndNoBootstrapKey() {
    Secret configured = Secret.of("a-configured-admin-key-of-some-length");
    ApiKeys withConfigured =
        new ApiKeys(store, new ManualClock(), new SplittableRandom(3), Optional.of(configured));

    assertThat(join(withConfigured.authenticate(configured))).contains(Caller.admin("admin"));
    assertThat(join(withConfigured.bootstrap())).isEmpty();
    assertThat(
            join(withConfigured.authenticate(Secret.of("a-configured-admin-key-of-some-lengtH"))))
        .isEmpty();
  }
}
