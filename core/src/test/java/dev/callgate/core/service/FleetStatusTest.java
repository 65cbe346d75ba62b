package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.service.FleetStatus.CredentialStatus;
import dev.callgate.core.service.FleetStatus.ReadFleet;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FleetStatusTest {
  private final ServiceFixture f = new ServiceFixture();
  private final FleetStatus fleet = new FleetStatus(f.credentials, f.tokens, f.statuses);

  /**
   * {@code alpha}: named, authorized; {@code beta}: named, never authorized; {@code team}:
   * per-user, alice authorized and bob's grant lost; {@code open}: no tokens at all.
   */
  @BeforeEach
  void fleetOfFourCredentials() {
    f.provider(List.of("openid"), null);
    f.credential(authorizationCode("alpha"));
    f.credential(authorizationCode("beta"));
    f.credential(
        draft(
            "team",
            "oauth2_authorization_code",
            "per_user",
            true,
            false,
            List.of("alice", "bob"),
            true));
    f.credential(
        new dev.callgate.core.credential.CredentialDraft(
            "open",
            "https://api.test/v1",
            "none",
            "named",
            null,
            false,
            false,
            false,
            List.of("app"),
            false,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null));
    f.authorize("alpha", ADMIN, "service-account");
    f.authorize("team", Caller.caller("alice"));
    TokenRecord bob = f.authorize("team", Caller.caller("bob"));
    join(
        f.tokens.compareAndSet(
            TokenRecords.edit(bob)
                .state(TokenState.NEEDS_AUTHORIZATION)
                .diagnoses(
                    List.of(
                        Diagnosis.of(
                            DiagnosisCode.REFRESH_TOKEN_REVOKED,
                            "error",
                            "invalid_grant",
                            "errorDescription",
                            "Session not active",
                            "evidence",
                            "the session ended",
                            "credential",
                            "team")))
                .build()));
  }

  @Test
  void readWhenNoFilterThenEveryCredentialByNameWithEachTokenByUser() {
    List<CredentialStatus> all = found(fleet.read(new ReadFleet(ADMIN, List.of())));

    assertThat(all)
        .extracting(c -> c.credential().name())
        .containsExactly("alpha", "beta", "open", "team");
    assertThat(states(all))
        .containsExactly(
            Map.entry("alpha/", List.of(TokenState.ACTIVE)),
            Map.entry("beta/", List.of(TokenState.UNAUTHORIZED)),
            Map.entry("open/", List.of()),
            Map.entry(
                "team/alice,bob", List.of(TokenState.ACTIVE, TokenState.NEEDS_AUTHORIZATION)));
    TokenStatus bob = all.get(3).tokens().get(1);
    assertThat(bob.record().key()).isEqualTo(TokenKey.perUser("team", "bob"));
    assertThat(bob.diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.REFRESH_TOKEN_REVOKED);
  }

  @Test
  void readWhenFilteredByStatesThenOnlyThoseTokensAndTheirCredentials() {
    List<CredentialStatus> needHuman =
        found(fleet.read(new ReadFleet(ADMIN, List.of("NEEDS_AUTHORIZATION,UNAUTHORIZED"))));

    assertThat(states(needHuman))
        .containsExactly(
            Map.entry("beta/", List.of(TokenState.UNAUTHORIZED)),
            Map.entry("team/bob", List.of(TokenState.NEEDS_AUTHORIZATION)));
    assertThat(found(fleet.read(new ReadFleet(ADMIN, List.of("REVOKED"))))).isEmpty();
  }

  @Test
  void readWhenAStateIsUnknownThenInvalidValueNamingIt() {
    List<Diagnosis> problems =
        rejected(fleet.read(new ReadFleet(ADMIN, List.of("ACTIVE", "BROKEN", "active"))));

    assertThat(problems).extracting(Diagnosis::code).containsOnly(DiagnosisCode.INVALID_VALUE);
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).message()).contains("'BROKEN' is not a token state");
  }

  @Test
  void readWhenTheCallerIsNoAdminThenForbidden() {
    assertThat(rejected(fleet.read(new ReadFleet(Caller.caller("alice"), List.of()))))
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.FORBIDDEN);
  }

  /** "credential/user,user" → the states of its tokens, in the answer's order. */
  private static Map<String, List<TokenState>> states(List<CredentialStatus> credentials) {
    return credentials.stream()
        .collect(
            Collectors.toMap(
                c ->
                    c.credential().name()
                        + "/"
                        + c.tokens().stream()
                            .map(t -> t.record().key().userSubject())
                            .collect(Collectors.joining(",")),
                c -> c.tokens().stream().map(TokenStatus::state).toList(),
                (a, b) -> a,
                java.util.LinkedHashMap::new));
  }

  private static List<CredentialStatus> found(
      java.util.concurrent.CompletionStage<FleetStatus.FleetOutcome> outcome) {
    return join(outcome)
        .fold(
            c -> c,
            problems -> {
              throw new AssertionError("rejected: " + problems);
            });
  }

  private static List<Diagnosis> rejected(
      java.util.concurrent.CompletionStage<FleetStatus.FleetOutcome> outcome) {
    return join(outcome)
        .fold(
            c -> {
              throw new AssertionError("found: " + c);
            },
            problems -> problems);
  }
}
