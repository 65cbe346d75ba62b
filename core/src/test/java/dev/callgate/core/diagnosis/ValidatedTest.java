package dev.callgate.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ValidatedTest {
  private static final Diagnosis MISSING =
      Diagnosis.of(DiagnosisCode.INVALID_VALUE, "field", "clientId", "problem", "it is missing");
  private static final Diagnosis BAD_NAME =
      Diagnosis.of(DiagnosisCode.INVALID_NAME, "field", "name", "value", "a/b", "rule", "letters");

  @Test
  void mapWhenValidThenAppliesTheMapper() {
    Validated<Integer> mapped = Validated.valid("crm").map(String::length);

    assertThat(mapped).isEqualTo(new Validated.Valid<>(3));
    assertThat(mapped.problems()).isEmpty();
  }

  @Test
  void mapWhenInvalidThenKeepsTheProblemsAndNeverCallsTheMapper() {
    AtomicBoolean called = new AtomicBoolean();
    Validated<String> invalid = Validated.invalid(List.of(MISSING, BAD_NAME));

    Validated<Integer> mapped =
        invalid.map(
            value -> {
              called.set(true);
              return value.length();
            });

    assertThat(mapped).isInstanceOf(Validated.Invalid.class);
    assertThat(mapped.problems()).containsExactly(MISSING, BAD_NAME);
    assertThat(called).isFalse();
  }

  @Test
  void invalidWhenThereIsNoProblemThenRefuses() {
    assertThatIllegalArgumentException().isThrownBy(() -> Validated.invalid(List.of()));
  }

  @Test
  void problemsWhenSourceListChangesLaterThenInvalidKeepsItsCopy() {
    List<Diagnosis> problems = new ArrayList<>(List.of(MISSING));
    Validated<String> invalid = Validated.invalid(problems);

    problems.add(BAD_NAME);

    assertThat(invalid.problems()).containsExactly(MISSING);
    assertThatThrownBy(() -> invalid.problems().add(BAD_NAME))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
