package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.REQUEST_ID;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
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
import org.junit.jupiter.api.Test;

/**
 * A credential's life beyond the happy path, through the use cases over in-memory ports: outages
 * near a refresh token's end, a refused client and its fix, revocation, failed authorizations,
 * per-user tokens, and what status knows beyond the stored state.
 */
class LifecycleTest {
  private static final TokenKey CRM = TokenKey.named("crm");
  private final ServiceFixture f = new ServiceFixture();

  private static GrantOutcome unreachable() {
    return new GrantOutcome.Failed(
        GrantOutcome.Failure.UNREACHABLE, "connection refused", Optional.empty(), Optional.empty());
  }

  private RefreshOutcome refresh(RefreshTrigger trigger) {
    Optional<TokenSet> tokens = f.stored(CRM).tokens();
    return join(f.refresher.refresh(CRM, trigger, tokens.map(TokenSet::accessToken)));
  }

  @Test
  void outageWhenItLastsUntilTheRefreshTokenNearlyExpiresThenEveryRetryIsPlannedBeforeTheExpiry() {
    f.provider(List.of("openid", "offline_access"), "PT2M");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    Instant expiry = f.stored(CRM).tokens().orElseThrow().refreshTokenExpiresAt().orElseThrow();
    GrantOutcome[] down = new GrantOutcome[30];
    java.util.Arrays.fill(down, unreachable());
    f.idp.scriptNext(down);
    f.clock.set(expiry.minusSeconds(70));

    List<Instant> planned = new ArrayList<>();
    while (f.clock.now().isBefore(expiry.minusSeconds(6))) {
      RefreshOutcome outcome = refresh(RefreshTrigger.KEEP_ALIVE);
      if (outcome.calledProvider()) {
        planned.add(f.stored(CRM).nextAttemptAt().orElseThrow());
      }
      f.clock.set(f.stored(CRM).nextAttemptAt().orElseThrow());
    }

    assertThat(planned).isNotEmpty().allSatisfy(at -> assertThat(at).isBefore(expiry));
    // the provider comes back at the last moment: the grant survives
    f.idp.clearScript();
    assertThat(refresh(RefreshTrigger.KEEP_ALIVE).calledProvider()).isTrue();
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void outageWhenACalloutsTokenHasExpiredThenItTriesTheProviderDespiteTheBackoff() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    Instant accessExpiry = f.stored(CRM).tokens().orElseThrow().expiresAt();
    GrantOutcome[] down = new GrantOutcome[9];
    java.util.Arrays.fill(down, unreachable());
    f.idp.scriptNext(down);
    f.clock.set(accessExpiry.minusSeconds(120));
    for (int i = 0; i < 9; i++) {
      refresh(RefreshTrigger.PROACTIVE);
      f.clock.set(f.stored(CRM).nextAttemptAt().orElseThrow());
    }
    // the provider is back; the back-off still says wait
    f.clock.set(accessExpiry.plusSeconds(1));
    Instant backoff = f.stored(CRM).nextAttemptAt().orElseThrow();
    f.clock.set(f.stored(CRM).failures().lastAt().orElseThrow().plusSeconds(40));
    assertThat(f.clock.now()).isBefore(backoff);
    int calls = f.idp.refreshCalls();

    RefreshOutcome scheduled = refresh(RefreshTrigger.PROACTIVE);
    RefreshOutcome onDemand = refresh(RefreshTrigger.ON_DEMAND);

    assertThat(scheduled.calledProvider()).isFalse();
    assertThat(onDemand.calledProvider()).isTrue();
    assertThat(onDemand).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(f.idp.refreshCalls()).isEqualTo(calls + 1);
  }

  @Test
  void invalidGrantWhenAnOutageOutlivedTheRefreshTokenThenGrantLostDuringOutage() {
    f.provider(List.of("openid", "offline_access"), "PT2M");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    Instant expiry = f.stored(CRM).tokens().orElseThrow().refreshTokenExpiresAt().orElseThrow();
    f.idp.scriptNext(
        unreachable(),
        unreachable(),
        new GrantOutcome.Refused("invalid_grant", Optional.of("grant request is invalid"), 400));
    f.clock.set(expiry.minusSeconds(40));
    refresh(RefreshTrigger.KEEP_ALIVE);
    f.clock.set(expiry.minusSeconds(20));
    refresh(RefreshTrigger.KEEP_ALIVE);
    f.clock.set(expiry.plusSeconds(30));

    RefreshOutcome outcome = refresh(RefreshTrigger.MANUAL);

    Diagnosis diagnosis = ((RefreshOutcome.Rejected) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.GRANT_LOST_DURING_OUTAGE);
    assertThat(diagnosis.facts()).containsEntry("attempts", "2");
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
  }

  @Test
  void clientRejectedWhenTheProviderIsFixedThenTheSameGrantRefreshesAtOnce() {
    AuthProvider provider = f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.credential(authorizationCode("erp"));
    f.authorize("crm", ADMIN);
    f.authorize("erp", ADMIN);
    String refreshToken =
        f.stored(CRM).tokens().orElseThrow().refreshToken().orElseThrow().reveal();
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));
    refresh(RefreshTrigger.PROACTIVE);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.CLIENT_REJECTED);
    int calls = f.idp.refreshCalls();

    // callouts and the schedule answer the stored diagnosis without asking the provider
    RefreshOutcome refused = refresh(RefreshTrigger.ON_DEMAND);
    assertThat(refused.calledProvider()).isFalse();
    assertThat(((RefreshOutcome.Rejected) refused).diagnosis().code())
        .isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
    assertThat(f.idp.refreshCalls()).isEqualTo(calls);

    Providers.SaveOutcome saved =
        join(
            f.providers.save(
                new Providers.SaveProvider(provider, new SaveMode.Replace("idp"), ADMIN_ACTOR)));

    assertThat(saved).isEqualTo(new Providers.SaveOutcome.Saved(provider, false, 1));
    TokenRecord rearmed = f.stored(CRM);
    assertThat(rearmed.state()).isEqualTo(TokenState.EXPIRING);
    assertThat(rearmed.nextRefreshAt()).contains(f.clock.now());
    assertThat(f.stored(TokenKey.named("erp")).state()).isEqualTo(TokenState.ACTIVE);
    RefreshSchedule.Run run = join(f.schedule.runDue());
    assertThat(run.refreshed()).isEqualTo(1);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.idp.refreshCalls()).isEqualTo(calls + 1);
    assertThat(f.stored(CRM).tokens().orElseThrow().refreshToken().orElseThrow().reveal())
        .as("the same grant, not a new authorization")
        .isEqualTo(refreshToken);
  }

  @Test
  void clientRejectedWhenAPersonAsksForARefreshThenTheProviderIsAskedAgain() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));
    refresh(RefreshTrigger.PROACTIVE);

    RefreshOutcome outcome = refresh(RefreshTrigger.MANUAL);

    assertThat(outcome.calledProvider()).isTrue();
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void clientCredentialsWhenTheClientIsRefusedThenClientRejectedNotNeedsAuthorization() {
    f.provider(List.of("api"), null);
    f.credential(
        draft("svc", "oauth2_client_credentials", "named", true, false, List.of("app"), true));
    f.idp.scriptNext(new GrantOutcome.Refused("invalid_client", Optional.empty(), 401));

    RefreshOutcome outcome =
        join(
            f.refresher.refresh(TokenKey.named("svc"), RefreshTrigger.ON_DEMAND, Optional.empty()));

    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
    assertThat(f.stored(TokenKey.named("svc")).state()).isEqualTo(TokenState.CLIENT_REJECTED);

    join(
        f.providers.save(
            new Providers.SaveProvider(f.provider(), new SaveMode.Replace("idp"), ADMIN_ACTOR)));

    RefreshOutcome again =
        join(
            f.refresher.refresh(TokenKey.named("svc"), RefreshTrigger.ON_DEMAND, Optional.empty()));
    assertThat(again).isInstanceOf(RefreshOutcome.Refreshed.class);
  }

  @Test
  void revokeWhenAdminAsksThenTheProviderRevokesAndTheTokenIsRevoked() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    String accessToken = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();

    Revocations.RevokeOutcome outcome =
        join(f.revocations.revoke(ADMIN, "crm", Optional.empty(), ADMIN.actor(REQUEST_ID)));

    TokenRecord record = revoked(outcome);
    assertThat(record.state()).isEqualTo(TokenState.REVOKED);
    assertThat(record.tokens()).isEmpty();
    assertThat(record.diagnoses().get(0).code()).isEqualTo(DiagnosisCode.GRANT_REVOKED);
    assertThat(record.diagnoses().get(0).message()).contains("accepted the revocation");
    assertThat(f.idp.revocations()).isEqualTo(2);
    assertThat(f.idp.isValidAccessToken(accessToken)).isFalse();
  }

  @Test
  void revokeWhenTheProviderHasNoRevocationEndpointThenRevokedLocallySayingItMayLiveOn() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    ProviderMetadata noRevocation = InMemoryIdentityProvider.defaultMetadata();
    f.idp.metadata(
        new ProviderMetadata(
            noRevocation.issuer(),
            noRevocation.authorizationEndpoint(),
            noRevocation.tokenEndpoint(),
            Optional.empty(),
            noRevocation.scopesSupported(),
            noRevocation.grantTypesSupported(),
            noRevocation.codeChallengeMethodsSupported(),
            Optional.empty()));

    Revocations.RevokeOutcome outcome =
        join(f.revocations.revoke(ADMIN, "crm", Optional.empty(), ADMIN.actor(REQUEST_ID)));

    TokenRecord record = revoked(outcome);
    assertThat(record.state()).isEqualTo(TokenState.REVOKED);
    assertThat(record.diagnoses().get(0).message()).contains("may live on there");
  }

  @Test
  void revokeWhenTheProviderFailsToRevokeThenRevokedLocallySayingItMayLiveOnAndWhy() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    String refreshToken =
        f.stored(CRM).tokens().orElseThrow().refreshToken().orElseThrow().reveal();
    f.idp.failRevocations(Optional.of("the revocation endpoint answered HTTP 503"));

    Revocations.RevokeOutcome outcome =
        join(f.revocations.revoke(ADMIN, "crm", Optional.empty(), ADMIN.actor(REQUEST_ID)));

    TokenRecord record = revoked(outcome);
    assertThat(record.state()).isEqualTo(TokenState.REVOKED);
    assertThat(record.tokens()).isEmpty();
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.REVOKED);
    assertThat(f.stored(CRM).tokens()).isEmpty();
    assertThat(record.diagnoses().get(0).code()).isEqualTo(DiagnosisCode.GRANT_REVOKED);
    assertThat(record.diagnoses().get(0).message())
        .contains(
            "revoking it at the identity provider failed"
                + " (the revocation endpoint answered HTTP 503)")
        .contains("may live on there");
    assertThat(f.idp.isActiveRefreshToken(refreshToken)).isTrue();
  }

  @Test
  void revokeWhenACallerNamesAnotherUserThenRefusedAndItsOwnIsRevoked() {
    perUserMail("bob", "carol");
    Caller bob = Caller.caller("bob");
    f.authorize("mail", bob);
    f.authorize("mail", Caller.caller("carol"));

    Revocations.RevokeOutcome other =
        join(f.revocations.revoke(bob, "mail", Optional.of("carol"), bob.actor(REQUEST_ID)));
    Revocations.RevokeOutcome own =
        join(f.revocations.revoke(bob, "mail", Optional.empty(), bob.actor(REQUEST_ID)));

    assertThat(other.fold((credential, record) -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.FORBIDDEN);
    assertThat(revoked(own).key()).isEqualTo(TokenKey.perUser("mail", "bob"));
    assertThat(f.stored(TokenKey.perUser("mail", "carol")).state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void deleteCredentialWhenItHoldsGrantsThenRevokesEachBeforeDeleting() {
    perUserMail("bob", "carol");
    f.authorize("mail", Caller.caller("bob"));
    f.authorize("mail", Caller.caller("carol"));
    f.authorize("mail", Caller.caller("bob"));
    int before = f.idp.revocations();

    Optional<Revocations.Deletion> deletion =
        join(f.revocations.deleteCredential("mail", ADMIN_ACTOR));

    assertThat(deletion).contains(new Revocations.Deletion("mail", 2, List.of()));
    assertThat(f.idp.revocations() - before).isEqualTo(4);
    assertThat(join(f.credentials.findCredential("mail"))).isEmpty();
  }

  @Test
  void deleteCredentialWhenTheProviderIsUnreachableThenDeletesAndNamesEveryGrantThatMayLiveOn() {
    perUserMail("bob", "carol");
    f.authorize("mail", Caller.caller("bob"));
    f.authorize("mail", Caller.caller("carol"));
    f.idp.failRevocations(Optional.of("connection refused"));

    Optional<Revocations.Deletion> deletion =
        join(f.revocations.deleteCredential("mail", ADMIN_ACTOR));

    assertThat(deletion).isPresent();
    assertThat(deletion.get().grants()).isEqualTo(2);
    assertThat(deletion.get().grantsThatMayLiveOn())
        .allSatisfy(
            diagnosis -> {
              assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.GRANT_MAY_LIVE_ON);
              assertThat(diagnosis.message())
                  .contains("revoking it at the identity provider failed (connection refused)")
                  .contains("may live on there");
            })
        .extracting(Diagnosis::message)
        .satisfiesExactlyInAnyOrder(
            message -> assertThat(message).contains("user 'bob'"),
            message -> assertThat(message).contains("user 'carol'"));
    assertThat(join(f.credentials.findCredential("mail"))).isEmpty();
    assertThat(join(f.tokens.findByCredential("mail"))).isEmpty();
  }

  @Test
  void authorizeWhenTheSameUserAuthorizesAgainThenTheOldGrantIsKeptWithANoteItMayLiveOn() {
    // the in-memory provider names no session: Callgate cannot tell the grants apart
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    int before = f.idp.revocations();

    TokenRecord again = f.authorize("crm", ADMIN);

    assertThat(f.idp.revocations()).isEqualTo(before);
    assertThat(again.diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.GRANT_MAY_LIVE_ON);
  }

  @Test
  void authorizeWhenAnAdminLetsAnotherUserAuthorizeTheNamedCredentialThenThePreviousIsRevoked() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", Caller.admin("alice"));
    String previous = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    int before = f.idp.revocations();

    TokenRecord again = f.authorize("crm", Caller.admin("bob"), "bob", true);

    assertThat(f.idp.revocations() - before).isEqualTo(2);
    assertThat(f.idp.isValidAccessToken(previous)).isFalse();
    assertThat(again.diagnoses()).isEmpty();
  }

  @Test
  void completeWhenTheUserDeniesConsentThenTheFailureIsWhatStatusAndCalloutsReport() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    AuthorizationStart start = join(f.start(ADMIN, "crm"));
    URI url = f.browse(((AuthorizationStart.Started) start).authorizationUrl());
    InMemoryIdentityProvider.Denial denial = f.idp.deny(url, "access_denied", "The user said no");

    AuthorizationCompletion done =
        join(
            f.authorizations.complete(
                new AuthorizationCallback(
                    Optional.of(denial.state()),
                    Optional.empty(),
                    Optional.of(denial.error()),
                    Optional.of(denial.errorDescription()),
                    f.cookie(denial.state()))));

    assertThat(((AuthorizationCompletion.Refused) done).key()).contains(CRM);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.UNAUTHORIZED);
    TokenStatus status =
        found(
            join(f.statuses.status(new TokenStatuses.ReadStatus(ADMIN, "crm", Optional.empty()))));
    assertThat(status.diagnoses().get(0).code()).isEqualTo(DiagnosisCode.AUTHORIZATION_DENIED);
    RefreshOutcome callout =
        join(f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.empty()));
    assertThat(((RefreshOutcome.Rejected) callout).diagnosis().code())
        .isEqualTo(DiagnosisCode.AUTHORIZATION_DENIED);
  }

  @Test
  void completeWhenTheStateHasExpiredThenTheFailureIsRecordedOnTheToken() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    AuthorizationStart start = join(f.start(ADMIN, "crm"));
    InMemoryIdentityProvider.Approval approval =
        f.idp.approve(f.browse(((AuthorizationStart.Started) start).authorizationUrl()), "admin");
    f.clock.advance(Duration.ofMinutes(11));

    join(f.authorizations.complete(f.callback(approval)));

    assertThat(f.stored(CRM).diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.AUTHORIZATION_STATE_INVALID);
  }

  @Test
  void startWhenAnAdminNamesAUserOfAPerUserCredentialThenTheGrantIsThatUsers() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(
        draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));
    AuthorizationStart start = join(f.start(ADMIN, "mail", Optional.of("carol")));
    InMemoryIdentityProvider.Approval approval =
        f.idp.approve(f.browse(((AuthorizationStart.Started) start).authorizationUrl()), "carol");

    AuthorizationCompletion done = join(f.authorizations.complete(f.callback(approval)));

    TokenRecord record = ((AuthorizationCompletion.Authorized) done).record();
    assertThat(record.key()).isEqualTo(TokenKey.perUser("mail", "carol"));
    assertThat(record.identity().orElseThrow().subject()).isEqualTo("carol");
  }

  @Test
  void startWhenACallerNamesAnotherUserThenForbidden() {
    perUserMail("bob", "carol");

    AuthorizationStart start = join(f.start(Caller.caller("bob"), "mail", Optional.of("carol")));
    TokenStatuses.StatusOutcome status =
        join(
            f.statuses.status(
                new TokenStatuses.ReadStatus(Caller.caller("bob"), "mail", Optional.of("carol"))));

    assertThat(((AuthorizationStart.Refused) start).diagnosis().code())
        .isEqualTo(DiagnosisCode.FORBIDDEN);
    assertThat(status.fold(found -> null, Diagnosis::code)).isEqualTo(DiagnosisCode.FORBIDDEN);
  }

  @Test
  void statusWhenIdlePastAKnownExpiryWithoutKeepAliveThenPredictsTheExpiry() {
    f.provider(List.of("openid", "offline_access"), "PT20M");
    f.credential(
        draft("crm", "oauth2_authorization_code", "named", true, false, List.of("app"), false));
    f.authorize("crm", ADMIN);
    Instant expiry = f.stored(CRM).tokens().orElseThrow().refreshTokenExpiresAt().orElseThrow();

    f.clock.set(expiry.minusSeconds(1));
    TokenStatus before =
        found(
            join(f.statuses.status(new TokenStatuses.ReadStatus(ADMIN, "crm", Optional.empty()))));
    f.clock.set(expiry.plusSeconds(1));
    TokenStatus after =
        found(
            join(f.statuses.status(new TokenStatuses.ReadStatus(ADMIN, "crm", Optional.empty()))));

    assertThat(before.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(before.prediction()).isEmpty();
    assertThat(after.record().state()).isEqualTo(TokenState.ACTIVE);
    assertThat(after.state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
    assertThat(after.prediction().orElseThrow().since()).isEqualTo(expiry);
    Diagnosis predicted = after.diagnoses().get(0);
    assertThat(predicted.code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    assertThat(predicted.message()).contains("predicted").contains("keepAlive is off");
    assertThat(predicted.remedy()).contains("\"keepAlive\": true");
  }

  @Test
  void authorizeWhenTheRefreshTokenLifetimeIsOnlyAssumedThenWarnsFromTheStart() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));

    TokenRecord record = f.authorize("crm", ADMIN);

    assertThat(record.diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.REFRESH_TOKEN_LIFETIME_ASSUMED);
    assertThat(record.diagnoses().get(0).remedy())
        .contains("refreshTokenLifetime on provider 'idp'");
  }

  /** A per-user authorization-code credential "mail" that {@code callers} may call. */
  private void perUserMail(String... callers) {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(
        draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of(callers), true));
  }

  private static TokenStatus found(TokenStatuses.StatusOutcome outcome) {
    return outcome.fold(
        status -> status,
        diagnosis -> {
          throw new AssertionError("no status: " + diagnosis.message());
        });
  }

  private static TokenRecord revoked(Revocations.RevokeOutcome outcome) {
    return outcome.fold(
        (credential, record) -> record,
        diagnosis -> {
          throw new AssertionError("not revoked: " + diagnosis.message());
        });
  }
}
