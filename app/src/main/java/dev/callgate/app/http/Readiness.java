package dev.callgate.app.http;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What {@code /health/ready} reports: this instance's id, whether the store answers (the instance
 * is ready only then), and whether it hears other instances' changes (when it does not, its caches
 * read through: slower, still correct).
 */
public record Readiness(
    String instance, Supplier<CompletionStage<Boolean>> store, BooleanSupplier changeFeed) {
  public Readiness {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(changeFeed, "changeFeed");
  }

  /**
   * Whether the instance is ready: the store answered yes. A store that fails or cannot be asked
   * means not ready, never an error, so the endpoint and the {@code callgate_ready} gauge agree.
   */
  public CompletionStage<Boolean> ready() {
    CompletionStage<Boolean> answer;
    try {
      answer = store.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
    return answer.handle((ok, failure) -> failure == null && Boolean.TRUE.equals(ok));
  }
}
