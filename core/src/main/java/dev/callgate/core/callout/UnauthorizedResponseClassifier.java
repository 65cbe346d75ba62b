package dev.callgate.core.callout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tells an expired-token 401 — worth one refresh and one retry — from every other answer. The
 * dialects it knows: an RFC 6750 {@code WWW-Authenticate: Bearer error="invalid_token"} challenge,
 * Salesforce's {@code [{"errorCode":"INVALID_SESSION_ID",…}]} body, WSO2's {@code "please refresh
 * your access token"} body, and a plain 401 with neither challenge nor known body (one refresh and
 * one retry is cheap and bounded). A Bearer {@code insufficient_scope} or {@code invalid_request},
 * a challenge of another scheme only (such as {@code Basic}) and any 403 (a permission problem,
 * never an expired token) are rejections a refresh would not cure. Anything else is accepted. Only
 * an in-memory body is read, never a streamed one.
 */
public final class UnauthorizedResponseClassifier {

  /** What a response means for the token that was sent. */
  public enum Verdict {
    /** Not an authentication failure: relay it. */
    ACCEPTED,
    /** The access token is expired or invalid: refresh once and retry once. */
    EXPIRED_TOKEN,
    /** Refused for a reason a new token would not change: relay it. */
    REJECTED_OTHERWISE
  }

  /** The verdict and the rule that reached it, in words for logs and diagnoses. */
  public record Classification(Verdict verdict, String dialect) {
    public Classification {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(dialect, "dialect");
    }
  }

  /**
   * Bodies are read up to here: an error body is small, and a regex must not run over megabytes.
   */
  private static final int MAX_BODY_CHARS = 64 * 1024;

  private record BodyDialect(String name, Pattern pattern) {}

  private static final List<BodyDialect> EXPIRED_TOKEN_BODIES =
      List.of(
          new BodyDialect(
              "Salesforce errorCode INVALID_SESSION_ID",
              Pattern.compile("\"errorCode\"\\s*:\\s*\"INVALID_SESSION_ID\"")),
          new BodyDialect(
              "WSO2 please refresh your access token",
              Pattern.compile(
                  "\"message\"\\s*:\\s*\"[^\"]*refresh your access token[^\"]*\"",
                  Pattern.CASE_INSENSITIVE)),
          new BodyDialect(
              "JSON error invalid_token", Pattern.compile("\"error\"\\s*:\\s*\"invalid_token\"")));

  private UnauthorizedResponseClassifier() {}

  public static Classification classify(CalloutResponse response) {
    Objects.requireNonNull(response, "response");
    if (response.status() == 403) {
      return new Classification(Verdict.REJECTED_OTHERWISE, "403 forbidden");
    }
    if (response.status() != 401) {
      return new Classification(Verdict.ACCEPTED, "status " + response.status());
    }
    List<AuthenticationChallenge> challenges =
        AuthenticationChallenge.parse(response.headers().all("WWW-Authenticate"));
    Optional<AuthenticationChallenge> bearer =
        challenges.stream().filter(c -> c.hasScheme("Bearer")).findFirst();
    Optional<String> bearerError = bearer.flatMap(c -> c.param("error"));
    if (bearerError.isPresent()) {
      String error = bearerError.get();
      Verdict verdict =
          error.equalsIgnoreCase("invalid_token")
              ? Verdict.EXPIRED_TOKEN
              : Verdict.REJECTED_OTHERWISE;
      return new Classification(verdict, "WWW-Authenticate Bearer error=" + printable(error));
    }
    Optional<String> bodyDialect = expiredTokenBody(response.body());
    if (bodyDialect.isPresent()) {
      return new Classification(Verdict.EXPIRED_TOKEN, bodyDialect.get());
    }
    if (bearer.isPresent()) {
      // RFC 6750 §3.1 omits the error when the request had no credentials; we sent one, and many
      // servers answer an expired token this way.
      return new Classification(Verdict.EXPIRED_TOKEN, "WWW-Authenticate Bearer without error");
    }
    if (!challenges.isEmpty()) {
      return new Classification(
          Verdict.REJECTED_OTHERWISE,
          "WWW-Authenticate " + printable(challenges.get(0).scheme()) + " challenge");
    }
    return new Classification(Verdict.EXPIRED_TOKEN, "plain 401");
  }

  private static Optional<String> expiredTokenBody(Body body) {
    if (!(body instanceof Body.Bytes bytes)) {
      return Optional.empty();
    }
    byte[] head = Arrays.copyOf(bytes.bytes(), Math.min(bytes.bytes().length, MAX_BODY_CHARS));
    String text = new String(head, StandardCharsets.UTF_8);
    return EXPIRED_TOKEN_BODIES.stream()
        .filter(dialect -> dialect.pattern().matcher(text).find())
        .map(BodyDialect::name)
        .findFirst();
  }

  private static String printable(String text) {
    String shortened = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    return shortened.replaceAll("\\p{Cntrl}", "?");
  }
}
