package dev.callgate.core.callout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One rule of a credential's {@code refreshOn}: an answer of the target that means "the token is
 * stale" although it is no 401 — Salesforce SOAP's {@code 500} with {@code INVALID_SESSION_ID},
 * say. It matches when the status is one of {@code status}, and, where given, the body holds a
 * match of {@code bodyPattern} and a field {@code header} names holds a match of its pattern. A
 * body is read only when Callgate holds it in memory, and then only its first {@link
 * #MAX_BODY_CHARS} characters: a rule with a {@code bodyPattern} never matches a streamed answer,
 * since its body cannot be checked before it is relayed. Build rules from input with {@link
 * RefreshRuleDraft#validate}.
 */
public record RefreshRule(
    List<StatusRange> status, Optional<TextPattern> bodyPattern, Optional<HeaderMatch> header) {

  /** Bodies are read up to here, as the {@link UnauthorizedResponseClassifier} reads them. */
  public static final int MAX_BODY_CHARS = 64 * 1024;

  public RefreshRule {
    status = List.copyOf(status);
    if (status.isEmpty()) {
      throw new IllegalArgumentException("a rule names at least one status");
    }
    Objects.requireNonNull(bodyPattern, "bodyPattern");
    Objects.requireNonNull(header, "header");
  }

  /** Whether {@code response} is an answer this rule names. */
  public boolean matches(CalloutResponse response) {
    if (status.stream().noneMatch(range -> range.contains(response.status()))) {
      return false;
    }
    if (header.isPresent() && !header.get().matches(response.headers())) {
      return false;
    }
    return bodyPattern.isEmpty() || bodyMatches(bodyPattern.get(), response.body());
  }

  private static boolean bodyMatches(TextPattern pattern, Body body) {
    if (body instanceof Body.Empty) {
      return pattern.find("");
    }
    if (!(body instanceof Body.Bytes bytes)) {
      return false;
    }
    byte[] head = Arrays.copyOf(bytes.bytes(), Math.min(bytes.bytes().length, MAX_BODY_CHARS));
    return pattern.find(new String(head, StandardCharsets.UTF_8));
  }

  /** The rule in words, for logs and diagnoses: {@code status 5xx, body ~ /INVALID_SESSION_ID/}. */
  public String describe() {
    StringBuilder text =
        new StringBuilder("status ")
            .append(String.join(" or ", status.stream().map(StatusRange::wireName).toList()));
    header.ifPresent(
        h ->
            text.append(", header ")
                .append(h.name())
                .append(" ~ /")
                .append(h.pattern().regex())
                .append('/'));
    bodyPattern.ifPresent(p -> text.append(", body ~ /").append(p.regex()).append('/'));
    return text.toString();
  }

  /** A status code ({@code 500}) or a class of them ({@code 5xx}), inclusive bounds. */
  public record StatusRange(int from, int to) {
    public StatusRange {
      if (from < 100 || to > 599 || from > to) {
        throw new IllegalArgumentException("not a range of status codes: " + from + "-" + to);
      }
    }

    public boolean contains(int status) {
      return status >= from && status <= to;
    }

    /** {@code 500} for one code, {@code 5xx} for a class, {@code 500-503} otherwise. */
    public String wireName() {
      if (from == to) {
        return String.valueOf(from);
      }
      if (from % 100 == 0 && to == from + 99) {
        return (from / 100) + "xx";
      }
      return from + "-" + to;
    }

    /** {@code 500}, {@code 5xx} or {@code 500-503}; empty for anything else. */
    public static Optional<StatusRange> parse(String text) {
      String value = text.trim();
      if (value.matches("[1-5][0-9][0-9]")) {
        int code = Integer.parseInt(value);
        return Optional.of(new StatusRange(code, code));
      }
      if (value.matches("[1-5][xX][xX]")) {
        int from = (value.charAt(0) - '0') * 100;
        return Optional.of(new StatusRange(from, from + 99));
      }
      if (value.matches("[1-5][0-9][0-9]-[1-5][0-9][0-9]")) {
        int from = Integer.parseInt(value.substring(0, 3));
        int to = Integer.parseInt(value.substring(4));
        return from <= to ? Optional.of(new StatusRange(from, to)) : Optional.empty();
      }
      return Optional.empty();
    }
  }

  /** A header field whose value (any of its lines) must hold a match of {@code pattern}. */
  public record HeaderMatch(String name, TextPattern pattern) {
    public HeaderMatch {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(pattern, "pattern");
    }

    boolean matches(Headers headers) {
      return headers.all(name).stream().anyMatch(pattern::find);
    }
  }

  /**
   * A compiled Java regular expression, equal to another when their source texts are equal (a
   * {@link Pattern} is equal only to itself).
   */
  public record TextPattern(Pattern pattern) {
    public TextPattern {
      Objects.requireNonNull(pattern, "pattern");
    }

    public String regex() {
      return pattern.pattern();
    }

    boolean find(String text) {
      return pattern.matcher(text).find();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof TextPattern that && that.regex().equals(regex());
    }

    @Override
    public int hashCode() {
      return regex().hashCode();
    }

    @Override
    public String toString() {
      return "/" + regex() + "/";
    }
  }
}
