package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.REQUEST_ID;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.testkit.DelegatingTokenStore;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Every change in a credential's life, and every admin action, is recorded as an event with the
 * write that makes it — seen through the use cases over the in-memory stores, whose writes append
 * to one shared log.
 */
class EventRecordingTest {
  private static final TokenKey CRM = TokenKey.named("crm");
  private static final String CLIENT_SECRET = "client-secret";
  private final ServiceFixture f = new ServiceFixture();

  private void authorizedCrm() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
  }

  private RefreshOutcome refresh(RefreshTrigger trigger) {
    return join(f.refresher.refresh(CRM, trigger, Optional.empty()));
  }

  private static GrantOutcome down() {
    return new GrantOutcome.Failed(
        GrantOutcome.Failure.SERVER_ERROR, "HTTP 503", Optional.of(503), Optional.empty());
  }

  private Event only(EventType type) {
    List<Event> events = f.events(type);
    assertThat(events).as("events of type %s", type).hasSize(1);
    return events.get(0);
  }

  // ---- authorization ----

  @Test
  void startWhenAnAdminStartsAFlowThenAuthorizationStartedAndItsAuditRideThePendingFlow() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft("mail", "oauth2_authorization_code", "per_user", true, false, List.of("app"), true));

    join(f.start(ADMIN, "mail", Optional.of("carol")));

    Event started = only(EventType.AUTHORIZATION_STARTED);
    assertThat(started.credential()).contains("mail");
    assertThat(started.user()).contains("carol");
    assertThat(started.instance()).isEqualTo("instance-1");
    assertThat(started.time()).isEqualTo(f.clock.now());
    Event audit = only(EventType.AUDIT_AUTHORIZATION_STARTED);
    assertThat(audit.actor()).contains(new Actor("admin", "key-admin", REQUEST_ID));
    assertThat(audit.credential()).contains("mail");
    assertThat(audit.user()).contains("carol");
  }

  @Test
  void completeWhenTheUserApprovesThenAuthorizationCompleted() {
    authorizedCrm();

    Event completed = only(EventType.AUTHORIZATION_COMPLETED);
    assertThat(completed.credential()).contains("crm");
    assertThat(completed.user()).isEmpty();
  }

  @Test
  void completeWhenTheUserDeniesThenAuthorizationFailedWithTheDiagnosis() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    AuthorizationStart start = join(f.start(ADMIN, "crm"));
    InMemoryIdentityProvider.Denial denial =
        f.idp.deny(
            f.browse(((AuthorizationStart.Started) start).authorizationUrl()),
            "access_denied",
            "The user said no");

    join(
        f.authorizations.complete(
            new AuthorizationCallback(
                Optional.of(denial.state()),
                Optional.empty(),
                Optional.of(denial.error()),
                Optional.of(denial.errorDescription()),
                f.cookie(denial.state()))));

    Event failed = only(EventType.AUTHORIZATION_FAILED);
    assertThat(failed.diagnosis().orElseThrow().code())
        .isEqualTo(DiagnosisCode.AUTHORIZATION_DENIED);
    assertThat(f.events(EventType.AUTHORIZATION_COMPLETED)).isEmpty();
  }

  // ---- refreshes ----

  @Test
  void refreshWhenTheScheduleKeepsAGrantAliveThenTokenRefreshedNamesTheTrigger() {
    authorizedCrm();

    refresh(RefreshTrigger.KEEP_ALIVE);

    Event refreshed = only(EventType.TOKEN_REFRESHED);
    assertThat(refreshed.details()).containsEntry("trigger", "keep_alive");
    assertThat(refreshed.credential()).contains("crm");
  }

  @Test
  void refreshWhenAnAdminAsksThenTheRequestIsAuditedBeforeTheManualRefreshIsRecorded() {
    authorizedCrm();

    join(
        f.manualRefreshes.refresh(
            new ManualRefreshes.RefreshNow(ADMIN, "crm", Optional.empty(), ADMIN_ACTOR)));

    List<EventType> types = f.events.all().stream().map(Event::type).toList();
    assertThat(types)
        .containsSubsequence(EventType.AUDIT_REFRESH_REQUESTED, EventType.TOKEN_REFRESHED);
    assertThat(only(EventType.AUDIT_REFRESH_REQUESTED).actor()).contains(ADMIN_ACTOR);
    assertThat(only(EventType.TOKEN_REFRESHED).details()).containsEntry("trigger", "manual");
  }

  @Test
  void refreshWhenProviderIsDownThenRefreshDeferredSaysWhenItIsTriedAgain() {
    authorizedCrm();
    f.idp.scriptNext(down());

    RefreshOutcome outcome = refresh(RefreshTrigger.PROACTIVE);

    Event deferred = only(EventType.REFRESH_DEFERRED);
    Instant next = ((RefreshOutcome.Deferred) outcome).nextAttemptAt();
    assertThat(deferred.details())
        .containsEntry("nextAttemptAt", next.toString())
        .containsEntry("attempts", "1")
        .containsEntry("firstFailureAt", f.clock.now().toString());
    assertThat(deferred.diagnosis().orElseThrow().code())
        .isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
  }

  @Test
  void refreshWhenProviderRefusesGrantThenGrantLostEventNamesTheCause() {
    authorizedCrm();
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_grant", Optional.of("grant request is invalid"), 400));

    refresh(RefreshTrigger.PROACTIVE);

    Event lost = only(EventType.GRANT_LOST);
    assertThat(lost.details()).containsEntry("cause", "refused");
    assertThat(lost.diagnosis().orElseThrow().code())
        .isEqualTo(f.stored(CRM).diagnoses().get(0).code());
    assertThat(lost.diagnosis().orElseThrow().message()).contains("invalid_grant");
  }

  @Test
  void refreshWhenAGrantIsLostAfterPassingFailuresThenGrantLostSaysFirstLastAndHowMany() {
    authorizedCrm();
    Instant first = f.clock.now();
    f.idp.scriptNext(down(), down());
    refresh(RefreshTrigger.PROACTIVE);
    f.clock.advance(Duration.ofMinutes(5));
    refresh(RefreshTrigger.MANUAL);
    Instant last = f.clock.now();
    f.clock.advance(Duration.ofMinutes(5));
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_grant", Optional.of("grant request is invalid"), 400));

    refresh(RefreshTrigger.MANUAL);

    assertThat(only(EventType.GRANT_LOST).details())
        .containsEntry("attempts", "2")
        .containsEntry("firstFailureAt", first.toString())
        .containsEntry("lastFailureAt", last.toString());
    assertThat(f.events(EventType.REFRESH_DEFERRED)).hasSize(2);
  }

  @Test
  void refreshWhenItWorksAgainAfterFailuresThenGrantRecovered() {
    authorizedCrm();
    f.idp.scriptNext(down());
    refresh(RefreshTrigger.PROACTIVE);
    f.clock.advance(Duration.ofMinutes(10));

    refresh(RefreshTrigger.MANUAL);

    Event recovered = only(EventType.GRANT_RECOVERED);
    assertThat(recovered.details())
        .containsEntry("recoveredFrom", "REFRESH_FAILED")
        .containsEntry("attempts", "1");
    assertThat(only(EventType.TOKEN_REFRESHED).details()).containsEntry("trigger", "manual");
  }

  @Test
  void refreshWhenProviderRefusesTheClientThenClientRejectedAndAProviderChangeReArmsIt() {
    authorizedCrm();
    AuthProvider provider = f.provider();
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));

    refresh(RefreshTrigger.PROACTIVE);

    assertThat(only(EventType.CLIENT_REJECTED).diagnosis().orElseThrow().code())
        .isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
    assertThat(f.events(EventType.PROVIDER_REARMED)).isEmpty();

    join(
        f.providers.save(
            new Providers.SaveProvider(provider, new SaveMode.Replace("idp"), ADMIN_ACTOR)));

    Event rearmed = only(EventType.PROVIDER_REARMED);
    assertThat(rearmed.credential()).contains("crm");
    assertThat(rearmed.details()).containsEntry("previousDiagnosis", "CLIENT_AUTH_FAILED");
    assertThat(rearmed.actor()).isEmpty();
  }

  @Test
  void refreshWhenAPersonGetsARefusedClientThroughThenGrantRecovered() {
    authorizedCrm();
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));
    refresh(RefreshTrigger.PROACTIVE);

    refresh(RefreshTrigger.MANUAL);

    assertThat(only(EventType.GRANT_RECOVERED).details())
        .containsEntry("recoveredFrom", "CLIENT_REJECTED")
        .containsEntry("previousDiagnosis", "CLIENT_AUTH_FAILED");
  }

  @Test
  void refreshWhenTheRefreshTokenStopsBeingExtendedThenExpiryAheadOnce() {
    f.idp.reportRefreshExpiresIn(true).refreshTokenIdleLifetime(Optional.of(Duration.ofHours(1)));
    authorizedCrm();
    Instant end = f.stored(CRM).tokens().orElseThrow().refreshTokenExpiresAt().orElseThrow();
    f.clock.advance(Duration.ofMinutes(10));
    f.idp.scriptNext(notExtendedPast(end), notExtendedPast(end));

    refresh(RefreshTrigger.MANUAL);
    f.clock.advance(Duration.ofMinutes(10));
    refresh(RefreshTrigger.MANUAL);

    Event ahead = only(EventType.EXPIRY_AHEAD);
    assertThat(ahead.details())
        .containsEntry("refreshTokenExpiresAt", end.toString())
        .containsEntry("reason", "absolute_lifetime");
    assertThat(ahead.diagnosis().orElseThrow().code())
        .isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRING);
    assertThat(f.events(EventType.TOKEN_REFRESHED)).hasSize(2);
  }

  /** A refresh answer whose refresh token expires at {@code end} however late it comes. */
  private GrantOutcome notExtendedPast(Instant end) {
    return new GrantOutcome.Granted(
        new TokenResponse(
            Secret.of("at-scripted"),
            "Bearer",
            Optional.of(Duration.ofMinutes(5)),
            Optional.of(Secret.of("rt-scripted")),
            Optional.of(Duration.between(f.clock.now(), end)),
            Optional.empty(),
            Optional.empty(),
            Optional.empty()));
  }

  // ---- revocation and deletion ----

  @Test
  void revokeWhenAnAdminRevokesThenTheRequestIsAuditedBeforeGrantRevoked() {
    authorizedCrm();

    join(f.revocations.revoke(ADMIN, "crm", Optional.empty(), ADMIN_ACTOR));

    List<EventType> types = f.events.all().stream().map(Event::type).toList();
    assertThat(types)
        .containsSubsequence(EventType.AUDIT_REVOCATION_REQUESTED, EventType.GRANT_REVOKED);
    Event audit = only(EventType.AUDIT_REVOCATION_REQUESTED);
    assertThat(audit.actor()).contains(ADMIN_ACTOR);
    assertThat(audit.credential()).contains("crm");
    assertThat(only(EventType.GRANT_REVOKED).diagnosis().orElseThrow().code())
        .isEqualTo(DiagnosisCode.GRANT_REVOKED);
  }

  @Test
  void deleteCredentialWhenItExistsThenCredentialDeletedAndItsAuditRideTheDeletion() {
    authorizedCrm();

    join(f.credentialUseCases.delete(new Credentials.DeleteCredential("crm", ADMIN_ACTOR)));
    join(f.credentialUseCases.delete(new Credentials.DeleteCredential("crm", ADMIN_ACTOR)));

    Event deleted = only(EventType.CREDENTIAL_DELETED);
    assertThat(deleted.credential()).contains("crm");
    assertThat(deleted.details()).containsEntry("grants", "1");
    Event audit = only(EventType.AUDIT_CREDENTIAL_DELETED);
    assertThat(audit.actor()).contains(ADMIN_ACTOR);
    assertThat(audit.details()).containsEntry("credential", "crm");
  }

  // ---- compare-and-set ----

  @Test
  void updateWhenAnotherWriterWinsTheRoundThenOnlyTheWinningRoundsEventsAreRecorded() {
    authorizedCrm();
    TokenRecord known = f.stored(CRM);
    AtomicBoolean interfered = new AtomicBoolean();
    DelegatingTokenStore racing =
        new DelegatingTokenStore(f.tokens) {
          @Override
          public CompletionStage<Optional<TokenRecord>> compareAndSet(
              TokenRecord next, List<Event> events) {
            if (interfered.compareAndSet(false, true)) {
              // another instance revokes the token between this writer's read and its write
              join(
                  f.tokens.compareAndSet(
                      TokenRecords.edit(known).state(TokenState.REVOKED).build()));
            }
            return super.compareAndSet(next, events);
          }
        };
    TokenUpdates updates = new TokenUpdates(racing, new EventSource("instance-2", f.clock));
    Diagnosis revoked =
        Diagnosis.of(
            DiagnosisCode.GRANT_REVOKED,
            "principal",
            "the named principal",
            "revokedAt",
            "now",
            "by",
            "'admin'",
            "outcome",
            "the identity provider accepted the revocation",
            "credential",
            "crm");
    int before = f.events.all().size();

    TokenRecord stored =
        join(
            updates.update(
                known,
                TokenChange.REVOKED,
                latest -> latest.revoked(revoked, record -> Optional.empty())));

    assertThat(interfered).isTrue();
    assertThat(stored.state()).isEqualTo(TokenState.REVOKED);
    assertThat(f.events.all().subList(before, f.events.all().size()))
        .as("the lost round would have announced a revocation; the winner found one done")
        .isEmpty();
  }

  // ---- audit ----

  @Test
  void adminActionsWhenKeysProvidersAndCredentialsChangeThenAuditNamesActorAndTargetAndNoSecret() {
    ApiKeys keys =
        new ApiKeys(
            new InMemoryApiKeyStore(f.events),
            new EventSource("instance-1", f.clock),
            new SplittableRandom(5),
            Optional.empty());
    ApiKeys.IssueOutcome issued =
        join(
            keys.issue(
                new ApiKeys.IssueApiKey(
                    Optional.of("billing"), Optional.of(List.of("caller")), ADMIN_ACTOR)));
    ApiKeySummary summary = issued.fold((s, k) -> s, p -> null);
    Secret key = issued.fold((s, k) -> k, p -> null);
    join(keys.delete(new ApiKeys.DeleteApiKey(summary.id(), ADMIN_ACTOR)));
    AuthProvider provider = f.provider(List.of("openid", "offline_access"), null);
    join(
        f.providers.save(
            new Providers.SaveProvider(provider, new SaveMode.Replace("idp"), ADMIN_ACTOR)));
    NamedCredential crm = ServiceFixture.valid(authorizationCode("crm"));
    join(
        f.credentialUseCases.save(
            new Credentials.SaveCredential(crm, new SaveMode.Create(), ADMIN_ACTOR)));
    join(f.providers.delete(new Providers.DeleteProvider("other", ADMIN_ACTOR)));

    Event created = only(EventType.AUDIT_KEY_CREATED);
    assertThat(created.actor()).contains(ADMIN_ACTOR);
    assertThat(created.details())
        .containsEntry("keyId", summary.id())
        .containsEntry("subject", "billing")
        .containsEntry("roles", "caller");
    assertThat(only(EventType.AUDIT_KEY_DELETED).details())
        .containsEntry("keyId", summary.id())
        .containsEntry("subject", "billing");
    assertThat(only(EventType.AUDIT_PROVIDER_SAVED).details()).containsEntry("provider", "idp");
    Event credentialSaved = only(EventType.AUDIT_CREDENTIAL_SAVED);
    assertThat(credentialSaved.credential()).contains("crm");
    assertThat(credentialSaved.details())
        .containsEntry("credential", "crm")
        .containsEntry("provider", "idp")
        .containsEntry("created", "true");
    assertThat(f.events(EventType.AUDIT_PROVIDER_DELETED))
        .as("a deletion that did not happen records no audit event")
        .isEmpty();
    assertThat(f.events.all()).allSatisfy(e -> assertThat(e.instance()).isEqualTo("instance-1"));
    assertThat(f.events.all())
        .as("no event field holds the client secret or the key")
        .allSatisfy(
            e ->
                assertThat(e.toString())
                    .doesNotContain(CLIENT_SECRET)
                    .doesNotContain(key.reveal())
                    .doesNotContain(key.reveal().substring(key.reveal().lastIndexOf('.') + 1)));
  }
}
