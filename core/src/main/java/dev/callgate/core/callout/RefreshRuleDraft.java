package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code refreshOn} rule as a person wrote it (absent fields are {@code null}): status codes or
 * classes as text ({@code "500"}, {@code "5xx"}, {@code "500-503"}), an optional body pattern, and
 * an optional header name with its pattern. {@link #validate} returns the {@link RefreshRule} or
 * adds every problem found, each naming the field ({@code refreshOn[0].bodyPattern}).
 */
public record RefreshRuleDraft(
    List<String> status, String bodyPattern, String headerName, String headerPattern) {

  /** How long a pattern may be: a dialect's marker, not a program. */
  public static final int MAX_PATTERN_LENGTH = 500;

  /** RFC 9110 §5.6.2 token: what a header name may be. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Validates every rule of a {@code refreshOn} list; {@code null} means none. */
  public static RefreshRules validateAll(List<RefreshRuleDraft> drafts, List<Diagnosis> problems) {
    if (drafts == null) {
      return RefreshRules.NONE;
    }
    if (drafts.size() > RefreshRules.MAX_RULES) {
      problems.add(problem("refreshOn", "it lists more than " + RefreshRules.MAX_RULES + " rules"));
      return RefreshRules.NONE;
    }
    List<RefreshRule> rules = new ArrayList<>();
    for (int index = 0; index < drafts.size(); index++) {
      RefreshRuleDraft draft = drafts.get(index);
      String field = "refreshOn[" + index + "]";
      if (draft == null) {
        problems.add(problem(field, "it must be an object"));
      } else {
        draft.validate(field, problems).ifPresent(rules::add);
      }
    }
    return new RefreshRules(rules);
  }

  /** The rule, or empty with the problems added; {@code field} names it in them. */
  public Optional<RefreshRule> validate(String field, List<Diagnosis> problems) {
    int before = problems.size();
    List<RefreshRule.StatusRange> ranges = new ArrayList<>();
    if (status == null || status.isEmpty()) {
      problems.add(
          problem(field + ".status", "it is missing: list status codes or classes such as 5xx"));
    } else {
      for (String code : status) {
        Optional<RefreshRule.StatusRange> range =
            code == null ? Optional.empty() : RefreshRule.StatusRange.parse(code);
        if (range.isEmpty()) {
          problems.add(
              problem(
                  field + ".status",
                  "'"
                      + code
                      + "' is not a status code (100-599), a class such as 5xx or a range such"
                      + " as 500-503"));
        } else {
          ranges.add(range.get());
        }
      }
    }
    Optional<RefreshRule.TextPattern> body = pattern(field + ".bodyPattern", bodyPattern, problems);
    Optional<RefreshRule.HeaderMatch> header = Optional.empty();
    if (headerName != null || headerPattern != null) {
      if (headerName == null || !HEADER_NAME.matcher(headerName).matches()) {
        problems.add(
            problem(
                field + ".header.name",
                headerName == null
                    ? "it is missing"
                    : "'" + headerName + "' is not a header name"));
      }
      if (headerPattern == null) {
        problems.add(problem(field + ".header.pattern", "it is missing"));
      }
      Optional<RefreshRule.TextPattern> value =
          pattern(field + ".header.pattern", headerPattern, problems);
      if (headerName != null && value.isPresent()) {
        header = Optional.of(new RefreshRule.HeaderMatch(headerName, value.get()));
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new RefreshRule(ranges, body, header));
  }

  private static Optional<RefreshRule.TextPattern> pattern(
      String field, String regex, List<Diagnosis> problems) {
    if (regex == null) {
      return Optional.empty();
    }
    if (regex.isEmpty() || regex.length() > MAX_PATTERN_LENGTH) {
      problems.add(
          problem(field, "a pattern must be 1 to " + MAX_PATTERN_LENGTH + " characters long"));
      return Optional.empty();
    }
    try {
      return Optional.of(new RefreshRule.TextPattern(Pattern.compile(regex)));
    } catch (PatternSyntaxException e) {
      String reason = e.getDescription() + " near index " + e.getIndex();
      problems.add(problem(field, "it is not a Java regular expression: " + reason));
      return Optional.empty();
    }
  }

  private static Diagnosis problem(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem);
  }
}
