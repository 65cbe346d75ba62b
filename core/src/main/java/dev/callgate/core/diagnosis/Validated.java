package dev.callgate.core.diagnosis;

import java.util.List;
import java.util.function.Function;

/**
 * The result of checking input: the valid value, or every problem found, each a {@link Diagnosis}.
 * All problems are reported at once so that a person fixes a request in one round.
 */
public sealed interface Validated<T> {

  record Valid<T>(T value) implements Validated<T> {
    @Override
    public <R> Validated<R> map(Function<T, R> mapper) {
      return new Valid<>(mapper.apply(value));
    }

    @Override
    public <R> R fold(Function<T, R> valid, Function<List<Diagnosis>, R> invalid) {
      return valid.apply(value);
    }

    @Override
    public List<Diagnosis> problems() {
      return List.of();
    }
  }

  record Invalid<T>(List<Diagnosis> problems) implements Validated<T> {
    public Invalid {
      problems = List.copyOf(problems);
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("an invalid value has at least one problem");
      }
    }

    @Override
    public <R> Validated<R> map(Function<T, R> mapper) {
      return new Invalid<>(problems);
    }

    @Override
    public <R> R fold(Function<T, R> valid, Function<List<Diagnosis>, R> invalid) {
      return invalid.apply(problems);
    }
  }

  static <T> Validated<T> valid(T value) {
    return new Valid<>(value);
  }

  static <T> Validated<T> invalid(List<Diagnosis> problems) {
    return new Invalid<>(problems);
  }

  <R> Validated<R> map(Function<T, R> mapper);

  /** {@code valid} of the value, or {@code invalid} of the problems. */
  <R> R fold(Function<T, R> valid, Function<List<Diagnosis>, R> invalid);

  /** The problems, empty when valid. */
  List<Diagnosis> problems();
}
