package dev.callgate.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TokenStateMachineTest {

  /**
   * The whole lifecycle, written out by hand: state, event, expected next state. It is the
   * specification the state machine is checked against, so it must never be derived from it.
   */
  private static final String TABLE =
      """
      UNAUTHORIZED         AUTHORIZED                  ACTIVE
      UNAUTHORIZED         ACCESS_TOKEN_EXPIRING       UNAUTHORIZED
      UNAUTHORIZED         ACCESS_TOKEN_REJECTED       UNAUTHORIZED
      UNAUTHORIZED         REFRESH_STARTED             UNAUTHORIZED
      UNAUTHORIZED         REFRESH_SUCCEEDED           UNAUTHORIZED
      UNAUTHORIZED         REFRESH_FAILED_TRANSIENTLY  UNAUTHORIZED
      UNAUTHORIZED         REFRESH_REJECTED            NEEDS_AUTHORIZATION
      UNAUTHORIZED         CLIENT_REJECTED             CLIENT_REJECTED
      UNAUTHORIZED         PROVIDER_CHANGED            UNAUTHORIZED
      UNAUTHORIZED         REFRESH_TOKEN_EXPIRED       UNAUTHORIZED
      UNAUTHORIZED         REVOKED                     UNAUTHORIZED

      ACTIVE               AUTHORIZED                  ACTIVE
      ACTIVE               ACCESS_TOKEN_EXPIRING       EXPIRING
      ACTIVE               ACCESS_TOKEN_REJECTED       EXPIRING
      ACTIVE               REFRESH_STARTED             REFRESHING
      ACTIVE               REFRESH_SUCCEEDED           ACTIVE
      ACTIVE               REFRESH_FAILED_TRANSIENTLY  REFRESH_FAILED
      ACTIVE               REFRESH_REJECTED            NEEDS_AUTHORIZATION
      ACTIVE               CLIENT_REJECTED             CLIENT_REJECTED
      ACTIVE               PROVIDER_CHANGED            ACTIVE
      ACTIVE               REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      ACTIVE               REVOKED                     REVOKED

      EXPIRING             AUTHORIZED                  ACTIVE
      EXPIRING             ACCESS_TOKEN_EXPIRING       EXPIRING
      EXPIRING             ACCESS_TOKEN_REJECTED       EXPIRING
      EXPIRING             REFRESH_STARTED             REFRESHING
      EXPIRING             REFRESH_SUCCEEDED           ACTIVE
      EXPIRING             REFRESH_FAILED_TRANSIENTLY  REFRESH_FAILED
      EXPIRING             REFRESH_REJECTED            NEEDS_AUTHORIZATION
      EXPIRING             CLIENT_REJECTED             CLIENT_REJECTED
      EXPIRING             PROVIDER_CHANGED            EXPIRING
      EXPIRING             REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      EXPIRING             REVOKED                     REVOKED

      REFRESHING           AUTHORIZED                  ACTIVE
      REFRESHING           ACCESS_TOKEN_EXPIRING       REFRESHING
      REFRESHING           ACCESS_TOKEN_REJECTED       REFRESHING
      REFRESHING           REFRESH_STARTED             REFRESHING
      REFRESHING           REFRESH_SUCCEEDED           ACTIVE
      REFRESHING           REFRESH_FAILED_TRANSIENTLY  REFRESH_FAILED
      REFRESHING           REFRESH_REJECTED            NEEDS_AUTHORIZATION
      REFRESHING           CLIENT_REJECTED             CLIENT_REJECTED
      REFRESHING           PROVIDER_CHANGED            REFRESHING
      REFRESHING           REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      REFRESHING           REVOKED                     REVOKED

      REFRESH_FAILED       AUTHORIZED                  ACTIVE
      REFRESH_FAILED       ACCESS_TOKEN_EXPIRING       REFRESH_FAILED
      REFRESH_FAILED       ACCESS_TOKEN_REJECTED       REFRESH_FAILED
      REFRESH_FAILED       REFRESH_STARTED             REFRESHING
      REFRESH_FAILED       REFRESH_SUCCEEDED           ACTIVE
      REFRESH_FAILED       REFRESH_FAILED_TRANSIENTLY  REFRESH_FAILED
      REFRESH_FAILED       REFRESH_REJECTED            NEEDS_AUTHORIZATION
      REFRESH_FAILED       CLIENT_REJECTED             CLIENT_REJECTED
      REFRESH_FAILED       PROVIDER_CHANGED            REFRESH_FAILED
      REFRESH_FAILED       REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      REFRESH_FAILED       REVOKED                     REVOKED

      CLIENT_REJECTED      AUTHORIZED                  ACTIVE
      CLIENT_REJECTED      ACCESS_TOKEN_EXPIRING       CLIENT_REJECTED
      CLIENT_REJECTED      ACCESS_TOKEN_REJECTED       CLIENT_REJECTED
      CLIENT_REJECTED      REFRESH_STARTED             REFRESHING
      CLIENT_REJECTED      REFRESH_SUCCEEDED           ACTIVE
      CLIENT_REJECTED      REFRESH_FAILED_TRANSIENTLY  CLIENT_REJECTED
      CLIENT_REJECTED      REFRESH_REJECTED            CLIENT_REJECTED
      CLIENT_REJECTED      CLIENT_REJECTED             CLIENT_REJECTED
      CLIENT_REJECTED      PROVIDER_CHANGED            EXPIRING
      CLIENT_REJECTED      REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      CLIENT_REJECTED      REVOKED                     REVOKED

      NEEDS_AUTHORIZATION  AUTHORIZED                  ACTIVE
      NEEDS_AUTHORIZATION  ACCESS_TOKEN_EXPIRING       NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  ACCESS_TOKEN_REJECTED       NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REFRESH_STARTED             NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REFRESH_SUCCEEDED           NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REFRESH_FAILED_TRANSIENTLY  NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REFRESH_REJECTED            NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  CLIENT_REJECTED             NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  PROVIDER_CHANGED            NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REFRESH_TOKEN_EXPIRED       NEEDS_AUTHORIZATION
      NEEDS_AUTHORIZATION  REVOKED                     REVOKED

      REVOKED              AUTHORIZED                  ACTIVE
      REVOKED              ACCESS_TOKEN_EXPIRING       REVOKED
      REVOKED              ACCESS_TOKEN_REJECTED       REVOKED
      REVOKED              REFRESH_STARTED             REVOKED
      REVOKED              REFRESH_SUCCEEDED           REVOKED
      REVOKED              REFRESH_FAILED_TRANSIENTLY  REVOKED
      REVOKED              REFRESH_REJECTED            REVOKED
      REVOKED              CLIENT_REJECTED             REVOKED
      REVOKED              PROVIDER_CHANGED            REVOKED
      REVOKED              REFRESH_TOKEN_EXPIRED       REVOKED
      REVOKED              REVOKED                     REVOKED
      """;

  private record Transition(TokenState from, TokenEvent event, TokenState to) {}

  private record Pair(TokenState state, TokenEvent event) {}

  private static List<Transition> table() {
    List<Transition> rows = new ArrayList<>();
    for (String line : TABLE.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.trim().split("\\s+");
      if (cells.length != 3) {
        throw new IllegalStateException("a row has state, event and next state: " + line);
      }
      rows.add(
          new Transition(
              TokenState.valueOf(cells[0]),
              TokenEvent.valueOf(cells[1]),
              TokenState.valueOf(cells[2])));
    }
    return rows;
  }

  static Stream<Arguments> transitions() {
    return table().stream().map(t -> Arguments.of(t.from(), t.event(), t.to()));
  }

  @ParameterizedTest(name = "{0} + {1} -> {2}")
  @MethodSource("transitions")
  void nextWhenEventHappensInStateThenMovesToTheTabledState(
      TokenState from, TokenEvent event, TokenState expected) {
    assertThat(TokenStateMachine.next(from, event)).isEqualTo(expected);
  }

  @Test
  void tableWhenReadThenCoversEveryStateAndEventPairExactlyOnce() {
    Map<Pair, Long> counts =
        table().stream()
            .collect(
                Collectors.groupingBy(
                    t -> new Pair(t.from(), t.event()), LinkedHashMap::new, Collectors.counting()));
    Set<Pair> allPairs =
        Arrays.stream(TokenState.values())
            .flatMap(s -> Arrays.stream(TokenEvent.values()).map(e -> new Pair(s, e)))
            .collect(Collectors.toSet());

    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(allPairs);
    assertThat(counts.values()).allMatch(count -> count == 1);
    assertThat(table()).hasSize(TokenState.values().length * TokenEvent.values().length);
  }

  @Property
  void nextWhenNotAuthorizedAgainThenADeadGrantNeverComesBackToLife(
      @ForAll List<TokenEvent> events, @ForAll boolean startRevoked) {
    TokenState state = startRevoked ? TokenState.REVOKED : TokenState.NEEDS_AUTHORIZATION;
    for (TokenEvent event : events) {
      if (event == TokenEvent.AUTHORIZED) {
        continue;
      }
      state = TokenStateMachine.next(state, event);
      assertThat(state.allowsRefresh()).as("state after %s", event).isFalse();
    }
  }

  /** Written out by hand, like the transition table. */
  private static final Map<TokenState, Boolean> ALLOWS_REFRESH =
      Map.of(
          TokenState.UNAUTHORIZED, false,
          TokenState.ACTIVE, true,
          TokenState.EXPIRING, true,
          TokenState.REFRESHING, true,
          TokenState.REFRESH_FAILED, true,
          TokenState.CLIENT_REJECTED, false,
          TokenState.NEEDS_AUTHORIZATION, false,
          TokenState.REVOKED, false);

  @ParameterizedTest
  @EnumSource(TokenState.class)
  void allowsRefreshWhenAskedForAStateThenOnlyStatesHoldingALiveGrantSayYes(TokenState state) {
    assertThat(ALLOWS_REFRESH).containsKey(state);
    assertThat(state.allowsRefresh()).isEqualTo(ALLOWS_REFRESH.get(state));
  }

  /** Written out by hand, like the transition table. */
  private static final Map<TokenState, Boolean> KEEPS_GRANT =
      Map.of(
          TokenState.UNAUTHORIZED, false,
          TokenState.ACTIVE, true,
          TokenState.EXPIRING, true,
          TokenState.REFRESHING, true,
          TokenState.REFRESH_FAILED, true,
          TokenState.CLIENT_REJECTED, true,
          TokenState.NEEDS_AUTHORIZATION, false,
          TokenState.REVOKED, false);

  @ParameterizedTest
  @EnumSource(TokenState.class)
  void keepsGrantWhenAskedForAStateThenTheRefreshingStatesAndARefusedClientSayYes(
      TokenState state) {
    assertThat(KEEPS_GRANT).containsKey(state);
    assertThat(state.keepsGrant()).isEqualTo(KEEPS_GRANT.get(state));
  }

  @Test
  void unauthorizedWhenCreatedThenHasNoTokensAndVersionZero() {
    TokenRecord record = TokenRecord.unauthorized(TokenKey.named("crm"));

    assertThat(record.state()).isEqualTo(TokenState.UNAUTHORIZED);
    assertThat(record.tokens()).isEmpty();
    assertThat(record.version()).isZero();
    assertThat(record.attempts()).isEqualTo(RefreshAttempts.NONE);
  }

  @Test
  void constructorWhenVersionOrFailureCountIsNegativeThenRefuses() {
    TokenRecord record = TokenRecord.unauthorized(TokenKey.named("crm"));

    assertThatIllegalArgumentException().isThrownBy(() -> record.withVersion(-1));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new FailureStreak(-1, Optional.empty(), Optional.empty()));
  }
}
