package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
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
    f.provider(List.of("openid", "offline_access"), null);
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
    assertThat(f.stored(CRM).consecutiveFailures()).isZero();
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
  void refreshWhenClientIsRefusedThenNeedsAuthorizationWithClientAuthFailed() {
    f.idp.scriptNext(
        new GrantOutcome.Refused("invalid_client", Optional.of("Invalid client credentials"), 401));

    RefreshOutcome outcome = manual();

    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
    assertThat(((RefreshOutcome.Rejected) outcome).diagnosis().message())
        .contains("callgate-client");
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
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
    assertThat(join(f.tokens.compareAndSet(latest.withTokens(theirs)))).isPresent();
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
}
