package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.MERGE_FIELD_UNKNOWN;
import static dev.callgate.core.diagnosis.DiagnosisCode.MERGE_FIELD_VALUE_INVALID;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Salesforce-style merge fields in callout headers and bodies: {@code {!$Credential.OAuthToken}},
 * {@code {!$Credential.UserName}}, {@code {!$Credential.Password}} and {@code
 * {!$Credential.ApiKey}} (names case-sensitive, whitespace inside the braces tolerated) are
 * replaced by the credential's values. Any other {@code {!…}} expression is unknown. In a header, a
 * value with a line break or another control character is refused, since it would let the value end
 * the header and inject others. Whether a credential allows merge fields at all is the caller's
 * question ({@link HeaderRules} for headers, the {@code allowed} flag of {@link #resolveBody}).
 */
public final class MergeFields {

  /** Where a merge field is resolved; header values have stricter rules than bodies. */
  public enum Location {
    HEADER("header"),
    BODY("body");

    private final String words;

    Location(String words) {
      this.words = words;
    }

    String words() {
      return words;
    }
  }

  /** The known fields, with what they read from the credential's values. */
  private enum Field {
    OAUTH_TOKEN(
        "$Credential.OAuthToken",
        values -> values.oauthToken().map(Secret::reveal),
        "the credential has no access token (it is not an OAuth credential, or not authorized"
            + " yet)"),
    USER_NAME(
        "$Credential.UserName",
        MergeFieldValues::userName,
        "the credential has no user name (only basic credentials have one)"),
    PASSWORD(
        "$Credential.Password",
        values -> values.password().map(Secret::reveal),
        "the credential has no password (only basic credentials have one)"),
    API_KEY(
        "$Credential.ApiKey",
        values -> values.apiKey().map(Secret::reveal),
        "the credential has no API key (only api_key credentials have one)");

    private final String expression;
    private final Function<MergeFieldValues, Optional<String>> value;
    private final String absentReason;

    Field(
        String expression,
        Function<MergeFieldValues, Optional<String>> value,
        String absentReason) {
      this.expression = expression;
      this.value = value;
      this.absentReason = absentReason;
    }

    static Optional<Field> of(String expression) {
      return Arrays.stream(values()).filter(f -> f.expression.equals(expression)).findFirst();
    }
  }

  /**
   * {@code {!} expression {@code }}: every such expression is a merge field, known or not, so that
   * a misspelt one is reported rather than sent to the target verbatim.
   */
  private static final Pattern MERGE_FIELD = Pattern.compile("\\{!\\s*([^{}]*?)\\s*}");

  private static final String KNOWN =
      Arrays.stream(Field.values())
          .map(f -> "{!" + f.expression + "}")
          .collect(Collectors.joining(", "));

  private static final int MAX_FACT_LENGTH = 80;

  private MergeFields() {}

  public static boolean containsMergeField(String text) {
    return MERGE_FIELD.matcher(text).find();
  }

  /** The first merge field of {@code text} as written, for diagnoses. */
  static Optional<String> firstMergeField(String text) {
    if (text.indexOf("{!") < 0) {
      // most values hold none: no matcher for them
      return Optional.empty();
    }
    Matcher matcher = MERGE_FIELD.matcher(text);
    return matcher.find() ? Optional.of(fieldFact(matcher.group(1))) : Optional.empty();
  }

  public static MergeResult resolve(
      String template, MergeFieldValues values, MergeFields.Location location) {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(location, "location");
    Matcher matcher = MERGE_FIELD.matcher(template);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String expression = matcher.group(1);
      Optional<Field> field = Field.of(expression);
      if (field.isEmpty()) {
        return new MergeResult.Rejected(
            Diagnosis.of(MERGE_FIELD_UNKNOWN, "field", fieldFact(expression), "known", KNOWN));
      }
      Optional<String> value = field.get().value.apply(values);
      if (value.isEmpty()) {
        return invalid(field.get(), location, field.get().absentReason);
      }
      if (location == Location.HEADER && hasControlCharacter(value.get())) {
        return invalid(
            field.get(),
            location,
            "its value contains a line break or another control character, which could end the"
                + " header and inject others");
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(value.get()));
    }
    matcher.appendTail(resolved);
    return new MergeResult.Resolved(resolved.toString());
  }

  /**
   * Resolves the merge fields of a body when {@code allowed}; otherwise returns it untouched, never
   * read. In-memory bodies are read as UTF-8 (any ASCII-compatible text works: the bytes outside
   * the merge fields are kept exactly, valid UTF-8 or not). A streamed body is passed through: the
   * service buffers the bodies of credentials that allow body merge fields before calling this.
   */
  public static BodyOutcome resolveBody(Body body, MergeFieldValues values, boolean allowed) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(values, "values");
    if (!allowed || !(body instanceof Body.Bytes bytes)) {
      return new BodyOutcome.Resolved(body);
    }
    // ISO-8859-1 maps every byte to one char and back, so the regex works on the bytes themselves
    // and bytes that are not valid UTF-8 (or are another ASCII-compatible charset) survive as is.
    String text = new String(bytes.bytes(), StandardCharsets.ISO_8859_1);
    if (!containsMergeField(text)) {
      return new BodyOutcome.Resolved(body);
    }
    Matcher matcher = MERGE_FIELD.matcher(text);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String expression = fromLatin1(matcher.group(1));
      Optional<Field> field = Field.of(expression);
      if (field.isEmpty()) {
        return new BodyOutcome.Rejected(
            Diagnosis.of(MERGE_FIELD_UNKNOWN, "field", fieldFact(expression), "known", KNOWN));
      }
      Optional<String> value = field.get().value.apply(values);
      if (value.isEmpty()) {
        return new BodyOutcome.Rejected(
            ((MergeResult.Rejected) invalid(field.get(), Location.BODY, field.get().absentReason))
                .diagnosis());
      }
      String valueAsLatin1 =
          new String(value.get().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(valueAsLatin1));
    }
    matcher.appendTail(resolved);
    return new BodyOutcome.Resolved(
        Body.of(resolved.toString().getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static MergeResult invalid(Field field, Location location, String reason) {
    return new MergeResult.Rejected(
        Diagnosis.of(
            MERGE_FIELD_VALUE_INVALID,
            "field",
            "{!" + field.expression + "}",
            "location",
            location.words(),
            "reason",
            reason));
  }

  /** C0 controls, DEL and C1 controls (NEL among them): none belongs in a header value. */
  static boolean hasControlCharacter(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static String fromLatin1(String latin1) {
    return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** The field as the caller wrote it, shortened and without control characters. */
  private static String fieldFact(String expression) {
    String printable =
        expression
            .codePoints()
            .map(c -> Character.isISOControl(c) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    if (printable.length() > MAX_FACT_LENGTH) {
      printable = printable.substring(0, MAX_FACT_LENGTH) + "…";
    }
    return "{!" + printable + "}";
  }
}
