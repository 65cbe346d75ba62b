package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.List;
import java.util.Optional;

/**
 * A token placement as a person wrote it ({@code in}: {@code header} or {@code query}, {@code
 * name}, {@code prefix} for a header; absent fields are {@code null}). A header must be an RFC 9110
 * token that Callgate may set (not hop-by-hop, not set by the transport, not {@code Callgate-*}); a
 * prefix holds no control characters; a query parameter has a name.
 */
public record TokenPlacementDraft(String in, String name, String prefix) {

  private static final String FIELD = "tokenPlacement";

  /** The placement, or empty with the problems added to {@code problems}. */
  public Optional<TokenPlacement> validate(List<Diagnosis> problems) {
    if ("header".equals(in)) {
      if (name == null || !HeaderRules.isToken(name)) {
        return invalid(problems, "name '" + name + "' is not a header name (RFC 9110 token)");
      }
      if (!HeaderRules.credentialMaySet(name)) {
        return invalid(
            problems,
            "Callgate cannot send the token in '"
                + name
                + "' (a hop-by-hop, transport or Callgate header)");
      }
      String before = prefix == null ? "" : prefix;
      if (before.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        return invalid(problems, "the prefix has a line break or another control character");
      }
      return Optional.of(new TokenPlacement.InHeader(name, before));
    }
    if ("query".equals(in)) {
      if (name == null || name.isBlank() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        return invalid(problems, "a query parameter needs a name without control characters");
      }
      if (prefix != null) {
        return invalid(problems, "a prefix is for a header, not a query parameter");
      }
      return Optional.of(new TokenPlacement.InQuery(name));
    }
    return invalid(problems, "'in' is '" + in + "', not header or query");
  }

  private static Optional<TokenPlacement> invalid(List<Diagnosis> problems, String problem) {
    problems.add(Diagnosis.of(INVALID_VALUE, "field", FIELD, "problem", problem));
    return Optional.empty();
  }
}
