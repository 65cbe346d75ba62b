package dev.callgate.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class RefreshPolicyPropertiesTest {

  static final Set<String> TERMINAL_ERRORS =
      Set.of(
          "invalid_grant",
          "invalid_client",
          "unauthorized_client",
          "invalid_scope",
          "unsupported_grant_type");

  static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

  final RefreshPolicy policy =
      new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(42));

  @Provide
  Arbitrary<TokenSet> tokenSets() {
    Arbitrary<Instant> issuedAt =
        Arbitraries.longs().between(0, 10L * 365 * 24 * 3600 * 1000).map(BASE::plusMillis);
    Arbitrary<Duration> accessLifetime =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1, 10_000).map(Duration::ofNanos),
            Arbitraries.longs().between(1, 10_000).map(Duration::ofMillis),
            Arbitraries.longs().between(1, 7L * 24 * 3600).map(Duration::ofSeconds));
    Arbitrary<Optional<Duration>> refreshLifetime =
        Arbitraries.oneOf(
                Arbitraries.longs().between(1, 10_000).map(Duration::ofNanos),
                Arbitraries.longs().between(1, 90L * 24 * 3600).map(Duration::ofSeconds))
            .optional();
    Arbitrary<RefreshTokenExpiry.Source> source = Arbitraries.of(RefreshTokenExpiry.Source.class);
    Arbitrary<Boolean> hasRefreshToken = Arbitraries.of(true, false);
    return Combinators.combine(issuedAt, accessLifetime, refreshLifetime, source, hasRefreshToken)
        .as(
            (issued, lifetime, refreshFor, from, refreshable) ->
                new TokenSet(
                    Secret.of("a"),
                    "Bearer",
                    issued,
                    issued.plus(lifetime),
                    refreshable ? Optional.of(Secret.of("r")) : Optional.empty(),
                    refreshable
                        ? refreshFor.map(d -> new RefreshTokenExpiry(issued.plus(d), from))
                        : Optional.empty(),
                    List.of("openid")));
  }

  @Property
  void nextRefreshAtWhenTokenWasUsedThenStrictlyBeforeAccessExpiryAndNotBeforeIssue(
      @ForAll("tokenSets") TokenSet tokens,
      @ForAll boolean keepAlive,
      @ForAll @LongRange(min = 0, max = 1_000_000) long usedAfterIssueMillis) {
    Optional<Instant> next =
        policy.nextRefreshAt(
            tokens, keepAlive, Optional.of(tokens.issuedAt().plusMillis(usedAfterIssueMillis)));

    assertThat(next).isPresent();
    assertThat(next.get()).isBefore(tokens.expiresAt()).isAfterOrEqualTo(tokens.issuedAt());
  }

  @Property
  void nextRefreshAtWhenRefreshExpiryKnownThenBeforeIt(
      @ForAll("tokenSets") TokenSet tokens, @ForAll boolean keepAlive, @ForAll boolean used) {
    Optional<Instant> next =
        policy.nextRefreshAt(
            tokens, keepAlive, used ? Optional.of(tokens.issuedAt()) : Optional.empty());

    tokens
        .refreshTokenExpiresAt()
        .ifPresent(expiry -> next.ifPresent(at -> assertThat(at).isBefore(expiry)));
    if (keepAlive && tokens.refreshTokenExpiresAt().isPresent()) {
      assertThat(next).isPresent();
    }
  }

  @Property
  void proactiveRefreshAtThenNotLaterThanEightyPercentNorBeforeHalfOfTheLifetime(
      @ForAll("tokenSets") TokenSet tokens) {
    long lifetime = tokens.accessTokenLifetime().toNanos();
    long at = Duration.between(tokens.issuedAt(), policy.proactiveRefreshAt(tokens)).toNanos();

    assertThat(at).isLessThanOrEqualTo(lifetime - lifetime / 5).isGreaterThanOrEqualTo(0);
    if (lifetime > 1) {
      assertThat(at).isGreaterThanOrEqualTo(lifetime - (lifetime + 1) / 2);
    }
  }

  @Property
  void freshnessThenNeverGetsFresherAsTimePasses(
      @ForAll("tokenSets") TokenSet tokens,
      @ForAll @LongRange(min = -1_000_000, max = 10_000_000) long earlierMillis,
      @ForAll @LongRange(min = 0, max = 10_000_000) long laterByMillis) {
    Instant earlier = tokens.issuedAt().plusMillis(earlierMillis);
    Instant later = earlier.plusMillis(laterByMillis);

    assertThat(policy.freshness(tokens, later).ordinal())
        .isGreaterThanOrEqualTo(policy.freshness(tokens, earlier).ordinal());
    if (!later.isBefore(tokens.expiresAt())) {
      assertThat(policy.freshness(tokens, later)).isEqualTo(Freshness.MUST_REFRESH);
    }
  }

  @Property
  void backoffThenWithinHalfTheBaseAndTheCap(
      @ForAll @IntRange(min = 1) int failures,
      @ForAll long seed,
      @ForAll @LongRange(min = 1, max = 60_000) long baseMillis,
      @ForAll @IntRange(min = 1, max = 10_000) int capFactor) {
    RefreshPolicy.Settings settings = settings(baseMillis, capFactor);
    Duration backoff = new RefreshPolicy(settings, new SplittableRandom(seed)).backoff(failures);

    assertThat(backoff)
        .isGreaterThanOrEqualTo(settings.backoffBase().dividedBy(2))
        .isLessThanOrEqualTo(settings.backoffMax());
  }

  @Property
  void backoffThenUpperBoundNeverDecreasesWithMoreFailures(
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 1) int failures,
      @ForAll @LongRange(min = 1, max = 60_000) long baseMillis,
      @ForAll @IntRange(min = 1, max = 10_000) int capFactor) {
    RefreshPolicy highest =
        new RefreshPolicy(settings(baseMillis, capFactor), RefreshPolicyTest.Extremes.HIGHEST);

    assertThat(highest.backoff(failures + 1)).isGreaterThanOrEqualTo(highest.backoff(failures));
  }

  private static RefreshPolicy.Settings settings(long baseMillis, long capFactor) {
    RefreshPolicy.Settings defaults = RefreshPolicy.Settings.defaults();
    return new RefreshPolicy.Settings(
        defaults.clockSkew(),
        defaults.unreportedAccessTokenLifetime(),
        defaults.assumedRefreshTokenLifetime(),
        Duration.ofMillis(baseMillis),
        Duration.ofMillis(baseMillis * capFactor),
        defaults.maxAttemptsPerHour(),
        defaults.attemptWindow());
  }

  @Provide
  Arbitrary<GrantOutcome> failures() {
    Arbitrary<String> errors =
        Arbitraries.oneOf(
            Arbitraries.of(TERMINAL_ERRORS),
            Arbitraries.of("temporarily_unavailable", "server_error", "access_denied", ""),
            Arbitraries.strings().ofMinLength(1).ofMaxLength(30));
    Arbitrary<Optional<String>> descriptions =
        Arbitraries.oneOf(
                Arbitraries.of("Token is expired", "Session idle timeout", "revoked"),
                Arbitraries.strings().ofMaxLength(40))
            .optional();
    Arbitrary<Integer> statuses = Arbitraries.integers().between(100, 599);
    Arbitrary<GrantOutcome> refused =
        Combinators.combine(errors, descriptions, statuses).as(GrantOutcome.Refused::new);
    Arbitrary<GrantOutcome> failed =
        Combinators.combine(
                Arbitraries.of(GrantOutcome.Failure.class),
                Arbitraries.strings().ofMaxLength(40),
                statuses.optional(),
                Arbitraries.longs().between(0, 3600).map(Duration::ofSeconds).optional())
            .as(GrantOutcome.Failed::new);
    return Arbitraries.oneOf(refused, failed);
  }

  static final Set<String> CLIENT_ERRORS =
      Set.of("invalid_client", "unauthorized_client", "unsupported_grant_type");

  /** What a token exchange's client may not ask for, or may not give as its subject (RFC 8693). */
  static final Set<String> EXCHANGE_ERRORS =
      Set.of(
          "invalid_request", "invalid_token", "invalid_grant", "access_denied", "invalid_target");

  @Property
  void classifyWhenNotTransientThenOnlyForTheListedOAuthErrorsBelow500(
      @ForAll("failures") GrantOutcome outcome,
      @ForAll("tokenSets") TokenSet tokens,
      @ForAll GrantType grant,
      @ForAll boolean keepAlive,
      @ForAll @LongRange(min = 0, max = 100_000_000) long afterIssueMillis) {
    Instant now = tokens.issuedAt().plusMillis(afterIssueMillis);
    TokenRecord record =
        TokenRecords.edit(TokenRecord.unauthorized(TokenKey.named("crm")))
            .tokens(tokens)
            .state(TokenState.REFRESHING)
            .build();
    RefreshFailure failure =
        policy.classify(
            outcome,
            new FailureContext(
                "crm",
                "idp",
                "client",
                ClientAuthMethod.CLIENT_SECRET_BASIC,
                grant,
                keepAlive,
                record,
                now,
                now.plusSeconds(2),
                Optional.empty()));

    Severity expected = Severity.TRANSIENT;
    if (outcome instanceof GrantOutcome.Refused refused && refused.httpStatus() < 500) {
      if (CLIENT_ERRORS.contains(refused.error())) {
        expected = Severity.CLIENT_REJECTED;
      } else if (grant == GrantType.TOKEN_EXCHANGE && EXCHANGE_ERRORS.contains(refused.error())) {
        expected = Severity.CLIENT_REJECTED;
      } else if (TERMINAL_ERRORS.contains(refused.error())) {
        expected = grant.withoutPerson() ? Severity.CLIENT_REJECTED : Severity.TERMINAL;
      }
    }
    assertThat(failure.severity()).isEqualTo(expected);
    assertThat(failure.diagnosis().message()).doesNotContain("***");
  }

  @Property
  void retryAtWhenAFailureComesBeforeTheLastChanceThenTheNextAttemptIsNeverAfterIt(
      @ForAll("tokenSets") TokenSet tokens,
      @ForAll @IntRange(min = 1, max = 40) int failures,
      @ForAll @LongRange(min = 0, max = 100_000_000) long afterIssueMillis,
      @ForAll @LongRange(min = 0, max = 7200) long retryAfterSeconds) {
    Instant now = tokens.issuedAt().plusMillis(afterIssueMillis);

    Instant next =
        policy.retryAt(
            failures, now, Optional.of(tokens), Optional.of(Duration.ofSeconds(retryAfterSeconds)));

    assertThat(next).isAfter(now);
    Optional<Instant> lastChance = policy.lastChanceAt(tokens);
    if (lastChance.isPresent() && now.isBefore(lastChance.get())) {
      assertThat(next).isBeforeOrEqualTo(lastChance.get());
      assertThat(next).isBefore(tokens.refreshTokenExpiresAt().get());
    }
    assertThat(Duration.between(now, next))
        .isLessThanOrEqualTo(
            max(policy.settings().backoffMax(), Duration.ofSeconds(retryAfterSeconds)));
  }

  @Property
  void retryAtWhenFailuresKeepComingBeforeTheDeadlineThenAttemptsCrowdBeforeItBoundedInNumber(
      @ForAll @LongRange(min = 10, max = 86_400) long lifetimeSeconds,
      @ForAll @LongRange(min = 1, max = 600_000) long millisBeforeTheLastChance) {
    TokenSet tokens =
        new TokenSet(
            Secret.of("at"),
            "Bearer",
            BASE,
            BASE.plusSeconds(60),
            Optional.of(Secret.of("rt")),
            Optional.of(
                new RefreshTokenExpiry(
                    BASE.plusSeconds(lifetimeSeconds), RefreshTokenExpiry.Source.REPORTED)),
            List.of());
    Instant lastChance = policy.lastChanceAt(tokens).orElseThrow();
    Instant start = lastChance.minusMillis(millisBeforeTheLastChance);
    Instant now = start.isBefore(BASE) ? BASE : start;
    int attempts = 0;
    while (now.isBefore(lastChance)) {
      Instant next = policy.retryAt(attempts + 1, now, Optional.of(tokens), Optional.empty());
      assertThat(next).isAfter(now).isBeforeOrEqualTo(lastChance);
      now = next;
      attempts++;
    }
    // the last attempt before the deadline is made at the last chance itself, and ten minutes of
    // failures before it take a few back-offs and a few halvings, not a storm
    assertThat(now).isEqualTo(lastChance);
    assertThat(attempts).isLessThanOrEqualTo(30);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Property
  void attemptAllowedWhenAttemptsArriveWithinOneWindowThenNoMoreThanTheBound(
      @ForAll @IntRange(min = 1, max = 200) int tries,
      @ForAll @LongRange(min = 0, max = 3_599_999) long spreadMillis) {
    Duration window = policy.settings().attemptWindow();
    Instant start = BASE;
    RefreshAttempts attempts = RefreshAttempts.NONE;
    int made = 0;
    for (int i = 0; i < tries; i++) {
      Instant now = start.plusMillis(spreadMillis * i / tries);
      if (policy.attemptAllowed(attempts, RefreshBudget.SCHEDULE, now)) {
        attempts = attempts.plusOne(RefreshBudget.SCHEDULE, now, window);
        made++;
      }
    }

    assertThat(made).isEqualTo(Math.min(tries, policy.settings().maxAttemptsPerHour()));
    if (made == policy.settings().maxAttemptsPerHour()) {
      assertThat(
              policy.attemptAllowed(
                  attempts, RefreshBudget.SCHEDULE, start.plusMillis(spreadMillis)))
          .isFalse();
      assertThat(
              policy.attemptAllowed(
                  attempts, RefreshBudget.SCHEDULE, policy.attemptsResetAt(attempts)))
          .isTrue();
    }
  }

  @Property
  void toTokenSetWhenNoRefreshTokenIsReturnedThenKeepsThePreviousOne(
      @ForAll("tokenSets") TokenSet previous,
      @ForAll @LongRange(min = 0, max = 100_000_000) long laterMillis,
      @ForAll @LongRange(min = 0, max = 100_000) long expiresInSeconds,
      @ForAll boolean reportsRefreshLifetime) {
    Instant now = previous.issuedAt().plusMillis(laterMillis);
    TokenResponse response =
        new TokenResponse(
            Secret.of("new-access"),
            "Bearer",
            Optional.of(Duration.ofSeconds(expiresInSeconds)),
            Optional.empty(),
            reportsRefreshLifetime ? Optional.of(Duration.ofHours(1)) : Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    TokenSet next =
        policy.toTokenSet(
            response, now, Optional.of(Duration.ofHours(24)), Optional.of(previous), List.of());

    assertThat(next.refreshToken()).isEqualTo(previous.refreshToken());
    assertThat(next.refreshTokenExpiry().isPresent()).isEqualTo(previous.hasRefreshToken());
    assertThat(next.expiresAt()).isAfter(now);
    assertThat(next.scope()).isEqualTo(previous.scope());
  }
}
