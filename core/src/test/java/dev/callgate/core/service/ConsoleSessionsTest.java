package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.StoredConsoleSession;
import dev.callgate.core.service.ConsoleSessions.ConsoleSession;
import dev.callgate.core.service.ConsoleSessions.SignInOutcome;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryConsoleSessionStore;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
  private static final Duration LIFETIME = Duration.ofHours(8);

  private final ManualClock clock = new ManualClock();
  private final InMemoryEventLog log = new InMemoryEventLog();
  private final EventSource events = new EventSource("instance-1", clock);
  private final ApiKeys keys =
      new ApiKeys(new InMemoryApiKeyStore(log), events, new SplittableRandom(3), Optional.empty());
  private final InMemoryConsoleSessionStore store = new InMemoryConsoleSessionStore(log);
  private final ConsoleSessions sessions =
      new ConsoleSessions(
          store,
          keys,
          events,
          new SplittableRandom(5),
          new ConsoleSessions.Settings(LIFETIME, false));

  private ApiKeys.Created key(String subject, Caller.Role role) {
    return join(keys.create(subject, Set.of(role)));
  }

  /** Signs in with {@code key}: the secret the browser keeps and its session. */
  private Map.Entry<Secret, ConsoleSession> signedIn(ApiKeys.Created key) {
    return join(sessions.signIn(key.key(), "req-1"))
        .fold(
            Map::entry,
            rejected -> {
              throw new AssertionError("refused: " + rejected.message());
            });
  }

  private static Diagnosis rejection(SignInOutcome outcome) {
    return outcome.fold(
        (secret, session) -> {
          throw new AssertionError("signed in");
        },
        diagnosis -> diagnosis);
  }

  @Test
  void signInWhenAdminKeyThenTheSecretFindsASessionActingAsTheKey() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);

    Map.Entry<Secret, ConsoleSession> signedIn = signedIn(admin);

    Caller expected = new Caller("ops", admin.stored().id(), Set.of(Caller.Role.ADMIN));
    assertThat(signedIn.getValue().caller()).isEqualTo(expected);
    assertThat(signedIn.getValue().expiresAt()).isEqualTo(clock.now().plus(LIFETIME));
    assertThat(join(sessions.find(signedIn.getKey())).map(ConsoleSession::caller))
        .contains(expected);
  }

  @Test
  void signInThenTheStoreKeepsOnlyTheSecretsHashAndTheKeysIdAndSubject() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);

    Secret secret = signedIn(admin).getKey();

    assertThat(store.sessions()).hasSize(1);
    StoredConsoleSession stored = store.sessions().get(0);
    assertThat(stored.toString())
        .doesNotContain(secret.reveal())
        .doesNotContain(admin.key().reveal());
    assertThat(stored.secretHash()).isEqualTo(ConsoleSessions.secretHash(secret));
    assertThat(stored.keyId()).isEqualTo(admin.stored().id());
    assertThat(stored.subject()).isEqualTo("ops");
    assertThat(secret.reveal()).hasSize(43);
  }

  @Test
  void signInWhenKeyIsUnknownThenUnauthenticatedAndNoSession() {
    Diagnosis refused = rejection(join(sessions.signIn(Secret.of("cg.0011.nope"), "req-1")));

    assertThat(refused.code()).isEqualTo(DiagnosisCode.UNAUTHENTICATED);
    assertThat(refused.message()).doesNotContain("cg.0011.nope");
    assertThat(store.sessions()).isEmpty();
  }

  @Test
  void signInWhenKeyHasNoAdminRoleThenForbiddenAndNoSession() {
    ApiKeys.Created caller = key("billing", Caller.Role.CALLER);

    Diagnosis refused = rejection(join(sessions.signIn(caller.key(), "req-1")));

    assertThat(refused.code()).isEqualTo(DiagnosisCode.FORBIDDEN);
    assertThat(refused.facts()).containsEntry("subject", "billing").containsEntry("role", "admin");
    assertThat(store.sessions()).isEmpty();
  }

  @Test
  void signInAndSignOutThenAuditNamesTheKeyAsActor() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);
    Map.Entry<Secret, ConsoleSession> signedIn = signedIn(admin);
    Actor actor = signedIn.getValue().caller().actor("req-2");

    assertThat(join(sessions.signOut(signedIn.getKey(), actor))).isTrue();

    assertThat(log.all())
        .extracting(Event::type)
        .containsExactly(EventType.AUDIT_CONSOLE_SIGNED_IN, EventType.AUDIT_CONSOLE_SIGNED_OUT);
    Event in = log.all().get(0);
    assertThat(in.actor()).contains(new Actor("ops", admin.stored().id(), "req-1"));
    assertThat(in.details())
        .containsEntry("keyId", admin.stored().id())
        .containsEntry("subject", "ops")
        .containsEntry("expiresAt", clock.now().plus(LIFETIME).toString());
    assertThat(log.all().get(1).actor()).contains(actor);
  }

  @Test
  void findWhenSignedOutThenEmptyAndASecondSignOutEndsNothing() {
    Map.Entry<Secret, ConsoleSession> signedIn = signedIn(key("ops", Caller.Role.ADMIN));

    join(sessions.signOut(signedIn.getKey(), ADMIN_ACTOR));

    assertThat(join(sessions.find(signedIn.getKey()))).isEmpty();
    assertThat(join(sessions.signOut(signedIn.getKey(), ADMIN_ACTOR))).isFalse();
    assertThat(log.all())
        .extracting(Event::type)
        .containsOnlyOnce(EventType.AUDIT_CONSOLE_SIGNED_OUT);
  }

  @Test
  void findWhenTheLifetimeHasPassedThenEmptyAndTheSessionIsDeleted() {
    Secret secret = signedIn(key("ops", Caller.Role.ADMIN)).getKey();

    clock.advance(LIFETIME.minusMillis(1));
    assertThat(join(sessions.find(secret))).isPresent();
    clock.advance(Duration.ofMillis(1));

    assertThat(join(sessions.find(secret))).isEmpty();
    assertThat(store.sessions()).isEmpty();
  }

  @Test
  void findWhenTheKeyWasDeletedThenEmpty() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);
    Secret secret = signedIn(admin).getKey();

    join(keys.delete(new ApiKeys.DeleteApiKey(admin.stored().id(), ADMIN_ACTOR)));

    assertThat(join(sessions.find(secret))).isEmpty();
    assertThat(store.sessions()).isEmpty();
  }

  @Test
  void findWhenTheSecretIsUnknownOrIsTheStoredHashThenEmpty() {
    Secret secret = signedIn(key("ops", Caller.Role.ADMIN)).getKey();

    assertThat(join(sessions.find(Secret.of(secret.reveal() + "x")))).isEmpty();
    assertThat(join(sessions.find(Secret.of(store.sessions().get(0).secretHash())))).isEmpty();
  }

  @Test
  void signInWhenOtherSessionsHaveExpiredThenTheyAreDeleted() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);
    signedIn(admin);
    clock.advance(LIFETIME);

    Secret fresh = signedIn(admin).getKey();

    assertThat(store.sessions())
        .extracting(StoredConsoleSession::secretHash)
        .containsExactly(ConsoleSessions.secretHash(fresh));
  }

  @Test
  void csrfProblemWhenTheSessionsOwnTokenThenNoneAndOtherwiseCsrfTokenInvalid() {
    ApiKeys.Created admin = key("ops", Caller.Role.ADMIN);
    Map.Entry<Secret, ConsoleSession> first = signedIn(admin);
    Map.Entry<Secret, ConsoleSession> second = signedIn(admin);
    ConsoleSession found = join(sessions.find(first.getKey())).orElseThrow();
    String token = found.csrfToken().reveal();

    assertThat(token).isEqualTo(first.getValue().csrfToken().reveal());
    assertThat(found.csrfProblem(Optional.of(token))).isEmpty();
    assertThat(found.csrfProblem(Optional.empty()).map(Diagnosis::message))
        .hasValueSatisfying(m -> assertThat(m).contains("carries no X-CSRF-Token header"));
    assertThat(found.csrfProblem(Optional.of("")).map(Diagnosis::code))
        .contains(DiagnosisCode.CSRF_TOKEN_INVALID);
    assertThat(found.csrfProblem(Optional.of(second.getValue().csrfToken().reveal())))
        .hasValueSatisfying(
            d -> {
              assertThat(d.code()).isEqualTo(DiagnosisCode.CSRF_TOKEN_INVALID);
              assertThat(d.message()).contains("does not match");
            });
    assertThat(found.csrfProblem(Optional.of(first.getKey().reveal()))).isPresent();
    assertThat(token)
        .isNotEqualTo(ConsoleSessions.secretHash(first.getKey()))
        .isNotEqualTo(first.getKey().reveal());
  }
}
