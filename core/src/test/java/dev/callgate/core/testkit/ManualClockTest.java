package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  private final ManualClock clock = new ManualClock();

  @Test
  void nowWhenAdvancedThenMovesByTheDuration() {
    clock.advance(Duration.ofMinutes(5));

    assertThat(clock.now()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(300));
  }

  @Test
  void delayWhenTheClockHasNotReachedTheDeadlineThenStaysPending() {
    CompletableFuture<Void> delay = clock.delay(Duration.ofSeconds(10)).toCompletableFuture();

    clock.advance(Duration.ofMillis(9999));

    assertThat(delay).isNotDone();
    assertThat(clock.pendingDelays()).isEqualTo(1);
  }

  @Test
  void delayWhenTheClockReachesTheDeadlineThenCompletes() {
    CompletableFuture<Void> delay = clock.delay(Duration.ofSeconds(10)).toCompletableFuture();

    clock.advance(Duration.ofSeconds(10));

    assertThat(delay).isCompleted();
    assertThat(clock.pendingDelays()).isZero();
  }

  @Test
  void delayWhenZeroThenCompletesAtOnce() {
    assertThat(clock.delay(Duration.ZERO).toCompletableFuture()).isCompleted();
    assertThat(clock.pendingDelays()).isZero();
  }

  @Test
  void setWhenPastSeveralDeadlinesThenCompletesThemInDeadlineOrder() {
    List<String> order = new ArrayList<>();
    clock.delay(Duration.ofSeconds(30)).thenRun(() -> order.add("30s"));
    clock.delay(Duration.ofSeconds(10)).thenRun(() -> order.add("10s"));
    clock.delay(Duration.ofSeconds(90)).thenRun(() -> order.add("90s"));

    clock.set(ManualClock.DEFAULT_START.plusSeconds(60));

    assertThat(order).containsExactly("10s", "30s");
    assertThat(clock.pendingDelays()).isEqualTo(1);
  }

  @Test
  void delayWhenCompletedThenItsDependentsMayScheduleNewDelays() {
    List<Instant> fired = new ArrayList<>();
    clock
        .delay(Duration.ofSeconds(1))
        .thenCompose(done -> clock.delay(Duration.ofSeconds(1)))
        .thenRun(() -> fired.add(clock.now()));

    clock.advance(Duration.ofSeconds(1));
    assertThat(fired).isEmpty();
    clock.advance(Duration.ofSeconds(1));

    assertThat(fired).containsExactly(ManualClock.DEFAULT_START.plusSeconds(2));
  }

  @Test
  void delayWhenHundredThreadsScheduleConcurrentlyThenAllCompleteOnAdvance() {
    List<CompletableFuture<Void>> delays =
        Concurrently.race(100, i -> clock.delay(Duration.ofMillis(1 + i)).toCompletableFuture());

    assertThat(clock.pendingDelays()).isEqualTo(100);
    clock.advance(Duration.ofSeconds(1));

    assertThat(delays).allMatch(CompletableFuture::isDone);
  }
}
