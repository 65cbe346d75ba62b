package dev.callgate.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.RefreshTokenExpiry.Source;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {

  static final Instant NOW = Instant.parse("2024-05-06T08:00:00Z");
  static final Secret ACCESS = Secret.of("access-token-value");
  static final Secret REFRESH = Secret.of("refresh-token-value");
  static final Secret ROTATED = Secret.of("rotated-refresh-token-value");

  final RefreshPolicy policy =
      new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(7));

  static TokenResponse response(
      Optional<Duration> expiresIn,
      Optional<Secret> refreshToken,
      Optional<Duration> refreshExpiresIn,
      Optional<Instant> jwtExpiry,
      Optional<List<String>> scope) {
    return new TokenResponse(
        ACCESS,
        "Bearer",
        expiresIn,
        refreshToken,
        refreshExpiresIn,
        jwtExpiry,
        scope,
        Optional.empty());
  }

  static TokenSet tokens(
      Instant issuedAt, Duration accessLifetime, Optional<RefreshTokenExpiry> refreshExpiry) {
    return new TokenSet(
        ACCESS,
        "Bearer",
        issuedAt,
        issuedAt.plus(accessLifetime),
        Optional.of(REFRESH),
        refreshExpiry,
        List.of("openid", "offline_access"));
  }

  static TokenSet tokensWithoutRefreshToken(Instant issuedAt, Duration accessLifetime) {
    return new TokenSet(
        ACCESS,
        "Bearer",
        issuedAt,
        issuedAt.plus(accessLifetime),
        Optional.empty(),
        Optional.empty(),
        List.of("api"));
  }

  /** WSO2 defaults: 1 h access tokens, refresh tokens idle out after 24 h (configured). */
  static TokenSet wso2(Instant issuedAt) {
    return tokens(
        issuedAt,
        Duration.ofHours(1),
        Optional.of(
            new RefreshTokenExpiry(issuedAt.plus(Duration.ofHours(24)), Source.CONFIGURED)));
  }

  /** Keycloak: 300 s access tokens, refresh_expires_in 1800. */
  static TokenSet keycloak(Instant issuedAt) {
    return tokens(
        issuedAt,
        Duration.ofSeconds(300),
        Optional.of(new RefreshTokenExpiry(issuedAt.plusSeconds(1800), Source.REPORTED)));
  }

  /** A test realm: 5 s access tokens, refresh tokens idle out after 20 s. */
  static TokenSet short20(Instant issuedAt) {
    return tokens(
        issuedAt,
        Duration.ofSeconds(5),
        Optional.of(new RefreshTokenExpiry(issuedAt.plusSeconds(20), Source.CONFIGURED)));
  }

  @Nested
  class ToTokenSet {

    @Test
    void toTokenSetWhenWso2AnswersWithoutRefreshLifetimeThenUsesConfiguredLifetime() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.of(REFRESH),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(List.of("openid", "offline_access"))),
              NOW,
              Optional.of(Duration.ofHours(24)),
              Optional.empty(),
              List.of("openid"));

      assertThat(set.issuedAt()).isEqualTo(NOW);
      assertThat(set.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
      assertThat(set.refreshToken()).contains(REFRESH);
      assertThat(set.refreshTokenExpiry())
          .contains(new RefreshTokenExpiry(NOW.plus(Duration.ofHours(24)), Source.CONFIGURED));
      assertThat(set.scope()).containsExactly("openid", "offline_access");
      assertThat(set.tokenType()).isEqualTo("Bearer");
    }

    @Test
    void toTokenSetWhenKeycloakReportsRefreshExpiresInThenExpiryIsReported() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(300)),
                  Optional.of(REFRESH),
                  Optional.of(Duration.ofSeconds(1800)),
                  Optional.of(NOW.plusSeconds(1800)),
                  Optional.empty()),
              NOW,
              Optional.of(Duration.ofHours(24)),
              Optional.empty(),
              List.of("openid"));

      assertThat(set.expiresAt()).isEqualTo(NOW.plusSeconds(300));
      assertThat(set.refreshTokenExpiry())
          .contains(new RefreshTokenExpiry(NOW.plusSeconds(1800), Source.REPORTED));
    }

    @Test
    void toTokenSetWhenRefreshExpiresInIsZeroThenTreatsItAsNotReported() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(300)),
                  Optional.of(REFRESH),
                  Optional.of(Duration.ZERO),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.empty(),
              List.of("openid", "offline_access"));

      assertThat(set.refreshTokenExpiry())
          .contains(new RefreshTokenExpiry(NOW.plus(Duration.ofHours(12)), Source.ASSUMED));
    }

    @Test
    void toTokenSetWhenRefreshTokenIsAJwtThenExpiryComesFromItsExpClaim() {
      Instant exp = NOW.plus(Duration.ofDays(30));
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.of(REFRESH),
                  Optional.empty(),
                  Optional.of(exp),
                  Optional.empty()),
              NOW,
              Optional.of(Duration.ofHours(24)),
              Optional.empty(),
              List.of());

      assertThat(set.refreshTokenExpiry()).contains(new RefreshTokenExpiry(exp, Source.JWT_CLAIM));
    }

    @Test
    void toTokenSetWhenNobodyReportsRefreshLifetimeThenAssumesTwelveHours() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.of(REFRESH),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.empty(),
              List.of());

      assertThat(set.refreshTokenExpiry())
          .contains(new RefreshTokenExpiry(NOW.plus(Duration.ofHours(12)), Source.ASSUMED));
    }

    @Test
    void toTokenSetWhenExpiresInIsMissingThenGivesUnreportedLifetimeAndStillRefreshes() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.empty(),
                  Optional.of(REFRESH),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.empty(),
              List.of());

      assertThat(set.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
      assertThat(policy.nextRefreshAt(set, false, Optional.of(NOW.plusSeconds(1))))
          .contains(NOW.plus(Duration.ofMinutes(48)));
    }

    @Test
    void toTokenSetWhenExpiresInIsMissingAndTheProviderStatesALifetimeThenAssumesTheProvidersOne() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.of(Duration.ofDays(365)),
              Optional.empty(),
              List.of());

      assertThat(set.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    }

    @Test
    void toTokenSetWhenExpiresInIsStatedThenItWinsOverTheProvidersAssumedLifetime() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofMinutes(5)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.of(Duration.ofDays(365)),
              Optional.empty(),
              List.of());

      assertThat(set.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    }

    @Test
    void toTokenSetWhenExpiresInIsZeroThenGivesUnreportedLifetime() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ZERO),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.empty(),
              List.of());

      assertThat(set.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void toTokenSetWhenNoRefreshTokenWasEverIssuedThenHasNoRefreshExpiry() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.empty(),
                  Optional.of(Duration.ofSeconds(1800)),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.of(Duration.ofHours(24)),
              Optional.empty(),
              List.of("api"));

      assertThat(set.refreshToken()).isEmpty();
      assertThat(set.refreshTokenExpiry()).isEmpty();
    }

    @Test
    void toTokenSetWhenNoNewRefreshTokenThenKeepsPreviousOneAndRestartsConfiguredIdleLifetime() {
      Instant later = NOW.plus(Duration.ofHours(5));
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              later,
              Optional.of(Duration.ofHours(24)),
              Optional.of(wso2(NOW)),
              List.of("openid"));

      assertThat(set.refreshToken()).contains(REFRESH);
      assertThat(set.refreshTokenExpiry())
          .contains(new RefreshTokenExpiry(later.plus(Duration.ofHours(24)), Source.CONFIGURED));
    }

    @Test
    void toTokenSetWhenNoNewRefreshTokenAndExpiryWasReportedThenKeepsPreviousExpiry() {
      Instant later = NOW.plusSeconds(290);
      TokenSet previous = keycloak(NOW);
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(300)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              later,
              Optional.of(Duration.ofHours(24)),
              Optional.of(previous),
              List.of("openid"));

      assertThat(set.refreshToken()).contains(REFRESH);
      assertThat(set.refreshTokenExpiry()).isEqualTo(previous.refreshTokenExpiry());
    }

    @Test
    void toTokenSetWhenRefreshTokenRotatesThenUsesTheNewOne() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(300)),
                  Optional.of(ROTATED),
                  Optional.of(Duration.ofSeconds(1800)),
                  Optional.empty(),
                  Optional.empty()),
              NOW.plusSeconds(290),
              Optional.empty(),
              Optional.of(keycloak(NOW)),
              List.of());

      assertThat(set.refreshToken()).contains(ROTATED);
      assertThat(set.refreshTokenExpiresAt()).contains(NOW.plusSeconds(290 + 1800));
    }

    @Test
    void toTokenSetWhenScopeIsNotSentThenKeepsPreviousGrantedScope() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW.plus(Duration.ofHours(1)),
              Optional.empty(),
              Optional.of(wso2(NOW)),
              List.of("openid", "offline_access", "profile"));

      assertThat(set.scope()).containsExactly("openid", "offline_access");
    }

    @Test
    void toTokenSetWhenScopeIsNotSentAndNoPreviousSetThenUsesRequestedScopes() {
      TokenSet set =
          policy.toTokenSet(
              response(
                  Optional.of(Duration.ofSeconds(3600)),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()),
              NOW,
              Optional.empty(),
              Optional.empty(),
              List.of("api.read", "api.write"));

      assertThat(set.scope()).containsExactly("api.read", "api.write");
    }
  }

  @Nested
  class Schedule {

    @Test
    void proactiveRefreshAtWhenOneHourTokenThenAtEightyPercent() {
      assertThat(policy.proactiveRefreshAt(wso2(NOW))).isEqualTo(NOW.plus(Duration.ofMinutes(48)));
    }

    @Test
    void proactiveRefreshAtWhenFiveMinuteTokenThenClockSkewBeforeExpiry() {
      assertThat(policy.proactiveRefreshAt(keycloak(NOW))).isEqualTo(NOW.plusSeconds(240));
    }

    @Test
    void proactiveRefreshAtWhenTwoMinuteTokenThenClockSkewBeforeExpiry() {
      assertThat(policy.proactiveRefreshAt(tokensWithoutRefreshToken(NOW, Duration.ofMinutes(2))))
          .isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void proactiveRefreshAtWhenFiveSecondTokenThenHalfwayNotImmediately() {
      assertThat(policy.proactiveRefreshAt(short20(NOW))).isEqualTo(NOW.plusMillis(2500));
    }

    @Test
    void proactiveRefreshAtWhenLifetimeIsZeroThenAtIssue() {
      assertThat(policy.proactiveRefreshAt(tokensWithoutRefreshToken(NOW, Duration.ZERO)))
          .isEqualTo(NOW);
    }

    @Test
    void keepAliveRefreshAtWhenWso2ConfiguredIdleLifetimeThenWellBeforeTwentyFourHours() {
      assertThat(policy.keepAliveRefreshAt(wso2(NOW)))
          .contains(NOW.plus(Duration.ofHours(19)).plus(Duration.ofMinutes(12)));
    }

    @Test
    void keepAliveRefreshAtWhenKeycloakReportsThirtyMinutesThenAtEightyPercent() {
      assertThat(policy.keepAliveRefreshAt(keycloak(NOW))).contains(NOW.plusSeconds(1440));
    }

    @Test
    void keepAliveRefreshAtWhenTwentySecondIdleLifetimeThenHalfway() {
      assertThat(policy.keepAliveRefreshAt(short20(NOW))).contains(NOW.plusSeconds(10));
    }

    @Test
    void keepAliveRefreshAtWhenNoRefreshTokenThenEmpty() {
      assertThat(policy.keepAliveRefreshAt(tokensWithoutRefreshToken(NOW, Duration.ofHours(1))))
          .isEmpty();
    }

    @Test
    void keepAliveRefreshAtWhenRefreshExpiryUnknownThenEmpty() {
      assertThat(policy.keepAliveRefreshAt(tokens(NOW, Duration.ofHours(1), Optional.empty())))
          .isEmpty();
    }

    @Test
    void nextRefreshAtWhenUsedWso2TokenThenProactiveTime() {
      assertThat(policy.nextRefreshAt(wso2(NOW), true, Optional.of(NOW.plusSeconds(10))))
          .contains(NOW.plus(Duration.ofMinutes(48)));
    }

    @Test
    void nextRefreshAtWhenUnusedWso2TokenWithKeepAliveThenRefreshesBeforeTheRefreshTokenIdlesOut() {
      Optional<Instant> next = policy.nextRefreshAt(wso2(NOW), true, Optional.empty());

      assertThat(next).contains(NOW.plus(Duration.ofHours(19)).plus(Duration.ofMinutes(12)));
      assertThat(next.get()).isBefore(NOW.plus(Duration.ofHours(24)));
    }

    @Test
    void nextRefreshAtWhenUnusedTokenAndKeepAliveOffThenLeftAlone() {
      assertThat(policy.nextRefreshAt(wso2(NOW), false, Optional.empty())).isEmpty();
    }

    @Test
    void nextRefreshAtWhenLastUseWasBeforeIssueAndKeepAliveOffThenLeftAlone() {
      assertThat(policy.nextRefreshAt(wso2(NOW), false, Optional.of(NOW.minusSeconds(1))))
          .isEmpty();
    }

    @Test
    void nextRefreshAtWhenShortLivedUsedTokenThenProactiveBeforeKeepAlive() {
      assertThat(policy.nextRefreshAt(short20(NOW), true, Optional.of(NOW)))
          .contains(NOW.plusMillis(2500));
      assertThat(policy.nextRefreshAt(short20(NOW), true, Optional.empty()))
          .contains(NOW.plusSeconds(10));
    }

    @Test
    void
        nextRefreshAtWhenRefreshTokenDiesBeforeAccessTokenThenRefreshesBeforeItEvenWithoutKeepAlive() {
      TokenSet set =
          tokens(
              NOW,
              Duration.ofHours(1),
              Optional.of(
                  new RefreshTokenExpiry(NOW.plus(Duration.ofMinutes(30)), Source.REPORTED)));

      assertThat(policy.nextRefreshAt(set, false, Optional.of(NOW)))
          .contains(NOW.plus(Duration.ofMinutes(24)));
    }

    @Test
    void freshnessWhenOneHourTokenThenFreshDueAndMustInTurn() {
      TokenSet set = wso2(NOW);

      assertThat(policy.freshness(set, NOW)).isEqualTo(Freshness.FRESH);
      assertThat(policy.freshness(set, NOW.plus(Duration.ofMinutes(48)).minusMillis(1)))
          .isEqualTo(Freshness.FRESH);
      assertThat(policy.freshness(set, NOW.plus(Duration.ofMinutes(48))))
          .isEqualTo(Freshness.REFRESH_DUE);
      assertThat(policy.freshness(set, NOW.plus(Duration.ofMinutes(59)).minusMillis(1)))
          .isEqualTo(Freshness.REFRESH_DUE);
      assertThat(policy.freshness(set, NOW.plus(Duration.ofMinutes(59))))
          .isEqualTo(Freshness.MUST_REFRESH);
      assertThat(policy.freshness(set, NOW.plus(Duration.ofHours(2))))
          .isEqualTo(Freshness.MUST_REFRESH);
    }

    @Test
    void freshnessWhenFiveSecondTokenThenMustRefreshOnlyInItsLastQuarter() {
      TokenSet set = short20(NOW);

      assertThat(policy.freshness(set, NOW.plusSeconds(2))).isEqualTo(Freshness.FRESH);
      assertThat(policy.freshness(set, NOW.plusSeconds(3))).isEqualTo(Freshness.REFRESH_DUE);
      assertThat(policy.freshness(set, NOW.plusMillis(3749))).isEqualTo(Freshness.REFRESH_DUE);
      assertThat(policy.freshness(set, NOW.plusMillis(3750))).isEqualTo(Freshness.MUST_REFRESH);
    }
  }

  @Nested
  class Backoff {

    final RefreshPolicy lowest =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), Extremes.LOWEST);
    final RefreshPolicy highest =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), Extremes.HIGHEST);

    @Test
    void backoffWhenFirstFailureThenBetweenHalfTheBaseAndTheBase() {
      assertThat(lowest.backoff(1)).isEqualTo(Duration.ofSeconds(1));
      assertThat(highest.backoff(1)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void backoffWhenFailuresRepeatThenDoublesUpToTheCap() {
      assertThat(highest.backoff(2)).isEqualTo(Duration.ofSeconds(4));
      assertThat(highest.backoff(8)).isEqualTo(Duration.ofSeconds(256));
      assertThat(lowest.backoff(8)).isEqualTo(Duration.ofSeconds(128));
      assertThat(highest.backoff(9)).isEqualTo(Duration.ofMinutes(5));
      assertThat(lowest.backoff(9)).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void backoffWhenFailureCountIsHugeThenCappedWithoutOverflow() {
      assertThat(highest.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
      assertThat(lowest.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(150));
    }

    @Test
    void backoffWhenNoFailureThenRefuses() {
      assertThatThrownBy(() -> policy.backoff(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Attempts {

    @Test
    void attemptAllowedWhenElevenAttemptsThisHourThenAllowed() {
      assertThat(
              policy.attemptAllowed(
                  new RefreshAttempts(NOW, 11), RefreshBudget.SCHEDULE, NOW.plusSeconds(3599)))
          .isTrue();
    }

    @Test
    void attemptAllowedWhenTwelveAttemptsThisHourThenRefusedUntilTheWindowEnds() {
      RefreshAttempts attempts = new RefreshAttempts(NOW, 12);

      assertThat(policy.attemptAllowed(attempts, RefreshBudget.SCHEDULE, NOW.plusSeconds(3599)))
          .isFalse();
      assertThat(policy.attemptsResetAt(attempts)).isEqualTo(NOW.plus(Duration.ofHours(1)));
      assertThat(
              policy.attemptAllowed(
                  attempts, RefreshBudget.SCHEDULE, NOW.plus(Duration.ofHours(1))))
          .isTrue();
    }

    @Test
    void attemptAllowedWhenNeverAttemptedThenAllowed() {
      assertThat(policy.attemptAllowed(RefreshAttempts.NONE, RefreshBudget.SCHEDULE, NOW)).isTrue();
    }
  }

  @Nested
  class Classify {

    final Instant nextAttempt = NOW.plusSeconds(30);

    TokenRecord record(Optional<TokenSet> tokens) {
      TokenRecord record = TokenRecord.unauthorized(TokenKey.named("crm"));
      return tokens.isEmpty()
          ? record
          : TokenRecords.edit(record).tokens(tokens).state(TokenState.REFRESHING).build();
    }

    FailureContext context(TokenRecord record, Instant now, boolean keepAlive) {
      return new FailureContext(
          "crm",
          "corp-idp",
          "callgate-client",
          ClientAuthMethod.CLIENT_SECRET_BASIC,
          GrantType.REFRESH_TOKEN,
          keepAlive,
          record,
          now,
          nextAttempt,
          Optional.empty());
    }

    /** A first grant without a person, by {@code grant}. */
    FailureContext withoutPerson(GrantType grant) {
      return new FailureContext(
          "crm",
          "corp-idp",
          "callgate-client",
          ClientAuthMethod.CLIENT_SECRET_BASIC,
          grant,
          true,
          record(Optional.empty()),
          NOW,
          nextAttempt,
          Optional.empty());
    }

    FailureContext context(Optional<TokenSet> tokens, Instant now) {
      return context(record(tokens), now, true);
    }

    RefreshFailure invalidGrant(Optional<String> description, FailureContext context) {
      return policy.classify(new GrantOutcome.Refused("invalid_grant", description, 400), context);
    }

    @Test
    void classifyWhenInvalidGrantAfterTheConfiguredIdleLifetimeThenRefreshTokenExpired() {
      Instant now = NOW.plus(Duration.ofHours(25)).plus(Duration.ofMinutes(3));

      RefreshFailure failure = invalidGrant(Optional.empty(), context(Optional.of(wso2(NOW)), now));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
      assertThat(failure.diagnosis().facts())
          .containsEntry("lastUsedAt", "2024-05-06T08:00:00Z")
          .containsEntry("idleFor", "25h 3m")
          .containsEntry("knownLifetime", "24h (configured)")
          .containsEntry("credential", "crm");
      assertThat(failure.diagnosis().fact("evidence"))
          .isEqualTo("the identity provider refused it (invalid_grant: none)");
      assertThat(failure.diagnosis().message()).doesNotContain(REFRESH.reveal());
    }

    @Test
    void classifyWhenInvalidGrantSaysExpiredDueToInactivityAndNothingIsKnownThenExpired() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("AADSTS700082: The refresh token has expired due to inactivity."),
              context(Optional.empty(), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
      assertThat(failure.diagnosis().facts())
          .containsEntry("lastUsedAt", "unknown")
          .containsEntry("idleFor", "unknown")
          .containsEntry("knownLifetime", "unknown");
      assertThat(failure.diagnosis().remedy()).contains("refreshTokenLifetime");
    }

    @Test
    void classifyWhenKeycloakSaysSessionNotActiveBeforeTheReportedExpiryThenRevokedNotExpired() {
      // Keycloak 26 after an administrator logged the user out: same words as an idle-out
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Session not active"),
              context(Optional.of(keycloak(NOW)), NOW.plusSeconds(600)));

      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
      assertThat(failure.diagnosis().message())
          .contains("Session not active")
          .contains("said it would last until 2024-05-06T08:30:00Z");
      assertThat(failure.diagnosis().remedy()).doesNotContain("keepAlive");
    }

    @Test
    void classifyWhenKeycloakSaysSessionNotActiveAfterTheReportedExpiryThenExpired() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Session not active"),
              context(Optional.of(keycloak(NOW)), NOW.plusSeconds(1801)));

      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
      assertThat(failure.diagnosis().facts())
          .containsEntry("idleFor", "30m 1s")
          .containsEntry("knownLifetime", "30m (reported by the identity provider)");
    }

    @Test
    void classifyWhenTheWordingIsAmbiguousAndNothingIsKnownThenSaysBothArePossible() {
      TokenSet assumed =
          tokens(
              NOW,
              Duration.ofMinutes(5),
              Optional.of(new RefreshTokenExpiry(NOW.plus(Duration.ofHours(12)), Source.ASSUMED)));
      for (String words : List.of("Session not active", "grant request is invalid")) {
        RefreshFailure failure =
            invalidGrant(Optional.of(words), context(Optional.of(assumed), NOW.plusSeconds(900)));

        assertThat(failure.diagnosis().code())
            .as(words)
            .isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED_OR_REVOKED);
        assertThat(failure.diagnosis().message())
            .contains("cannot tell whether it expired or was revoked");
        assertThat(failure.diagnosis().remedy())
            .contains("LOGOUT")
            .contains("idled out after 15m")
            .contains("refreshTokenLifetime on provider 'corp-idp'");
      }
    }

    @Test
    void classifyWhenTheConfiguredLifetimeIsAheadButTheProviderSaysExpiredThenConfiguredTooLong() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Refresh token expired"),
              context(Optional.of(wso2(NOW)), NOW.plus(Duration.ofHours(2))));

      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
      assertThat(failure.diagnosis().fact("cause"))
          .isEqualTo(ExpiryCause.CONFIGURED_TOO_LONG.cause("crm", "corp-idp"));
    }

    @Test
    void
        classifyWhenInvalidGrantWithinTheConfiguredLifetimeThenRevokedSayingTheConfigurationMayBeWrong() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Persisted access token data not found"),
              context(Optional.of(wso2(NOW)), NOW.plus(Duration.ofHours(2))));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
      assertThat(failure.diagnosis().message())
          .contains("invalid_grant: Persisted access token data not found")
          .contains("refreshTokenLifetime configured on provider 'corp-idp'")
          .contains("it expired instead");
    }

    @Test
    void classifyWhenExpiredWithKeepAliveOffThenTheRemedySaysToTurnItOn() {
      RefreshFailure off =
          invalidGrant(
              Optional.of("Token is not active"),
              context(record(Optional.of(keycloak(NOW))), NOW.plusSeconds(1900), false));
      RefreshFailure on =
          invalidGrant(
              Optional.of("Token is not active"),
              context(record(Optional.of(keycloak(NOW))), NOW.plusSeconds(1900), true));

      assertThat(off.diagnosis().message()).contains("keepAlive is off for credential 'crm'");
      assertThat(off.diagnosis().remedy()).contains("\"keepAlive\": true");
      assertThat(on.diagnosis().message()).doesNotContain("keepAlive");
      assertThat(on.diagnosis().remedy()).doesNotContain("keepAlive");
    }

    @Test
    void classifyWhenExpiredAfterTheProviderStoppedExtendingItThenTheAbsoluteLifetimeIsTheCause() {
      TokenRecord record =
          TokenRecords.edit(record(Optional.of(keycloak(NOW))))
              .diagnoses(
                  List.of(
                      Diagnosis.of(
                          DiagnosisCode.REFRESH_TOKEN_EXPIRING,
                          "refreshTokenExpiresAt",
                          NOW.plusSeconds(1800))))
              .build();

      RefreshFailure failure =
          invalidGrant(
              Optional.of("Token is not active"), context(record, NOW.plusSeconds(1900), true));

      assertThat(failure.diagnosis().fact("cause"))
          .isEqualTo(ExpiryCause.ABSOLUTE_LIFETIME.cause("crm", "corp-idp"));
      assertThat(failure.diagnosis().remedy()).contains("SSO Session Max");
    }

    @Test
    void classifyWhenInvalidGrantFollowsAnOutageThatOutlivedTheExpiryThenGrantLostDuringOutage() {
      TokenRecord record =
          TokenRecords.edit(record(Optional.of(keycloak(NOW))))
              .failures(
                  new FailureStreak(
                      7, Optional.of(NOW.plusSeconds(1500)), Optional.of(NOW.plusSeconds(1790))),
                  Optional.of(NOW.plusSeconds(1850)))
              .build();

      RefreshFailure failure =
          invalidGrant(
              Optional.of("Token is not active"), context(record, NOW.plusSeconds(1850), true));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.GRANT_LOST_DURING_OUTAGE);
      assertThat(failure.diagnosis().facts())
          .containsEntry("attempts", "7")
          .containsEntry("firstFailureAt", "2024-05-06T08:25:00Z")
          .containsEntry("lastFailureAt", "2024-05-06T08:29:50Z");
      assertThat(failure.diagnosis().fact("whatHappened"))
          .contains("lifetime ended at 2024-05-06T08:30:00Z");
    }

    @Test
    void classifyWhenTheExpiryHadPassedBeforeTheFailuresBeganThenPlainExpiry() {
      TokenRecord record =
          TokenRecords.edit(record(Optional.of(keycloak(NOW))))
              .failures(
                  new FailureStreak(
                      1, Optional.of(NOW.plusSeconds(4000)), Optional.of(NOW.plusSeconds(4000))),
                  Optional.of(NOW.plusSeconds(4010)))
              .build();

      RefreshFailure failure =
          invalidGrant(
              Optional.of("Token is not active"), context(record, NOW.plusSeconds(4010), false));

      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    }

    FailureContext afterInterruptedRefresh(Optional<TokenSet> tokens, Instant now) {
      return new FailureContext(
          "crm",
          "corp-idp",
          "callgate-client",
          ClientAuthMethod.CLIENT_SECRET_BASIC,
          GrantType.REFRESH_TOKEN,
          true,
          record(tokens),
          now,
          nextAttempt,
          Optional.of(new RefreshStart("callgate-b", NOW.plusSeconds(90))));
    }

    @Test
    void classifyWhenInvalidGrantAfterAnInterruptedRefreshThenResultLostNamingTheInstance() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Token is not active"),
              afterInterruptedRefresh(Optional.of(keycloak(NOW)), NOW.plusSeconds(120)));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_RESULT_LOST);
      assertThat(failure.diagnosis().facts())
          .containsEntry("instance", "callgate-b")
          .containsEntry("startedAt", "2024-05-06T08:01:30Z")
          .containsEntry("errorDescription", "Token is not active")
          .containsEntry("credential", "crm");
    }

    @Test
    void classifyWhenInvalidGrantAfterAnInterruptedRefreshButPastTheKnownExpiryThenExpired() {
      RefreshFailure failure =
          invalidGrant(
              Optional.of("Token is not active"),
              afterInterruptedRefresh(Optional.of(keycloak(NOW)), NOW.plus(Duration.ofHours(1))));

      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    }

    @Test
    void classifyWhenTheProviderFailsAfterAnInterruptedRefreshThenStillTransient() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Failed(
                  GrantOutcome.Failure.UNREACHABLE,
                  "connection refused",
                  Optional.empty(),
                  Optional.empty()),
              afterInterruptedRefresh(Optional.of(keycloak(NOW)), NOW.plusSeconds(120)));

      assertThat(failure.severity()).isEqualTo(Severity.TRANSIENT);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
    }

    @Test
    void classifyWhenInvalidClientThenTheClientIsRejectedAndTheGrantKept() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused(
                  "invalid_client",
                  Optional.of("Invalid client or Invalid client credentials"),
                  401),
              context(Optional.of(keycloak(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
      assertThat(failure.diagnosis().message()).contains("'callgate-client'");
      assertThat(failure.diagnosis().remedy())
          .contains("PUT /v1/providers/corp-idp")
          .contains("The grant is kept (its refresh token lasts until 2024-05-06T08:30:00Z)")
          .contains("re-arms every credential that uses the provider")
          .contains("POST /v1/credentials/crm/refresh");
    }

    @Test
    void classifyWhenKeycloakRefusesAWrongSecretAsUnauthorizedClientWith401ThenClientAuthFailed() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused(
                  "unauthorized_client",
                  Optional.of("Invalid client or Invalid client credentials"),
                  401),
              context(Optional.of(keycloak(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
      assertThat(failure.diagnosis().fact("error")).isEqualTo("unauthorized_client");
    }

    @Test
    void
        classifyWhenKeycloakSays401UnauthorizedClientForAClientWithoutServiceAccountsThenNotAuth() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused(
                  "unauthorized_client",
                  Optional.of("Client not enabled to retrieve service account"),
                  401),
              context(Optional.of(keycloak(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.GRANT_TYPE_NOT_ALLOWED);
    }

    @Test
    void classifyWhenUnauthorizedClientOrUnsupportedGrantTypeThenGrantTypeNotAllowed() {
      for (String error : List.of("unauthorized_client", "unsupported_grant_type")) {
        RefreshFailure failure =
            policy.classify(
                new GrantOutcome.Refused(error, Optional.empty(), 400),
                context(Optional.of(wso2(NOW)), NOW));

        assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
        assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.GRANT_TYPE_NOT_ALLOWED);
        assertThat(failure.diagnosis().message()).contains("the refresh_token grant");
      }
    }

    @Test
    void classifyWhenAGrantWithoutAPersonIsRefusedForAnyReasonThenTheClientIsRejected() {
      Map<String, DiagnosisCode> codes =
          Map.of(
              "invalid_client", DiagnosisCode.CLIENT_AUTH_FAILED,
              "unauthorized_client", DiagnosisCode.GRANT_TYPE_NOT_ALLOWED,
              "invalid_scope", DiagnosisCode.SCOPE_REJECTED,
              "invalid_grant", DiagnosisCode.GRANT_TYPE_NOT_ALLOWED);
      codes.forEach(
          (error, code) -> {
            FailureContext clientCredentials = withoutPerson(GrantType.CLIENT_CREDENTIALS);

            RefreshFailure failure =
                policy.classify(
                    new GrantOutcome.Refused(error, Optional.empty(), 400), clientCredentials);

            assertThat(failure.severity()).as(error).isEqualTo(Severity.CLIENT_REJECTED);
            assertThat(failure.diagnosis().code()).as(error).isEqualTo(code);
          });
    }

    @Test
    void classifyWhenAJwtBearerAssertionIsRefusedThenAssertionRejected() {
      FailureContext jwt = withoutPerson(GrantType.JWT_BEARER);

      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused("invalid_grant", Optional.of("bad signature"), 400), jwt);

      assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.JWT_ASSERTION_REJECTED);
    }

    @Test
    void classifyWhenInvalidScopeThenScopeRejectedNamingTheScopes() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused("invalid_scope", Optional.empty(), 400),
              context(Optional.of(wso2(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.SCOPE_REJECTED);
      assertThat(failure.diagnosis().fact("scopes")).isEqualTo("'openid offline_access'");
    }

    @Test
    void classifyWhenProviderUnreachableThenTransientWithNextAttempt() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Failed(
                  GrantOutcome.Failure.UNREACHABLE,
                  "connection refused by idp.example.com:443",
                  Optional.empty(),
                  Optional.empty()),
              context(Optional.of(wso2(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TRANSIENT);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
      assertThat(failure.diagnosis().facts())
          .containsEntry("reason", "connection refused by idp.example.com:443")
          .containsEntry("nextAttemptAt", "2024-05-06T08:00:30Z");
    }

    @Test
    void classifyWhenRateLimitedWithRetryAfterThenTransientSayingSo() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Failed(
                  GrantOutcome.Failure.RATE_LIMITED,
                  "HTTP 429",
                  Optional.of(429),
                  Optional.of(Duration.ofSeconds(90))),
              context(Optional.empty(), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TRANSIENT);
      assertThat(failure.diagnosis().fact("reason")).contains("retry after 1m 30s");
    }

    @Test
    void classifyWhenOutageServesHtmlThenInvalidResponseButTransient() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Failed(
                  GrantOutcome.Failure.INVALID_RESPONSE,
                  "HTTP 200 with text/html instead of JSON",
                  Optional.of(200),
                  Optional.empty()),
              context(Optional.of(wso2(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TRANSIENT);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.IDP_RESPONSE_INVALID);
      assertThat(failure.diagnosis().fact("reason"))
          .isEqualTo("HTTP 200 with text/html instead of JSON");
    }

    @Test
    void classifyWhenInvalidGrantComesWithA5xxThenTransient() {
      RefreshFailure failure =
          policy.classify(
              new GrantOutcome.Refused("invalid_grant", Optional.empty(), 503),
              context(Optional.of(wso2(NOW)), NOW));

      assertThat(failure.severity()).isEqualTo(Severity.TRANSIENT);
      assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
      assertThat(failure.diagnosis().fact("reason")).contains("HTTP 503").contains("invalid_grant");
    }

    @Test
    void classifyWhenTemporarilyUnavailableServerErrorOrUnknownCodeThenTransient() {
      for (String error : List.of("temporarily_unavailable", "server_error", "quota_exceeded")) {
        RefreshFailure failure =
            policy.classify(
                new GrantOutcome.Refused(error, Optional.of("try later"), 400),
                context(Optional.of(wso2(NOW)), NOW));

        assertThat(failure.severity()).as(error).isEqualTo(Severity.TRANSIENT);
        assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
      }
    }

    @Test
    void classifyWhenGrantedThenRefuses() {
      GrantOutcome granted =
          new GrantOutcome.Granted(
              response(
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty()));

      assertThatThrownBy(() -> policy.classify(granted, context(Optional.empty(), NOW)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void humanDurationWhenVariousLengthsThenReadable() {
    assertThat(RefreshPolicy.humanDuration(Duration.ofMinutes(25 * 60 + 3))).isEqualTo("25h 3m");
    assertThat(RefreshPolicy.humanDuration(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(RefreshPolicy.humanDuration(Duration.ofSeconds(250))).isEqualTo("4m 10s");
    assertThat(RefreshPolicy.humanDuration(Duration.ofSeconds(20))).isEqualTo("20s");
    assertThat(RefreshPolicy.humanDuration(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(RefreshPolicy.humanDuration(Duration.ofSeconds(-5))).isEqualTo("0s");
  }

  /** Random sources that always draw the lowest or the highest value of a range. */
  enum Extremes implements RandomGenerator {
    LOWEST,
    HIGHEST;

    @Override
    public long nextLong() {
      return this == LOWEST ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    @Override
    public long nextLong(long origin, long bound) {
      return this == LOWEST ? origin : bound - 1;
    }
  }
}
