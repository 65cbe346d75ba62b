package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.testkit.DelegatingTokenStore;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RefresherTest {
  private static final TokenKey CRM = TokenKey.named("crm");
  private final ServiceFixture f = new ServiceFixture();

  @BeforeEach
  void authorized() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
  }

  private RefreshOutcome manual() {
    return join(f.refresher.refresh(CRM, RefreshTrigger.MANUAL, Optional.empty()));
  }

  private static GrantOutcome down() {
    return new GrantOutcome.Failed(
        GrantOutcome.Failure.SERVER_ERROR, "HTTP 503", Optional.of(503), Optional.empty());
  }

  @Test
  void refreshWhenProviderAnswersThenStoresNewTokensAndSchedulesTheNext() {
    TokenSet before = f.stored(CRM).tokens().orElseThrow();
    f.clock.advance(Duration.ofMinutes(10));

    RefreshOutcome outcome = manual();

    assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
    TokenRecord after = f.stored(CRM);
    assertThat(after.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(after.tokens().orElseThrow().accessToken()).isNotEqualTo(before.accessToken());
    assertThat(after.lastRefreshAt()).contains(f.clock.now());
    assertThat(after.nextRefreshAt()).isPresent();
    assertThat(f.tokens.leaseHolder(CRM)).isEmpty();
  }

  @Test
  void refreshWhenTheAnswerHasNoExpiresInThenAssumesTheProvidersAccessTokenLifetime() {
    f.provider(List.of("openid", "offline_access"), "PT24H", null, "PT8H");
    f.idp.expiresIn(Optional.empty());
    f.clock.advance(Duration.ofMinutes(10));

    manual();

    assertThat(f.stored(CRM).tokens().orElseThrow().expiresAt())
        .isEqualTo(f.clock.now().plus(Duration.ofHours(8)));
  }

  @Test
  void refreshWhenAnotherCallerAlreadyRefreshedThenReturnsItsTokensWithoutCallingTheProvider() {
    TokenSet seen = f.stored(CRM).tokens().orElseThrow();
    manual();

    RefreshOutcome outcome =
        join(f.refresher.refresh(CRM, RefreshTrigger.ON_401, Optional.of(seen.accessToken())));

    assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(((RefreshOutcome.Refreshed) outcome).calledProvider()).isFalse();
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void refreshWhenProviderFailsTransientlyThenBacksOffAndDoesNotCallBeforeTheNextAttempt() {
    f.idp.scriptNext(down());
    TokenSet seen = f.stored(CRM).tokens().orElseThrow();

    RefreshOutcome first =
        join(f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken())));

    assertThat(first).isInstanceOf(RefreshOutcome.Deferred.class);
    RefreshOutcome.Deferred deferred = (RefreshOutcome.Deferred) first;
    assertThat(deferred.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
    assertThat(deferred.nextAttemptAt()).isAfter(f.clock.now());
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.REFRESH_FAILED);
    assertThat(f.stored(CRM).nextRefreshAt()).contains(deferred.nextAttemptAt());

    RefreshOutcome again =
        join(f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken())));
    assertThat(again).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);

    f.clock.set(deferred.nextAttemptAt());
    RefreshOutcome recovered =
        join(f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken())));
    assertThat(recovered).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.stored(CRM).diagnoses()).isEmpty();
    assertThat(f.stored(CRM).failures().count()).isZero();
  }

  @Test
  void refreshWhenFailuresRepeatThenAttemptsAreBoundedPerHourEvenWhenAPersonAsks() {
    GrantOutcome[] failures = new GrantOutcome[40];
    java.util.Arrays.fill(failures, down());
    f.idp.scriptNext(failures);

    for (int i = 0; i < 30; i++) {
      manual();
    }

    int bound = f.policy.settings().maxAttemptsPerHour();
    assertThat(f.idp.refreshCalls()).isEqualTo(bound);
    RefreshOutcome outcome = manual();
    assertThat(outcome).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(((RefreshOutcome.Deferred) outcome).nextAttemptAt()).isAfter(f.clock.now());

    f.clock.advance(Duration.ofHours(1));
    manual();
    assertThat(f.idp.refreshCalls()).isEqualTo(bound + 1);
  }

  @Test
  void refreshWhenShortLivedTokensAreRefreshedAllDayThenTheHourlyBoundNeverStopsThem() {
    int bound = f.policy.settings().maxAttemptsPerHour();
    for (int i = 0; i < bound * 3; i++) {
      TokenSet current = f.stored(CRM).tokens().orElseThrow();
      f.clock.advance(Duration.ofMinutes(1));

      RefreshOutcome outcome =
          join(
              f.refresher.refresh(
                  CRM, RefreshTrigger.PROACTIVE, Optional.of(current.accessToken())));

      assertThat(outcome).as("refresh %d", i + 1).isInstanceOf(RefreshOutcome.Refreshed.class);
    }
    assertThat(f.idp.refreshCalls()).isEqualTo(bound * 3);
  }

  @Test
  void refreshWhenATargetRefusesEveryNewTokenThenRefreshesAfter401AreBoundedPerHour() {
    int bound = f.policy.settings().maxAttemptsPerHour();
    RefreshOutcome outcome = null;
    for (int i = 0; i < bound * 2; i++) {
      TokenSet current = f.stored(CRM).tokens().orElseThrow();
      f.clock.advance(Duration.ofSeconds(5));
      outcome =
          join(f.refresher.refresh(CRM, RefreshTrigger.ON_401, Optional.of(current.accessToken())));
    }

    assertThat(f.idp.refreshCalls()).isEqualTo(bound);
    assertThat(outcome).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(((RefreshOutcome.Deferred) outcome).diagnosis().message())
        .contains(bound + " refresh attempts after a target's 401 within the hour");
  }

  @Test
  void refreshWhenTargetRejectionsSpentTheirBudgetThenTheScheduleAndAnAdminStillRefresh() {
    int bound = f.policy.settings().maxAttemptsPerHour();
    for (int i = 0; i < bound * 2; i++) {
      TokenSet current = f.stored(CRM).tokens().orElseThrow();
      f.clock.advance(Duration.ofSeconds(5));
      join(f.refresher.refresh(CRM, RefreshTrigger.ON_401, Optional.of(current.accessToken())));
    }
    assertThat(f.idp.refreshCalls()).isEqualTo(bound);

    TokenSet current = f.stored(CRM).tokens().orElseThrow();
    RefreshOutcome scheduled =
        join(
            f.refresher.refresh(CRM, RefreshTrigger.PROACTIVE, Optional.of(current.accessToken())));
    RefreshOutcome asked = join(f.refresher.refreshAskedBy(ADMIN, CRM));

    assertThat(scheduled.calledProvider()).isTrue();
    assertThat(asked).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(asked.calledProvider()).isTrue();
    assertThat(f.idp.refreshCalls()).isEqualTo(bound + 2);
  }

  @Test
  void refreshAskedByWhenTheOwnerAsksFortyTimesInARowThenTheProviderIsCalledOnce() {
    f.credential(
        ServiceFixture.draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));
    f.authorize("mail", Caller.caller("carol"));
    TokenKey carols = TokenKey.perUser("mail", "carol");
    f.clock.advance(Duration.ofSeconds(31));

    List<RefreshOutcome> outcomes = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      outcomes.add(join(f.refresher.refreshAskedBy(Caller.caller("carol"), carols)));
      f.clock.advance(Duration.ofMillis(500));
    }

    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(outcomes).allMatch(RefreshOutcome.Refreshed.class::isInstance);
    assertThat(outcomes.subList(1, 40)).noneMatch(RefreshOutcome::calledProvider);
    TokenSet fresh = f.stored(carols).tokens().orElseThrow();
    assertThat(outcomes)
        .extracting(o -> ((RefreshOutcome.Refreshed) o).record().tokens().orElseThrow())
        .containsOnly(fresh);
  }

  @Test
  void refreshAskedByWhenACallerAsksForANamedCredentialsTokenThenRefusedWithoutACall() {
    RefreshOutcome outcome = join(f.refresher.refreshAskedBy(Caller.caller("bob"), CRM));

    assertThat(outcome).isInstanceOf(RefreshOutcome.Rejected.class);
    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.CALLER_NOT_ALLOWED);
    assertThat(f.idp.refreshCalls()).isZero();
  }

  @Test
  void refreshAskedByWhenTheOwnerKeepsAskingThenTheOwnersBudgetEndsAndTheAdminsRemains() {
    f.credential(
        ServiceFixture.draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));
    f.authorize("mail", Caller.caller("carol"));
    TokenKey carols = TokenKey.perUser("mail", "carol");
    int bound = f.policy.settings().maxAttemptsPerHour();

    RefreshOutcome last = null;
    for (int i = 0; i < bound + 3; i++) {
      f.clock.advance(Duration.ofSeconds(31));
      last = join(f.refresher.refreshAskedBy(Caller.caller("carol"), carols));
    }
    RefreshOutcome admins = join(f.refresher.refreshAskedBy(ADMIN, carols));

    assertThat(f.idp.refreshCalls()).isEqualTo(bound + 1);
    assertThat(last).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(((RefreshOutcome.Deferred) last).diagnosis().code())
        .isEqualTo(DiagnosisCode.REFRESH_RATE_LIMITED);
    assertThat(admins.calledProvider()).isTrue();
  }

  @Test
  void refreshWhenClientIsRefusedThenTheGrantIsKeptUntilTheProviderChanges() {
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));

    RefreshOutcome outcome = manual();

    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().message())
        .contains("callgate-client");
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.CLIENT_REJECTED);
    assertThat(f.stored(CRM).tokens()).isPresent();
    assertThat(f.stored(CRM).nextRefreshAt()).isEmpty();
  }

  @Test
  void refreshWhenProviderMetadataBreaksARuleThenClientRejectedWithThatDiagnosisNotTransient() {
    Diagnosis metadataInvalid =
        Diagnosis.of(
            DiagnosisCode.PROVIDER_METADATA_INVALID,
            "provider",
            "corp",
            "source",
            "discovery document at https://idp.test/.well-known/openid-configuration",
            "field",
            "token_endpoint",
            "value",
            "http://collector.example/token",
            "rule",
            "plain http is used only for loopback hosts");
    f.idp.scriptNext(new GrantOutcome.Misconfigured(metadataInvalid));

    RefreshOutcome outcome = manual();

    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis()).isEqualTo(metadataInvalid);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.CLIENT_REJECTED);
    assertThat(f.stored(CRM).tokens()).isPresent();
    assertThat(f.stored(CRM).nextRefreshAt()).isEmpty();
  }

  @Test
  void refreshWhenProviderServesHtmlThenTransientIdpResponseInvalidNotARevokedGrant() {
    f.idp.scriptNext(
        new GrantOutcome.Failed(
            GrantOutcome.Failure.INVALID_RESPONSE,
            "text/html answer with status 200",
            Optional.of(200),
            Optional.empty()));

    RefreshOutcome outcome = manual();

    assertThat(outcome).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(((RefreshOutcome.Deferred) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.IDP_RESPONSE_INVALID);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.REFRESH_FAILED);
  }

  @Test
  void refreshWhenAnotherInstanceHoldsTheLeaseThenWaitsForItsResultWithoutCallingTheProvider() {
    TokenSet seen = f.stored(CRM).tokens().orElseThrow();
    assertThat(
            join(
                f.tokens.tryLease(CRM, "instance-2", f.clock.now().plusSeconds(30), f.clock.now())))
        .isTrue();

    CompletionStage<RefreshOutcome> waiting =
        f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken()));
    f.clock.advance(Duration.ofMillis(300));
    assertThat(waiting.toCompletableFuture()).isNotDone();

    ServiceFixture other = new ServiceFixture("instance-2");
    other.tokens.seed(f.stored(CRM));
    // the other instance refreshes through the shared store: simulate its write
    TokenRecord latest = f.stored(CRM);
    TokenSet theirs =
        new TokenSet(
            dev.callgate.core.credential.Secret.of("at-from-instance-2"),
            "Bearer",
            f.clock.now(),
            f.clock.now().plusSeconds(3600),
            seen.refreshToken(),
            seen.refreshTokenExpiry(),
            seen.scope());
    assertThat(join(f.tokens.compareAndSet(TokenRecords.edit(latest).tokens(theirs).build())))
        .isPresent();
    f.clock.advance(Duration.ofMillis(200));

    RefreshOutcome outcome = join(waiting);
    assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(
            ((RefreshOutcome.Refreshed) outcome)
                .record()
                .tokens()
                .orElseThrow()
                .accessToken()
                .reveal())
        .isEqualTo("at-from-instance-2");
    assertThat(f.idp.refreshCalls()).isZero();
  }

  @Test
  void refreshWhenTheLeaseHolderCrashedThenTakesOverAfterTheLeaseExpires() {
    TokenSet seen = f.stored(CRM).tokens().orElseThrow();
    join(f.tokens.tryLease(CRM, "crashed", f.clock.now().plusSeconds(30), f.clock.now()));

    CompletionStage<RefreshOutcome> waiting =
        f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken()));
    for (int i = 0; i < 320; i++) {
      f.clock.advance(Duration.ofMillis(100));
    }

    assertThat(join(waiting)).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void refreshWhenTokenNeedsAuthorizationThenNeverCallsTheProvider() {
    f.idp.revokeAll();
    manual();
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);

    for (RefreshTrigger trigger : RefreshTrigger.values()) {
      RefreshOutcome outcome = join(f.refresher.refresh(CRM, trigger, Optional.empty()));
      assertThat(outcome).isInstanceOf(RefreshOutcome.Rejected.class);
    }
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void refreshWhenAnotherInstanceRefreshedBetweenTheReadAndTheLeaseThenDoesNotCallTheProvider() {
    TokenSet seen = f.stored(CRM).tokens().orElseThrow();
    // another instance finishes its refresh (and gives its lease back) just before this one
    // takes the lease: what this one read before the lease is already out of date
    TokenStore racing =
        new DelegatingTokenStore(f.tokens) {
          @Override
          public CompletionStage<Boolean> tryLease(
              TokenKey key, String owner, java.time.Instant until, java.time.Instant now) {
            TokenRecord latest = f.stored(key);
            join(
                f.tokens.compareAndSet(
                    TokenRecords.edit(latest).tokens(tokensFrom("instance-2", seen)).build()));
            return super.tryLease(key, owner, until, now);
          }
        };
    Refresher refresher =
        new Refresher(
            f.credentials,
            racing,
            f.idp,
            f.clock,
            f.policy,
            Refresher.Settings.defaults("instance-1"));

    RefreshOutcome outcome =
        join(refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(seen.accessToken())));

    assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(((RefreshOutcome.Refreshed) outcome).calledProvider()).isFalse();
    assertThat(accessToken(((RefreshOutcome.Refreshed) outcome).record()))
        .isEqualTo("at-from-instance-2");
    assertThat(f.idp.refreshCalls()).isZero();
    assertThat(f.tokens.leaseHolder(CRM)).isEmpty();
  }

  @Test
  void refreshWhenJoiningARefreshThatEndsWithTheTokenTheCallerFoundWantingThenRefreshesOnceMore() {
    TokenSet first = f.stored(CRM).tokens().orElseThrow();
    join(f.tokens.tryLease(CRM, "instance-2", f.clock.now().plusSeconds(30), f.clock.now()));
    // this process waits for instance-2, which stores a new token and gives its lease back
    CompletionStage<RefreshOutcome> waiting =
        f.refresher.refresh(CRM, RefreshTrigger.ON_DEMAND, Optional.of(first.accessToken()));
    TokenSet theirs = tokensFrom("instance-2", first);
    assertThat(
            join(f.tokens.compareAndSet(TokenRecords.edit(f.stored(CRM)).tokens(theirs).build())))
        .isPresent();
    join(f.tokens.releaseLease(CRM, "instance-2"));
    // a callout read instance-2's token, and the target refused it: it joins the refresh under way
    CompletionStage<RefreshOutcome> rejected =
        f.refresher.refresh(CRM, RefreshTrigger.ON_401, Optional.of(theirs.accessToken()));
    f.clock.advance(Duration.ofMillis(200));

    assertThat(accessToken(((RefreshOutcome.Refreshed) join(waiting)).record()))
        .isEqualTo("at-from-instance-2");
    RefreshOutcome again = join(rejected);
    assertThat(again).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(accessToken(((RefreshOutcome.Refreshed) again).record()))
        .isNotEqualTo("at-from-instance-2")
        .isEqualTo(accessToken(f.stored(CRM)));
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  /** The record as an instance leaves it that began a refresh and stopped before settling it. */
  private void interruptedBy(String instance) {
    TokenRecord latest = f.stored(CRM);
    assertThat(
            join(
                f.tokens.compareAndSet(
                    latest.refreshStarted(
                        new RefreshStart(instance, f.clock.now()),
                        RefreshBudget.SCHEDULE,
                        Duration.ofHours(1),
                        record -> latest.nextRefreshAt()))))
        .isPresent();
    join(f.tokens.tryLease(CRM, instance, f.clock.now().plusSeconds(30), f.clock.now()));
    f.clock.advance(Duration.ofSeconds(31));
  }

  @Test
  void refreshWhenAnEarlierRefreshWasInterruptedAfterTheProviderRotatedThenResultLost() {
    f.idp.rotateRefreshTokens(true);
    TokenSet stored = f.stored(CRM).tokens().orElseThrow();
    // the interrupted refresh reached the provider, which rotated the refresh token
    assertThat(join(f.idp.refresh(f.provider(), stored.refreshToken().orElseThrow())))
        .isInstanceOf(GrantOutcome.Granted.class);
    interruptedBy("instance-2");

    RefreshOutcome outcome = manual();

    assertThat(outcome).isInstanceOf(RefreshOutcome.Rejected.class);
    Diagnosis diagnosis = ((RefreshOutcome.Rejected) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.REFRESH_RESULT_LOST);
    assertThat(diagnosis.message()).contains("instance instance-2 began at", "invalid_grant");
    assertThat(diagnosis.remedy()).contains("/v1/credentials/crm/authorizations", "grace");
    TokenRecord after = f.stored(CRM);
    assertThat(after.state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
    assertThat(after.diagnoses()).containsExactly(diagnosis);
    assertThat(after.unsettledRefresh()).isEmpty();
  }

  @Test
  void refreshWhenAnEarlierRefreshWasInterruptedBeforeTheProviderAnsweredThenRecovers() {
    f.idp.rotateRefreshTokens(true);
    interruptedBy("instance-2");

    RefreshOutcome outcome = manual();

    assertThat(outcome).isInstanceOf(RefreshOutcome.Refreshed.class);
    TokenRecord after = f.stored(CRM);
    assertThat(after.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(after.unsettledRefresh()).isEmpty();
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void refreshWhenRefusedWithoutAnInterruptedRefreshThenRevokedNotResultLost() {
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_grant", Optional.of("grant request is invalid"), 400));

    RefreshOutcome outcome = manual();

    // the configured lifetime has not passed: the grant was revoked, no answer was lost
    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
  }

  @Test
  void refreshWhenTheProviderTimesOutThenAnInvalidGrantLaterIsTheLostAnswer() {
    f.idp.scriptNext(
        new GrantOutcome.Failed(
            GrantOutcome.Failure.TIMEOUT,
            "no answer within 10s",
            Optional.empty(),
            Optional.empty()),
        down(),
        new GrantOutcome.Refused("invalid_grant", Optional.of("grant request is invalid"), 400));

    RefreshOutcome timedOut = manual();
    assertThat(timedOut).isInstanceOf(RefreshOutcome.Deferred.class);
    RefreshStart mine = f.stored(CRM).unsettledRefresh().orElseThrow();
    assertThat(mine.instance()).isEqualTo("instance-1");
    // a failure with an answer settles nothing more, and keeps the earlier unknown outcome
    assertThat(manual()).isInstanceOf(RefreshOutcome.Deferred.class);
    assertThat(f.stored(CRM).unsettledRefresh()).contains(mine);

    RefreshOutcome refused = manual();

    assertThat(((RefreshOutcome.Rejected) refused).diagnosis().code())
        .isEqualTo(DiagnosisCode.REFRESH_RESULT_LOST);
    assertThat(f.stored(CRM).unsettledRefresh()).isEmpty();
  }

  @Test
  void refreshWhenTheProviderFailsWithAnAnswerThenNothingStaysUnsettled() {
    f.idp.scriptNext(down());

    manual();

    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.REFRESH_FAILED);
    assertThat(f.stored(CRM).unsettledRefresh()).isEmpty();
  }

  @Test
  void refreshWhenNewTokensCannotBeStoredAtFirstThenRetriesWhileTheLeaseLasts() {
    f.idp.hold();
    CompletionStage<RefreshOutcome> refreshing = manualStage();
    f.tokens.failWith(new StoreUnavailableException("connection to the database lost", null));
    f.idp.release();
    for (int i = 0; i < 10; i++) {
      f.clock.advance(Duration.ofMillis(500));
    }
    assertThat(refreshing.toCompletableFuture()).isNotDone();

    f.tokens.recover();
    for (int i = 0; i < 10 && !refreshing.toCompletableFuture().isDone(); i++) {
      f.clock.advance(Duration.ofSeconds(1));
    }

    assertThat(join(refreshing)).isInstanceOf(RefreshOutcome.Refreshed.class);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.stored(CRM).unsettledRefresh()).isEmpty();
  }

  @Test
  void refreshWhenNewTokensCannotBeStoredWithinTheLeaseThenFailsAndLeavesTheRefreshUnsettled() {
    f.idp.hold();
    CompletionStage<RefreshOutcome> refreshing = manualStage();
    f.tokens.failWith(new StoreUnavailableException("connection to the database lost", null));
    f.idp.release();
    for (int i = 0; i < 40 && !refreshing.toCompletableFuture().isDone(); i++) {
      f.clock.advance(Duration.ofSeconds(1));
    }

    assertThat(refreshing.toCompletableFuture()).isCompletedExceptionally();
    f.tokens.recover();
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.REFRESHING);
    assertThat(f.stored(CRM).unsettledRefresh().map(RefreshStart::instance)).contains("instance-1");
  }

  private CompletionStage<RefreshOutcome> manualStage() {
    return f.refresher.refresh(CRM, RefreshTrigger.MANUAL, Optional.empty());
  }

  private static TokenSet tokensFrom(String instance, TokenSet previous) {
    return new TokenSet(
        dev.callgate.core.credential.Secret.of("at-from-" + instance),
        "Bearer",
        previous.issuedAt().plusSeconds(1),
        previous.expiresAt().plusSeconds(3600),
        previous.refreshToken(),
        previous.refreshTokenExpiry(),
        previous.scope());
  }

  private static String accessToken(TokenRecord record) {
    return record.tokens().orElseThrow().accessToken().reveal();
  }
}
