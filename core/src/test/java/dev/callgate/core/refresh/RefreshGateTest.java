package dev.callgate.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate's rules as one table, written out by hand: a token in a state and a situation, the grant
 * its credential uses, why a refresh was asked for, and what the gate decides — CALL with its
 * reason, WAIT (and until when), REFUSE, or ENDED.
 */
class RefreshGateTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final RefreshPolicy POLICY =
      new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(1));

  /** A refresh token that lives two hours from ten minutes ago; the access token five minutes. */
  static TokenSet tokens(boolean accessExpired, boolean withRefreshToken) {
    Instant issued = NOW.minus(Duration.ofMinutes(accessExpired ? 10 : 1));
    return new TokenSet(
        Secret.of("at"),
        "Bearer",
        issued,
        issued.plus(Duration.ofMinutes(5)),
        withRefreshToken ? Optional.of(Secret.of("rt")) : Optional.empty(),
        withRefreshToken
            ? Optional.of(
                new RefreshTokenExpiry(
                    issued.plus(Duration.ofHours(2)), RefreshTokenExpiry.Source.REPORTED))
            : Optional.empty(),
        List.of("openid"));
  }

  static final Diagnosis TRANSIENT =
      Diagnosis.of(
          DiagnosisCode.REFRESH_FAILED_TRANSIENT, "reason", "down", "nextAttemptAt", "later");

  /** The situations a token can be in, by name. */
  static final Map<String, UnaryOperator<TokenRecords.Edit>> SITUATIONS =
      Map.ofEntries(
          Map.entry("FRESH", e -> e.tokens(tokens(false, true))),
          Map.entry("NO_TOKENS", e -> e),
          Map.entry("NO_REFRESH_TOKEN", e -> e.tokens(tokens(false, false))),
          Map.entry("NO_REFRESH_TOKEN_EXPIRED", e -> e.tokens(tokens(true, false))),
          Map.entry("BACKING_OFF", e -> failing(e, tokens(false, true), 10)),
          Map.entry("BACKING_OFF_EXPIRED_JUST_FAILED", e -> failing(e, tokens(true, true), 2)),
          Map.entry("BACKING_OFF_EXPIRED", e -> failing(e, tokens(true, true), 10)),
          Map.entry(
              "BOUND_REACHED",
              e ->
                  e.tokens(tokens(false, true))
                      .attempts(new RefreshAttempts(NOW.minusSeconds(600), 12))),
          Map.entry(
              "REJECTIONS_SPENT",
              e ->
                  e.tokens(tokens(false, true))
                      .attempts(budgetSpent(RefreshBudget.AFTER_REJECTION))),
          Map.entry(
              "ADMIN_REQUESTS_SPENT",
              e -> e.tokens(tokens(false, true)).attempts(budgetSpent(RefreshBudget.ADMIN))),
          Map.entry(
              "OWNER_REQUESTS_SPENT",
              e -> e.tokens(tokens(false, true)).attempts(budgetSpent(RefreshBudget.OWNER))),
          Map.entry(
              "JUST_REFRESHED",
              e -> e.tokens(tokens(false, true)).lastRefreshAt(NOW.minusSeconds(5))),
          Map.entry(
              "REFRESHED_A_WHILE_AGO",
              e -> e.tokens(tokens(false, true)).lastRefreshAt(NOW.minusSeconds(30))),
          Map.entry(
              "JUST_REFRESHED_REJECTIONS_SPENT",
              e ->
                  e.tokens(tokens(false, true))
                      .lastRefreshAt(NOW.minusSeconds(5))
                      .attempts(budgetSpent(RefreshBudget.AFTER_REJECTION))),
          Map.entry("AT_LAST_CHANCE", e -> atLastChance(e, NOW.minus(Duration.ofMinutes(30)))),
          Map.entry("LAST_CHANCE_TAKEN", e -> atLastChance(e, NOW)));

  /** Twelve attempts of {@code budget} ten minutes into this hour's window, none of the others. */
  static RefreshAttempts budgetSpent(RefreshBudget budget) {
    return new RefreshAttempts(NOW.minusSeconds(600), Map.of(budget, 12));
  }

  static TokenRecords.Edit failing(TokenRecords.Edit edit, TokenSet tokens, long secondsAgo) {
    Instant failed = NOW.minusSeconds(secondsAgo);
    return edit.tokens(tokens)
        .diagnoses(List.of(TRANSIENT))
        .failures(
            new FailureStreak(3, Optional.of(failed.minusSeconds(20)), Optional.of(failed)),
            Optional.of(NOW.plusSeconds(20)));
  }

  /**
   * Twelve attempts this hour, now the refresh token's last chance, the last failure at {@code
   * lastFailure}.
   */
  static TokenRecords.Edit atLastChance(TokenRecords.Edit edit, Instant lastFailure) {
    Instant issued = NOW.minus(Duration.ofHours(2)).plusSeconds(60);
    TokenSet dying =
        new TokenSet(
            Secret.of("at"),
            "Bearer",
            issued,
            issued.plusSeconds(300),
            Optional.of(Secret.of("rt")),
            Optional.of(
                new RefreshTokenExpiry(
                    issued.plus(Duration.ofHours(2)), RefreshTokenExpiry.Source.REPORTED)),
            List.of());
    return edit.tokens(dying)
        .attempts(new RefreshAttempts(NOW.minusSeconds(1800), 12))
        .failures(
            new FailureStreak(12, Optional.of(NOW.minusSeconds(1800)), Optional.of(lastFailure)),
            Optional.empty());
  }

  /**
   * state, situation, grant, trigger, decision. Decisions: CALL:reason, WAIT (the diagnosis that
   * stands), REFUSE:code, ENDED:code.
   */
  private static final String TABLE =
      """
      ACTIVE               FRESH                           REFRESH_TOKEN       PROACTIVE   CALL:DUE
      ACTIVE               FRESH                           REFRESH_TOKEN       KEEP_ALIVE  CALL:DUE
      ACTIVE               FRESH                           REFRESH_TOKEN       ON_DEMAND   CALL:DUE
      ACTIVE               FRESH                           REFRESH_TOKEN       ON_401      CALL:DUE
      ACTIVE               FRESH                           REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      EXPIRING             FRESH                           REFRESH_TOKEN       PROACTIVE   CALL:DUE
      REFRESHING           FRESH                           REFRESH_TOKEN       ON_DEMAND   CALL:DUE
      ACTIVE               NO_REFRESH_TOKEN                REFRESH_TOKEN       ON_DEMAND   REFUSE:NO_REFRESH_TOKEN_ISSUED
      ACTIVE               NO_REFRESH_TOKEN                REFRESH_TOKEN       MANUAL      REFUSE:NO_REFRESH_TOKEN_ISSUED
      ACTIVE               NO_REFRESH_TOKEN_EXPIRED        REFRESH_TOKEN       ON_DEMAND   ENDED:NO_REFRESH_TOKEN_ISSUED
      ACTIVE               NO_REFRESH_TOKEN_EXPIRED        CLIENT_CREDENTIALS  ON_DEMAND   CALL:DUE
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       PROACTIVE   WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       KEEP_ALIVE  WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       ON_DEMAND   WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       ON_401      WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      REFRESH_FAILED       BACKING_OFF_EXPIRED_JUST_FAILED REFRESH_TOKEN       ON_DEMAND   WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF_EXPIRED             REFRESH_TOKEN       ON_DEMAND   CALL:PROBE
      REFRESH_FAILED       BACKING_OFF_EXPIRED             REFRESH_TOKEN       PROACTIVE   WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF_EXPIRED             REFRESH_TOKEN       ON_401      WAIT:REFRESH_FAILED_TRANSIENT
      REFRESH_FAILED       BACKING_OFF_EXPIRED             CLIENT_CREDENTIALS  ON_DEMAND   CALL:PROBE
      ACTIVE               BOUND_REACHED                   REFRESH_TOKEN       PROACTIVE   WAIT:REFRESH_FAILED_TRANSIENT
      ACTIVE               BOUND_REACHED                   REFRESH_TOKEN       ON_DEMAND   WAIT:REFRESH_FAILED_TRANSIENT
      ACTIVE               BOUND_REACHED                   REFRESH_TOKEN       ON_401      CALL:DUE
      ACTIVE               BOUND_REACHED                   REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      ACTIVE               BOUND_REACHED                   REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       ON_401      WAIT:REFRESH_FAILED_TRANSIENT
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       PROACTIVE   CALL:DUE
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       KEEP_ALIVE  CALL:DUE
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       ON_DEMAND   CALL:DUE
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      ACTIVE               REJECTIONS_SPENT                REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      ACTIVE               ADMIN_REQUESTS_SPENT            REFRESH_TOKEN       MANUAL      WAIT:REFRESH_RATE_LIMITED
      ACTIVE               ADMIN_REQUESTS_SPENT            REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      ACTIVE               ADMIN_REQUESTS_SPENT            REFRESH_TOKEN       PROACTIVE   CALL:DUE
      ACTIVE               OWNER_REQUESTS_SPENT            REFRESH_TOKEN       OWNER       WAIT:REFRESH_RATE_LIMITED
      ACTIVE               OWNER_REQUESTS_SPENT            REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      ACTIVE               OWNER_REQUESTS_SPENT            REFRESH_TOKEN       PROACTIVE   CALL:DUE
      ACTIVE               OWNER_REQUESTS_SPENT            REFRESH_TOKEN       ON_401      CALL:DUE
      ACTIVE               JUST_REFRESHED                  REFRESH_TOKEN       OWNER       FRESH
      ACTIVE               JUST_REFRESHED                  JWT_BEARER          OWNER       FRESH
      ACTIVE               JUST_REFRESHED                  REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      ACTIVE               JUST_REFRESHED                  REFRESH_TOKEN       PROACTIVE   CALL:DUE
      ACTIVE               JUST_REFRESHED                  REFRESH_TOKEN       ON_401      CALL:DUE
      ACTIVE               JUST_REFRESHED_REJECTIONS_SPENT REFRESH_TOKEN       OWNER       FRESH
      EXPIRING             JUST_REFRESHED                  REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      REFRESH_FAILED       JUST_REFRESHED                  REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      CLIENT_REJECTED      JUST_REFRESHED                  REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      ACTIVE               REFRESHED_A_WHILE_AGO           REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      ACTIVE               REFRESHED_A_WHILE_AGO           REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      REFRESH_FAILED       BACKING_OFF                     REFRESH_TOKEN       OWNER       WAIT:REFRESH_FAILED_TRANSIENT
      CLIENT_REJECTED      FRESH                           REFRESH_TOKEN       OWNER       CALL:PERSON_ASKED
      NEEDS_AUTHORIZATION  FRESH                           REFRESH_TOKEN       OWNER       REFUSE:REFRESH_TOKEN_REVOKED
      REFRESH_FAILED       AT_LAST_CHANCE                  REFRESH_TOKEN       KEEP_ALIVE  CALL:LAST_CHANCE
      REFRESH_FAILED       LAST_CHANCE_TAKEN               REFRESH_TOKEN       KEEP_ALIVE  WAIT:REFRESH_FAILED_TRANSIENT
      UNAUTHORIZED         NO_TOKENS                       REFRESH_TOKEN       ON_DEMAND   REFUSE:NOT_AUTHORIZED_YET
      UNAUTHORIZED         NO_TOKENS                       REFRESH_TOKEN       MANUAL      REFUSE:NOT_AUTHORIZED_YET
      UNAUTHORIZED         NO_TOKENS                       CLIENT_CREDENTIALS  ON_DEMAND   CALL:FIRST_GRANT
      UNAUTHORIZED         NO_TOKENS                       JWT_BEARER          ON_DEMAND   CALL:FIRST_GRANT
      UNAUTHORIZED         NO_TOKENS                       CLIENT_CREDENTIALS  MANUAL      CALL:PERSON_ASKED
      CLIENT_REJECTED      FRESH                           REFRESH_TOKEN       PROACTIVE   REFUSE:CLIENT_AUTH_FAILED
      CLIENT_REJECTED      FRESH                           REFRESH_TOKEN       ON_DEMAND   REFUSE:CLIENT_AUTH_FAILED
      CLIENT_REJECTED      FRESH                           REFRESH_TOKEN       MANUAL      CALL:PERSON_ASKED
      CLIENT_REJECTED      NO_TOKENS                       CLIENT_CREDENTIALS  ON_DEMAND   REFUSE:CLIENT_AUTH_FAILED
      CLIENT_REJECTED      NO_TOKENS                       CLIENT_CREDENTIALS  MANUAL      CALL:PERSON_ASKED
      NEEDS_AUTHORIZATION  FRESH                           REFRESH_TOKEN       ON_DEMAND   REFUSE:REFRESH_TOKEN_REVOKED
      NEEDS_AUTHORIZATION  FRESH                           REFRESH_TOKEN       MANUAL      REFUSE:REFRESH_TOKEN_REVOKED
      NEEDS_AUTHORIZATION  NO_TOKENS                       CLIENT_CREDENTIALS  ON_DEMAND   REFUSE:REFRESH_TOKEN_REVOKED
      NEEDS_AUTHORIZATION  NO_TOKENS                       CLIENT_CREDENTIALS  MANUAL      CALL:PERSON_ASKED
      REVOKED              NO_TOKENS                       REFRESH_TOKEN       MANUAL      REFUSE:REFRESH_TOKEN_REVOKED
      REVOKED              NO_TOKENS                       JWT_BEARER          MANUAL      CALL:PERSON_ASKED
      """;

  /** The diagnosis each state with no grant to use stands under in this table. */
  static List<Diagnosis> standing(TokenState state) {
    return switch (state) {
      case CLIENT_REJECTED ->
          List.of(
              Diagnosis.of(
                  DiagnosisCode.CLIENT_AUTH_FAILED,
                  "clientId",
                  "c",
                  "error",
                  "invalid_client",
                  "errorDescription",
                  "x",
                  "provider",
                  "p",
                  "clientProof",
                  "clientSecret",
                  "afterwards",
                  ""));
      case NEEDS_AUTHORIZATION, REVOKED ->
          List.of(
              Diagnosis.of(
                  DiagnosisCode.REFRESH_TOKEN_REVOKED,
                  "error",
                  "invalid_grant",
                  "errorDescription",
                  "x",
                  "evidence",
                  "y",
                  "credential",
                  "crm"));
      case UNAUTHORIZED, ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED -> null;
    };
  }

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    for (String line : TABLE.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.trim().split("\\s+");
      rows.add(Arguments.of(cells[0], cells[1], cells[2], cells[3], cells[4]));
    }
    return rows.stream();
  }

  static TokenRecord record(TokenState state, String situation) {
    TokenRecords.Edit edit =
        SITUATIONS
            .get(situation)
            .apply(TokenRecords.edit(TokenRecord.unauthorized(TokenKey.named("crm"))));
    edit.state(state);
    List<Diagnosis> standing = standing(state);
    if (standing != null) {
      edit.diagnoses(standing);
    }
    return edit.build();
  }

  static String describe(RefreshGate.Decision decision) {
    return decision.fold(
        call -> "CALL:" + call.reason(),
        wait -> "WAIT:" + wait.diagnosis().code(),
        refuse -> "REFUSE:" + refuse.diagnosis().code(),
        ended -> "ENDED:" + ended.diagnosis().code(),
        fresh -> "FRESH");
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
  @MethodSource("rows")
  void decideWhenAskedInASituationThenDecidesAsTabled(
      String state, String situation, String grant, String trigger, String expected) {
    RefreshGate.Decision decision =
        RefreshGate.decide(
            record(TokenState.valueOf(state), situation),
            GrantType.valueOf(grant),
            RefreshTrigger.valueOf(trigger),
            NOW,
            POLICY);

    assertThat(describe(decision)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
  @MethodSource("rows")
  void decideWhenItWaitsThenUntilAMomentAheadAndNeverPastTheLastChance(
      String state, String situation, String grant, String trigger, String expected) {
    TokenRecord record = record(TokenState.valueOf(state), situation);
    RefreshGate.Decision decision =
        RefreshGate.decide(
            record, GrantType.valueOf(grant), RefreshTrigger.valueOf(trigger), NOW, POLICY);

    decision.fold(
        call -> null,
        wait -> {
          assertThat(wait.until()).isAfter(NOW);
          record
              .tokens()
              .flatMap(POLICY::lastChanceAt)
              .filter(NOW::isBefore)
              .ifPresent(lastChance -> assertThat(wait.until()).isBeforeOrEqualTo(lastChance));
          return null;
        },
        refuse -> null,
        ended -> null,
        fresh -> null);
  }

  @Property
  void decideWhenTheGrantIsGoneThenNothingButAPersonsRegrantWithoutAPersonCalls(
      @ForAll RefreshTrigger trigger, @ForAll GrantType grant, @ForAll boolean revoked) {
    TokenState state = revoked ? TokenState.REVOKED : TokenState.NEEDS_AUTHORIZATION;

    RefreshGate.Decision decision =
        RefreshGate.decide(record(state, "FRESH"), grant, trigger, NOW, POLICY);

    boolean calls =
        decision.fold(call -> true, wait -> false, refuse -> false, ended -> false, fresh -> false);
    assertThat(calls).isEqualTo(grant.withoutPerson() && trigger.personAsked());
  }

  @Property
  void decideWhenATargetRejectedTokensAllHourThenTheScheduleAndAdminsStillCall(
      @ForAll GrantType grant) {
    TokenRecord spent = record(TokenState.ACTIVE, "REJECTIONS_SPENT");

    assertThat(describe(RefreshGate.decide(spent, grant, RefreshTrigger.ON_401, NOW, POLICY)))
        .startsWith("WAIT");
    assertThat(describe(RefreshGate.decide(spent, grant, RefreshTrigger.PROACTIVE, NOW, POLICY)))
        .startsWith("CALL");
    assertThat(describe(RefreshGate.decide(spent, grant, RefreshTrigger.MANUAL, NOW, POLICY)))
        .isEqualTo("CALL:PERSON_ASKED");
  }

  @Property
  void decideWhenAPersonAsksThenNeverWaitsForTheBackoff(@ForAll GrantType grant) {
    RefreshGate.Decision decision =
        RefreshGate.decide(
            record(TokenState.REFRESH_FAILED, "BACKING_OFF"),
            grant,
            RefreshTrigger.MANUAL,
            NOW,
            POLICY);

    assertThat(describe(decision)).isEqualTo("CALL:PERSON_ASKED");
  }
}
