package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A token exchange's settings as a person wrote them (the API's {@code tokenExchange} object;
 * absent fields are {@code null}): {@code subjectCredential} names the credential whose access
 * token is exchanged (absent: the caller sends it), {@code audience} the logical names and {@code
 * resource} the absolute URIs (RFC 8707, no fragment) the token is for, each at most {@value
 * #MAX_TARGETS}; {@code requestedTokenType} and {@code subjectTokenType} are absolute URIs, the
 * latter {@link Authentication.TokenExchange#ACCESS_TOKEN_TYPE} unless given. Whether the subject
 * credential exists, and whether it would make a cycle, is the service's question.
 */
public record TokenExchangeDraft(
    String subjectCredential,
    List<String> audience,
    List<String> resource,
    String requestedTokenType,
    String subjectTokenType) {

  /** No settings: the caller's subject token, the provider's choice of audience and type. */
  public static final TokenExchangeDraft NONE =
      new TokenExchangeDraft(null, null, null, null, null);

  /** How many audiences or resources one exchange may name. */
  public static final int MAX_TARGETS = 20;

  private static final String FIELD = "tokenExchange.";

  /** The settings for {@code credential}'s exchange at {@code provider}, or empty with problems. */
  public Optional<Authentication.TokenExchange> validate(
      String credential, String provider, List<Diagnosis> problems) {
    int before = problems.size();
    if (subjectCredential != null) {
      Checks.name(FIELD + "subjectCredential", subjectCredential, problems);
      if (subjectCredential.equals(credential)) {
        invalid(problems, "subjectCredential", "a credential cannot exchange its own token");
      }
    }
    List<String> audiences = audience == null ? List.of() : audience;
    if (audiences.size() > MAX_TARGETS) {
      invalid(problems, "audience", "it names more than " + MAX_TARGETS + " audiences");
    }
    for (String name : audiences) {
      if (name == null || name.isBlank() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        invalid(problems, "audience", "an audience is blank or has control characters");
      }
    }
    List<String> resources = resource == null ? List.of() : resource;
    if (resources.size() > MAX_TARGETS) {
      invalid(problems, "resource", "it names more than " + MAX_TARGETS + " resources");
    }
    List<URI> resourceUris = new ArrayList<>();
    for (String value : resources) {
      absoluteUri(value, "resource", problems).ifPresent(resourceUris::add);
    }
    if (requestedTokenType != null) {
      absoluteUri(requestedTokenType, "requestedTokenType", problems);
    }
    if (subjectTokenType != null) {
      absoluteUri(subjectTokenType, "subjectTokenType", problems);
    }
    // a missing provider is the credential's problem, reported there
    if (problems.size() != before || provider == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Authentication.TokenExchange(
            provider,
            Optional.ofNullable(subjectCredential),
            audiences,
            resourceUris,
            Optional.ofNullable(requestedTokenType),
            subjectTokenType == null
                ? Authentication.TokenExchange.ACCESS_TOKEN_TYPE
                : subjectTokenType));
  }

  /** RFC 8707 §2 and RFC 8693 §3: an absolute URI; a resource has no fragment either. */
  private static Optional<URI> absoluteUri(String value, String field, List<Diagnosis> problems) {
    try {
      URI uri = new URI(value == null ? "" : value);
      if (uri.isAbsolute() && uri.getRawFragment() == null) {
        return Optional.of(uri);
      }
    } catch (URISyntaxException e) {
      // reported below like a relative one
    }
    invalid(problems, field, "'" + value + "' is not an absolute URI without a fragment");
    return Optional.empty();
  }

  private static void invalid(List<Diagnosis> problems, String field, String problem) {
    problems.add(Diagnosis.of(INVALID_VALUE, "field", FIELD + field, "problem", problem));
  }
}
