package dev.callgate.core.callout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefreshRuleDraftTest {

  private static List<Diagnosis> problemsOf(List<RefreshRuleDraft> drafts) {
    List<Diagnosis> problems = new ArrayList<>();
    RefreshRuleDraft.validateAll(drafts, problems);
    return problems;
  }

  private static List<String> messages(List<RefreshRuleDraft> drafts) {
    List<Diagnosis> problems = problemsOf(drafts);
    assertThat(problems)
        .allSatisfy(p -> assertThat(p.code()).isEqualTo(DiagnosisCode.INVALID_VALUE));
    return problems.stream().map(Diagnosis::message).toList();
  }

  @Test
  void validateWhenRuleIsCompleteThenKeepsStatusesPatternsAndHeader() {
    List<Diagnosis> problems = new ArrayList<>();
    RefreshRules rules =
        RefreshRuleDraft.validateAll(
            List.of(
                new RefreshRuleDraft(
                    List.of("500", "5xx", "401-403"), "INVALID", "X-Error", "expired")),
            problems);

    assertThat(problems).isEmpty();
    RefreshRule rule = rules.rules().get(0);
    assertThat(rule.status().stream().map(RefreshRule.StatusRange::wireName))
        .containsExactly("500", "5xx", "401-403");
    assertThat(rule.bodyPattern().orElseThrow().regex()).isEqualTo("INVALID");
    assertThat(rule.header().orElseThrow().name()).isEqualTo("X-Error");
  }

  @Test
  void validateWhenAbsentThenNoRules() {
    assertThat(RefreshRuleDraft.validateAll(null, new ArrayList<>())).isEqualTo(RefreshRules.NONE);
  }

  @Test
  void validateWhenRegexIsBrokenThenNamesTheFieldAndWhy() {
    assertThat(messages(List.of(new RefreshRuleDraft(List.of("500"), "(unclosed", null, null))))
        .singleElement()
        .asString()
        .startsWith("refreshOn[0].bodyPattern is invalid: it is not a Java regular expression:")
        .contains("Unclosed group");
  }

  @Test
  void validateWhenStatusIsMissingOrNotAStatusThenSaysSo() {
    assertThat(
            messages(
                List.of(
                    new RefreshRuleDraft(null, "x", null, null),
                    new RefreshRuleDraft(
                        List.of("600", "5xy", "503-500", "abc"), null, null, null))))
        .containsExactly(
            "refreshOn[0].status is invalid: it is missing: list status codes or classes such as"
                + " 5xx.",
            "refreshOn[1].status is invalid: '600' is not a status code (100-599), a class such as"
                + " 5xx or a range such as 500-503.",
            "refreshOn[1].status is invalid: '5xy' is not a status code (100-599), a class such as"
                + " 5xx or a range such as 500-503.",
            "refreshOn[1].status is invalid: '503-500' is not a status code (100-599), a class"
                + " such as 5xx or a range such as 500-503.",
            "refreshOn[1].status is invalid: 'abc' is not a status code (100-599), a class such as"
                + " 5xx or a range such as 500-503.");
  }

  @Test
  void validateWhenHeaderIsHalfGivenOrMisnamedThenSaysWhichPart() {
    assertThat(
            messages(
                List.of(
                    new RefreshRuleDraft(List.of("403"), null, "X-Error", null),
                    new RefreshRuleDraft(List.of("403"), null, null, "expired"),
                    new RefreshRuleDraft(List.of("403"), null, "Bad Name", "expired"))))
        .containsExactly(
            "refreshOn[0].header.pattern is invalid: it is missing.",
            "refreshOn[1].header.name is invalid: it is missing.",
            "refreshOn[2].header.name is invalid: 'Bad Name' is not a header name.");
  }

  @Test
  void validateWhenPatternIsEmptyOrTooLongOrRulesTooManyThenRefuses() {
    assertThat(messages(List.of(new RefreshRuleDraft(List.of("500"), "", null, null))))
        .containsExactly(
            "refreshOn[0].bodyPattern is invalid: a pattern must be 1 to 500 characters long.");
    assertThat(messages(List.of(new RefreshRuleDraft(List.of("500"), "a".repeat(501), null, null))))
        .hasSize(1);
    assertThat(
            messages(
                Collections.nCopies(
                    RefreshRules.MAX_RULES + 1,
                    new RefreshRuleDraft(List.of("500"), null, null, null))))
        .containsExactly("refreshOn is invalid: it lists more than 10 rules.");
  }
}
