package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What looking up one resource by name came to: the resource, or Callgate's refusal with the
 * diagnosis a reader is shown (no such resource, or not this caller's to see).
 *
 * @param <T> the resource looked up
 */
public sealed interface FindOutcome<T> {

  <R> R fold(Function<T, R> found, Function<Diagnosis, R> rejected);

  record Found<T>(T value) implements FindOutcome<T> {
    public Found {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public <R> R fold(Function<T, R> found, Function<Diagnosis, R> rejected) {
      return found.apply(value);
    }
  }

  record Rejected<T>(Diagnosis diagnosis) implements FindOutcome<T> {
    public Rejected {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<T, R> found, Function<Diagnosis, R> rejected) {
      return rejected.apply(diagnosis);
    }
  }

  /** {@code value} found, or else the diagnosis {@code missing} makes. */
  static <T> FindOutcome<T> of(Optional<T> value, Supplier<Diagnosis> missing) {
    return value.<FindOutcome<T>>map(Found::new).orElseGet(() -> new Rejected<>(missing.get()));
  }

  /** The stage of {@link #of(Optional, Supplier)}. */
  static <T> CompletionStage<FindOutcome<T>> of(
      CompletionStage<Optional<T>> value, Supplier<Diagnosis> missing) {
    return value.thenApply(found -> of(found, missing));
  }

  static <T> CompletionStage<FindOutcome<T>> rejected(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new Rejected<>(diagnosis));
  }
}
