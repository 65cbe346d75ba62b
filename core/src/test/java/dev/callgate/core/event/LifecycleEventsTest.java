package dev.callgate.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LifecycleEventsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final TokenKey CRM = TokenKey.named("crm");
  private static final TokenKey MAIL_CAROL = TokenKey.perUser("mail", "carol");
  private static final Diagnosis WHY = Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", "503");
  private static final Secret ACCESS = Secret.of("access-token-value");
  private static final Secret REFRESH = Secret.of("refresh-token-value");

  /**
   * Why a token is written, the state read and the state stored, and the events the write carries
   * (- for none), written out by hand: the specification the derivation is checked against. A
   * refresh reads {@code REFRESHED:<trigger>:<state it began in>}.
   */
  private static final String TABLE =
      """
      AUTHORIZED                          UNAUTHORIZED         ACTIVE               authorization.completed
      AUTHORIZED                          NEEDS_AUTHORIZATION  ACTIVE               authorization.completed
      AUTHORIZED                          REVOKED              ACTIVE               authorization.completed
      AUTHORIZATION_FAILED                UNAUTHORIZED         UNAUTHORIZED         authorization.failed
      AUTHORIZATION_FAILED                ACTIVE               ACTIVE               authorization.failed
      REFRESHED:proactive:ACTIVE          REFRESHING           ACTIVE               token.refreshed
      REFRESHED:keep_alive:ACTIVE         REFRESHING           ACTIVE               token.refreshed
      REFRESHED:on_401:EXPIRING           REFRESHING           ACTIVE               token.refreshed
      REFRESHED:manual:ACTIVE             REFRESHING           ACTIVE               token.refreshed
      REFRESHED:on_demand:UNAUTHORIZED    UNAUTHORIZED         ACTIVE               token.refreshed
      REFRESHED:proactive:REFRESH_FAILED  REFRESHING           ACTIVE               token.refreshed,grant.recovered
      REFRESHED:manual:CLIENT_REJECTED    REFRESHING           ACTIVE               token.refreshed,grant.recovered
      REFRESHED:proactive:EXPIRING        REFRESHING           ACTIVE               token.refreshed
      REFRESH_DEFERRED                    REFRESHING           REFRESH_FAILED       refresh.deferred
      REFRESH_DEFERRED                    REFRESH_FAILED       REFRESH_FAILED       refresh.deferred
      GRANT_REFUSED                       REFRESHING           NEEDS_AUTHORIZATION  grant.lost
      GRANT_REFUSED                       UNAUTHORIZED         NEEDS_AUTHORIZATION  grant.lost
      GRANT_REFUSED                       NEEDS_AUTHORIZATION  NEEDS_AUTHORIZATION  -
      REFRESH_TOKEN_ENDED                 ACTIVE               NEEDS_AUTHORIZATION  grant.lost
      REFRESH_TOKEN_ENDED                 REFRESH_FAILED       NEEDS_AUTHORIZATION  grant.lost
      REFRESH_TOKEN_ENDED                 UNAUTHORIZED         UNAUTHORIZED         -
      CLIENT_REFUSED                      REFRESHING           CLIENT_REJECTED      client.rejected
      CLIENT_REFUSED                      UNAUTHORIZED         CLIENT_REJECTED      client.rejected
      CLIENT_REFUSED                      NEEDS_AUTHORIZATION  NEEDS_AUTHORIZATION  -
      REVOKED                             ACTIVE               REVOKED              grant.revoked
      REVOKED                             CLIENT_REJECTED      REVOKED              grant.revoked
      REVOKED                             REVOKED              REVOKED              -
      PROVIDER_CHANGED                    CLIENT_REJECTED      EXPIRING             provider.rearmed
      PROVIDER_CHANGED                    ACTIVE               ACTIVE               -
      PROVIDER_CHANGED                    REFRESH_FAILED       REFRESH_FAILED       -
      BOOKKEEPING                         ACTIVE               REFRESHING           -
      BOOKKEEPING                         REFRESH_FAILED       REFRESHING           -
      BOOKKEEPING                         ACTIVE               ACTIVE               -
      """;

  static Stream<Arguments> table() {
    return TABLE
        .lines()
        .map(String::trim)
        .filter(line -> !line.isEmpty())
        .map(line -> line.split("\\s+"))
        .map(
            cells ->
                Arguments.of(
                    cells[0],
                    TokenState.valueOf(cells[1]),
                    TokenState.valueOf(cells[2]),
                    cells[3].equals("-") ? List.of() : Arrays.asList(cells[3].split(","))));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2} carries {3}")
  @MethodSource("table")
  void ofWhenTheWriteIsOneOfTheTableThenCarriesExactlyItsEvents(
      String change, TokenState read, TokenState stored, List<String> expected) {
    List<Event> events =
        LifecycleEvents.of(
            record(CRM, read), record(CRM, stored), change(change), NOW, "instance-1");

    assertThat(events).extracting(e -> e.type().wireName()).containsExactlyElementsOf(expected);
  }

  @Test
  void ofWhenAnEventIsMadeThenItNamesCredentialUserInstanceAndTimeAndNoTokenValue() {
    List<Event> events =
        LifecycleEvents.of(
            record(MAIL_CAROL, TokenState.REFRESHING),
            record(MAIL_CAROL, TokenState.NEEDS_AUTHORIZATION),
            TokenChange.GRANT_REFUSED,
            NOW,
            "instance-7");

    Event lost = events.get(0);
    assertThat(lost.credential()).contains("mail");
    assertThat(lost.user()).contains("carol");
    assertThat(lost.instance()).isEqualTo("instance-7");
    assertThat(lost.time()).isEqualTo(NOW);
    assertThat(lost.diagnosis()).contains(WHY);
    assertThat(lost.actor()).isEmpty();
    assertThat(lost.toString()).doesNotContain(ACCESS.reveal(), REFRESH.reveal());
    Event named =
        LifecycleEvents.of(
                record(CRM, TokenState.ACTIVE),
                record(CRM, TokenState.REVOKED),
                TokenChange.REVOKED,
                NOW,
                "instance-7")
            .get(0);
    assertThat(named.user()).isEmpty();
  }

  @Test
  void ofWhenARefreshIsDeferredThenDetailsSayWhenItIsTriedAgainAndSinceWhenItFails() {
    Instant first = NOW.minus(Duration.ofMinutes(5));
    TokenRecord stored =
        TokenRecords.edit(record(CRM, TokenState.REFRESH_FAILED))
            .failures(
                new FailureStreak(3, Optional.of(first), Optional.of(NOW)),
                Optional.of(NOW.plusSeconds(60)))
            .build();

    Event deferred =
        LifecycleEvents.of(
                record(CRM, TokenState.REFRESHING), stored, TokenChange.REFRESH_DEFERRED, NOW, "i")
            .get(0);

    assertThat(deferred.details())
        .containsEntry("nextAttemptAt", NOW.plusSeconds(60).toString())
        .containsEntry("attempts", "3")
        .containsEntry("firstFailureAt", first.toString());
    assertThat(deferred.diagnosis()).contains(WHY);
  }

  @Test
  void ofWhenAGrantIsLostAfterPassingFailuresThenDetailsNameTheFirstAndLastAndHowMany() {
    Instant first = NOW.minus(Duration.ofHours(2));
    Instant last = NOW.minus(Duration.ofMinutes(1));
    TokenRecord read =
        TokenRecords.edit(record(CRM, TokenState.REFRESHING))
            .failures(new FailureStreak(7, Optional.of(first), Optional.of(last)), Optional.empty())
            .build();

    Event lost =
        LifecycleEvents.of(
                read,
                record(CRM, TokenState.NEEDS_AUTHORIZATION),
                TokenChange.GRANT_REFUSED,
                NOW,
                "i")
            .get(0);

    assertThat(lost.details())
        .containsEntry("cause", "refused")
        .containsEntry("attempts", "7")
        .containsEntry("firstFailureAt", first.toString())
        .containsEntry("lastFailureAt", last.toString());
  }

  @Test
  void ofWhenARefreshTokenReachesItsAbsoluteLifetimeThenExpiryAheadOnceNotOnEveryWrite() {
    Instant end = NOW.plus(Duration.ofHours(8));
    Diagnosis expiring =
        Diagnosis.of(DiagnosisCode.REFRESH_TOKEN_EXPIRING, "refreshTokenExpiresAt", end);
    TokenRecord before =
        TokenRecords.edit(record(CRM, TokenState.REFRESHING))
            .tokens(
                tokens(
                    Optional.of(new RefreshTokenExpiry(end, RefreshTokenExpiry.Source.REPORTED))))
            .build();
    TokenRecord refreshed =
        TokenRecords.edit(before).state(TokenState.ACTIVE).diagnoses(List.of(expiring)).build();
    TokenRecord refreshedAgain = TokenRecords.edit(refreshed).state(TokenState.REFRESHING).build();

    List<Event> first =
        LifecycleEvents.of(
            before,
            refreshed,
            TokenChange.refreshed(RefreshTrigger.PROACTIVE, TokenState.ACTIVE),
            NOW,
            "i");
    List<Event> second =
        LifecycleEvents.of(
            refreshedAgain,
            refreshed,
            TokenChange.refreshed(RefreshTrigger.PROACTIVE, TokenState.ACTIVE),
            NOW,
            "i");

    assertThat(first)
        .extracting(Event::type)
        .containsExactly(EventType.TOKEN_REFRESHED, EventType.EXPIRY_AHEAD);
    Event ahead = first.get(1);
    assertThat(ahead.details())
        .containsEntry("refreshTokenExpiresAt", end.toString())
        .containsEntry("reason", "absolute_lifetime");
    assertThat(ahead.diagnosis()).contains(expiring);
    assertThat(second).extracting(Event::type).containsExactly(EventType.TOKEN_REFRESHED);
  }

  @Test
  void ofWhenTheNextAttemptComesAfterTheRefreshTokenExpiresThenExpiryAhead() {
    Instant end = NOW.plus(Duration.ofMinutes(10));
    TokenRecord read =
        TokenRecords.edit(record(CRM, TokenState.REFRESHING))
            .tokens(
                tokens(
                    Optional.of(new RefreshTokenExpiry(end, RefreshTokenExpiry.Source.CONFIGURED))))
            .build();
    TokenRecord stored =
        TokenRecords.edit(read)
            .state(TokenState.REFRESH_FAILED)
            .failures(
                new FailureStreak(4, Optional.of(NOW), Optional.of(NOW)),
                Optional.of(end.plusSeconds(1)))
            .build();

    List<Event> events = LifecycleEvents.of(read, stored, TokenChange.REFRESH_DEFERRED, NOW, "i");

    assertThat(events)
        .extracting(Event::type)
        .containsExactly(EventType.REFRESH_DEFERRED, EventType.EXPIRY_AHEAD);
    assertThat(events.get(1).details()).containsEntry("reason", "next_attempt_too_late");
  }

  @Test
  void ofWhenTheRefreshTokenExpiryIsOnlyAssumedThenNoExpiryAhead() {
    Instant end = NOW.plus(Duration.ofHours(8));
    TokenRecord read =
        TokenRecords.edit(record(CRM, TokenState.REFRESHING))
            .tokens(
                tokens(Optional.of(new RefreshTokenExpiry(end, RefreshTokenExpiry.Source.ASSUMED))))
            .build();
    TokenRecord stored =
        TokenRecords.edit(read)
            .state(TokenState.REFRESH_FAILED)
            .failures(
                new FailureStreak(1, Optional.of(NOW), Optional.of(NOW)),
                Optional.of(end.plusSeconds(1)))
            .build();

    assertThat(LifecycleEvents.of(read, stored, TokenChange.REFRESH_DEFERRED, NOW, "i"))
        .extracting(Event::type)
        .containsExactly(EventType.REFRESH_DEFERRED);
  }

  private static TokenChange change(String cell) {
    if (cell.startsWith("REFRESHED:")) {
      String[] parts = cell.split(":");
      return TokenChange.refreshed(
          RefreshTrigger.valueOf(parts[1].toUpperCase(Locale.ROOT)), TokenState.valueOf(parts[2]));
    }
    return new TokenChange(TokenChange.Kind.valueOf(cell), Optional.empty(), Optional.empty());
  }

  /** A record in {@code state} with tokens whose refresh token's expiry is unknown. */
  private static TokenRecord record(TokenKey key, TokenState state) {
    return TokenRecords.edit(TokenRecord.unauthorized(key))
        .state(state)
        .tokens(tokens(Optional.empty()))
        .diagnoses(List.of(WHY))
        .build();
  }

  private static TokenSet tokens(Optional<RefreshTokenExpiry> expiry) {
    return new TokenSet(
        ACCESS,
        "Bearer",
        NOW.minus(Duration.ofMinutes(30)),
        NOW.plus(Duration.ofMinutes(30)),
        Optional.of(REFRESH),
        expiry,
        List.of("openid"));
  }
}
