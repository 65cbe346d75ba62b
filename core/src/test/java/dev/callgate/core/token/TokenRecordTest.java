package dev.callgate.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The transitions of a token record: each applies the state machine and plans the next refresh with
 * the plan it is given, so no writer can leave either behind.
 */
class TokenRecordTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final TokenKey KEY = TokenKey.perUser("crm", "alice");
  private static final Duration WINDOW = Duration.ofHours(1);

  /** Plans "one minute after the last refresh" for states that refresh, nothing otherwise. */
  private static final RefreshPlan PLAN =
      record ->
          record.state().allowsRefresh()
              ? record.lastRefreshAt().map(at -> at.plusSeconds(60))
              : Optional.empty();

  private static TokenSet tokens(String accessToken, Instant issuedAt) {
    return new TokenSet(
        Secret.of(accessToken),
        "Bearer",
        issuedAt,
        issuedAt.plusSeconds(300),
        Optional.of(Secret.of("rt-" + accessToken)),
        Optional.of(
            new RefreshTokenExpiry(issuedAt.plusSeconds(3600), RefreshTokenExpiry.Source.REPORTED)),
        List.of("openid"));
  }

  private static Diagnosis transientFailure() {
    return Diagnosis.of(
        DiagnosisCode.REFRESH_FAILED_TRANSIENT, "reason", "down", "nextAttemptAt", "soon");
  }

  private static TokenRecord active() {
    return TokenRecord.unauthorized(KEY)
        .authorized(tokens("at-1", T0), Optional.empty(), List.of(), T0, PLAN);
  }

  @Test
  void authorizedWhenUnauthorizedThenActiveWithTokensAndPlannedRefresh() {
    ProviderIdentity alice =
        new ProviderIdentity("sub-1", Optional.of("alice"), Optional.empty(), Optional.empty());

    TokenRecord record =
        TokenRecord.unauthorized(KEY)
            .authorized(tokens("at-1", T0), Optional.of(alice), List.of(), T0, PLAN);

    assertThat(record.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(record.tokens()).contains(tokens("at-1", T0));
    assertThat(record.lastRefreshAt()).contains(T0);
    assertThat(record.identity()).contains(alice);
    assertThat(record.nextRefreshAt()).contains(T0.plusSeconds(60));
  }

  @Test
  void refreshStartedWhenAnEarlierRefreshIsUnsettledThenKeepsTheEarlierOneAndCountsTheAttempt() {
    RefreshStart earlier = new RefreshStart("instance-a", T0.plusSeconds(10));
    RefreshStart mine = new RefreshStart("instance-b", T0.plusSeconds(20));

    TokenRecord first = active().refreshStarted(earlier, RefreshBudget.SCHEDULE, WINDOW, PLAN);
    TokenRecord second = first.refreshStarted(mine, RefreshBudget.SCHEDULE, WINDOW, PLAN);

    assertThat(second.state()).isEqualTo(TokenState.REFRESHING);
    assertThat(second.unsettledRefresh()).contains(earlier);
    assertThat(second.attempts().count(RefreshBudget.SCHEDULE)).isEqualTo(2);
  }

  @Test
  void refreshFailedWhenTwiceThenStreakDatesTheOutageAndNextRefreshIsTheNextAttempt() {
    Instant next = T0.plusSeconds(40);
    RefreshPlan failedPlan = record -> record.nextAttemptAt();

    TokenRecord record =
        active()
            .refreshStarted(
                new RefreshStart("a", T0.plusSeconds(10)), RefreshBudget.SCHEDULE, WINDOW, PLAN)
            .refreshFailed(
                transientFailure(), T0.plusSeconds(10), T0.plusSeconds(20), Optional.empty(), PLAN)
            .refreshStarted(
                new RefreshStart("a", T0.plusSeconds(20)), RefreshBudget.SCHEDULE, WINDOW, PLAN)
            .refreshFailed(
                transientFailure(), T0.plusSeconds(30), next, Optional.empty(), failedPlan);

    assertThat(record.state()).isEqualTo(TokenState.REFRESH_FAILED);
    assertThat(record.failures())
        .isEqualTo(
            new FailureStreak(2, Optional.of(T0.plusSeconds(10)), Optional.of(T0.plusSeconds(30))));
    assertThat(record.nextAttemptAt()).contains(next);
    assertThat(record.nextRefreshAt()).contains(next);
    assertThat(record.unsettledRefresh()).isEmpty();
  }

  @Test
  void refreshedWhenAfterFailuresThenStreakEndsAttemptsRestartAndRefreshSettles() {
    TokenRecord failed =
        active()
            .refreshStarted(
                new RefreshStart("a", T0.plusSeconds(10)), RefreshBudget.SCHEDULE, WINDOW, PLAN)
            .refreshFailed(
                transientFailure(), T0.plusSeconds(10), T0.plusSeconds(20), Optional.empty(), PLAN)
            .refreshStarted(
                new RefreshStart("a", T0.plusSeconds(20)), RefreshBudget.SCHEDULE, WINDOW, PLAN);

    TokenRecord refreshed =
        failed.refreshed(
            tokens("at-2", T0.plusSeconds(21)),
            Optional.empty(),
            List.of(),
            T0.plusSeconds(21),
            Optional.of(RefreshBudget.SCHEDULE),
            PLAN);

    assertThat(refreshed.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(refreshed.failures()).isEqualTo(FailureStreak.NONE);
    assertThat(refreshed.attempts()).isEqualTo(RefreshAttempts.NONE);
    assertThat(refreshed.unsettledRefresh()).isEmpty();
    assertThat(refreshed.diagnoses()).isEmpty();
    assertThat(refreshed.nextRefreshAt()).contains(T0.plusSeconds(81));
  }

  @Test
  void refreshedWhenTheProviderSendsNoIdentityThenKeepsTheOneItHad() {
    ProviderIdentity alice =
        new ProviderIdentity("sub-1", Optional.empty(), Optional.empty(), Optional.of("s1"));
    TokenRecord record =
        TokenRecord.unauthorized(KEY)
            .authorized(tokens("at-1", T0), Optional.of(alice), List.of(), T0, PLAN);

    TokenRecord refreshed =
        record.refreshed(
            tokens("at-2", T0),
            Optional.empty(),
            List.of(),
            T0,
            Optional.of(RefreshBudget.SCHEDULE),
            PLAN);

    assertThat(refreshed.identity()).contains(alice);
  }

  @Test
  void clientRejectedWhenRefusedThenKeepsTheGrantAndPlansNothingUntilTheProviderChanges() {
    Diagnosis refused =
        Diagnosis.of(
            DiagnosisCode.JWT_ASSERTION_REJECTED,
            "error",
            "invalid_grant",
            "errorDescription",
            "bad key",
            "credential",
            "crm");
    TokenRecord rejected =
        active()
            .refreshStarted(
                new RefreshStart("a", T0.plusSeconds(10)), RefreshBudget.SCHEDULE, WINDOW, PLAN)
            .clientRejected(refused, PLAN);

    assertThat(rejected.state()).isEqualTo(TokenState.CLIENT_REJECTED);
    assertThat(rejected.tokens()).isPresent();
    assertThat(rejected.diagnoses()).containsExactly(refused);
    assertThat(rejected.nextRefreshAt()).isEmpty();

    TokenRecord rearmed = rejected.providerChanged(T0.plusSeconds(100), PLAN);

    assertThat(rearmed.state()).isEqualTo(TokenState.EXPIRING);
    assertThat(rearmed.tokens()).isEqualTo(rejected.tokens());
    assertThat(rearmed.diagnoses()).isEmpty();
    assertThat(rearmed.nextRefreshAt()).contains(T0.plusSeconds(100));
  }

  @Test
  void providerChangedWhenTheGrantIsNotRefusedThenLeavesTheRecordAsItIs() {
    TokenRecord record = active();

    assertThat(record.providerChanged(T0.plusSeconds(100), PLAN)).isSameAs(record);
  }

  @Test
  void revokedWhenActiveThenDropsTheTokensAndPlansNothing() {
    Diagnosis revoked =
        Diagnosis.of(
            DiagnosisCode.GRANT_REVOKED,
            "principal",
            KEY.principalDescription(),
            "revokedAt",
            T0,
            "by",
            "'admin'",
            "outcome",
            "the identity provider accepted the revocation",
            "credential",
            "crm");

    TokenRecord record = active().revoked(revoked, PLAN);

    assertThat(record.state()).isEqualTo(TokenState.REVOKED);
    assertThat(record.tokens()).isEmpty();
    assertThat(record.diagnoses()).containsExactly(revoked);
    assertThat(record.nextRefreshAt()).isEmpty();
  }

  @Test
  void authorizationFailedWhenNoGrantThenTheFailureIsWhatStandsAndALiveGrantKeepsItsOwn() {
    Diagnosis denied =
        Diagnosis.of(
            DiagnosisCode.AUTHORIZATION_DENIED, "error", "access_denied", "errorDescription", "no");

    TokenRecord withoutGrant = TokenRecord.unauthorized(KEY).authorizationFailed(denied);
    TokenRecord live =
        TokenRecord.unauthorized(KEY)
            .authorized(tokens("at-1", T0), Optional.empty(), List.of(transientFailure()), T0, PLAN)
            .authorizationFailed(denied);

    assertThat(withoutGrant.state()).isEqualTo(TokenState.UNAUTHORIZED);
    assertThat(withoutGrant.diagnoses()).containsExactly(denied);
    assertThat(live.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(live.diagnoses()).containsExactly(transientFailure(), denied);
  }

  @Test
  void usedAtWhenCalledThenRecordsTheUseAndReplans() {
    RefreshPlan fromUse = record -> record.lastUsedAt().map(at -> at.plusSeconds(5));

    TokenRecord record = active().usedAt(T0.plusSeconds(30), fromUse);

    assertThat(record.lastUsedAt()).contains(T0.plusSeconds(30));
    assertThat(record.nextRefreshAt()).contains(T0.plusSeconds(35));
    assertThat(record.usedSinceIssued()).isTrue();
  }
}
