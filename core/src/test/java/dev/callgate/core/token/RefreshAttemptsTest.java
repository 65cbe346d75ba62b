package dev.callgate.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RefreshAttemptsTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final RefreshBudget S = RefreshBudget.SCHEDULE;
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  @Test
  void plusOneWhenNoAttemptsYetThenOpensAWindowAtNowWithOneAttempt() {
    RefreshAttempts attempts = RefreshAttempts.NONE.plusOne(S, T0, HOUR);

    assertThat(attempts).isEqualTo(new RefreshAttempts(T0, 1));
  }

  @Test
  void plusOneWhenInsideTheWindowThenCountsInTheSameWindow() {
    RefreshAttempts attempts =
        RefreshAttempts.NONE
            .plusOne(S, T0, HOUR)
            .plusOne(S, T0.plusSeconds(10), HOUR)
            .plusOne(S, T0.plus(HOUR).minusNanos(1), HOUR);

    assertThat(attempts).isEqualTo(new RefreshAttempts(T0, 3));
  }

  @Test
  void plusOneWhenTheWindowIsOverThenStartsANewWindowAtNow() {
    RefreshAttempts full = new RefreshAttempts(T0, 12);

    assertThat(full.plusOne(S, T0.plus(HOUR), HOUR))
        .isEqualTo(new RefreshAttempts(T0.plus(HOUR), 1));
    assertThat(full.plusOne(S, T0.plus(Duration.ofDays(1)), HOUR))
        .isEqualTo(new RefreshAttempts(T0.plus(Duration.ofDays(1)), 1));
  }

  @Test
  void countAtWhenInsideTheWindowThenReportsTheCount() {
    RefreshAttempts attempts = new RefreshAttempts(T0, 5);

    assertThat(attempts.countAt(S, T0, HOUR)).isEqualTo(5);
    assertThat(attempts.countAt(S, T0.plus(HOUR).minusNanos(1), HOUR)).isEqualTo(5);
  }

  @Test
  void countAtWhenTheWindowIsOverThenZero() {
    RefreshAttempts attempts = new RefreshAttempts(T0, 5);

    assertThat(attempts.countAt(S, T0.plus(HOUR), HOUR)).isZero();
    assertThat(RefreshAttempts.NONE.countAt(S, T0, HOUR)).isZero();
  }

  @Test
  void countAtWhenWindowIsShorterThenExpiresSooner() {
    RefreshAttempts attempts = new RefreshAttempts(T0, 2);

    assertThat(attempts.countAt(S, T0.plusSeconds(61), Duration.ofMinutes(1))).isZero();
    assertThat(attempts.countAt(S, T0.plusSeconds(61), HOUR)).isEqualTo(2);
  }

  @Test
  void plusOneWhenAnotherBudgetIsFullThenCountsOnlyItsOwn() {
    RefreshAttempts afterRejections = new RefreshAttempts(T0, 0);
    for (int i = 0; i < 12; i++) {
      afterRejections = afterRejections.plusOne(RefreshBudget.AFTER_REJECTION, T0, HOUR);
    }

    RefreshAttempts next = afterRejections.plusOne(S, T0.plusSeconds(1), HOUR);

    assertThat(next.countAt(RefreshBudget.AFTER_REJECTION, T0, HOUR)).isEqualTo(12);
    assertThat(next.countAt(S, T0, HOUR)).isEqualTo(1);
    assertThat(next.countAt(RefreshBudget.ADMIN, T0, HOUR)).isZero();
  }

  @Test
  void restartedWhenOneBudgetRestartsThenTheOthersKeepTheirCounts() {
    RefreshAttempts attempts =
        new RefreshAttempts(T0, 3).plusOne(RefreshBudget.OWNER, T0.plusSeconds(1), HOUR);

    RefreshAttempts restarted = attempts.restarted(S);

    assertThat(restarted.countAt(S, T0, HOUR)).isZero();
    assertThat(restarted.countAt(RefreshBudget.OWNER, T0, HOUR)).isEqualTo(1);
    assertThat(restarted.restarted(RefreshBudget.OWNER)).isEqualTo(RefreshAttempts.NONE);
  }
}
