package dev.callgate.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.http.Readiness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code callgate_ready} follows the check {@code /health/ready} answers from: 1 while the store
 * answers, 0 before the first check, when the store says no, fails, or cannot be asked.
 */
class ReadinessGaugeTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CallgateMetrics metrics = new CallgateMetrics(registry);
  private final AtomicReference<CompletionStage<Boolean>> store =
      new AtomicReference<>(CompletableFuture.completedFuture(true));
  private final Readiness readiness = new Readiness("callgate-1", store::get, () -> true);

  private double ready() {
    return registry.get("callgate_ready").gauge().value();
  }

  private void sample() {
    metrics.sampleReadiness(readiness::ready).toCompletableFuture().join();
  }

  @Test
  void readyWhenNotYetCheckedThenZero() {
    assertThat(ready()).isZero();
  }

  @Test
  void readyWhenStoreAnswersThenOneAndWhenItStopsThenZeroAgain() {
    sample();
    assertThat(ready()).isEqualTo(1.0);

    store.set(CompletableFuture.failedFuture(new IllegalStateException("connection refused")));
    sample();
    assertThat(ready()).isZero();

    store.set(CompletableFuture.completedFuture(true));
    sample();
    assertThat(ready()).isEqualTo(1.0);
  }

  @Test
  void readyWhenStoreAnswersNoThenZero() {
    sample();
    store.set(CompletableFuture.completedFuture(false));
    sample();
    assertThat(ready()).isZero();
  }

  @Test
  void readyWhenCheckCannotBeAskedThenZero() {
    sample();
    metrics
        .sampleReadiness(
            () -> {
              throw new IllegalStateException("pool closed");
            })
        .toCompletableFuture()
        .join();
    assertThat(ready()).isZero();
  }
}
