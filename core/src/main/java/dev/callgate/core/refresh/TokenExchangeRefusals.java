package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A token endpoint refusing a token exchange (RFC 8693 §2.2.2), once the client's authentication
 * passed: the client may not exchange at all ({@code unauthorized_client}, Keycloak's "Standard
 * token exchange is not enabled for the requested client"), the audience or resource asked for is
 * not the client's to request ({@code invalid_target}, Keycloak's {@code invalid_request}
 * "Requested audience not available"), or the subject token is not one the client may exchange
 * ({@code invalid_request}, {@code invalid_token}, {@code invalid_grant} or {@code access_denied}:
 * Keycloak's "Invalid token", "Client is not within the token audience"). Other errors ({@code
 * invalid_scope}, {@code temporarily_unavailable} …) are left to the general rules.
 */
public final class TokenExchangeRefusals {
  private static final List<String> SUBJECT_ERRORS =
      List.of("invalid_request", "invalid_token", "invalid_grant", "access_denied");

  // the requested audience, as opposed to the subject token's own ("not within the token audience")
  private static final List<String> TARGET_WORDS =
      List.of("requested audience", "audience not", "resource");

  private TokenExchangeRefusals() {}

  /** The exchange's own diagnosis of {@code refused}, or empty where the general rules apply. */
  public static Optional<Diagnosis> diagnose(GrantOutcome.Refused refused, FailureContext context) {
    String error = refused.error();
    String description = refused.errorDescription().orElse("none");
    String words = description.toLowerCase(Locale.ROOT);
    String afterwards = RefreshPolicy.keptGrant(context);
    if (ClientRefusals.grantTypeRefused(refused)) {
      return Optional.of(
          Diagnosis.of(
              DiagnosisCode.TOKEN_EXCHANGE_NOT_ALLOWED,
              "clientId",
              context.clientId(),
              "error",
              error,
              "errorDescription",
              description,
              "provider",
              context.providerName(),
              "afterwards",
              afterwards));
    }
    if (error.equals("invalid_target")
        || (SUBJECT_ERRORS.contains(error) && TARGET_WORDS.stream().anyMatch(words::contains))) {
      return Optional.of(
          Diagnosis.of(
              DiagnosisCode.TOKEN_EXCHANGE_AUDIENCE_REJECTED,
              "clientId",
              context.clientId(),
              "credential",
              context.credentialName(),
              "error",
              error,
              "errorDescription",
              description,
              "afterwards",
              afterwards));
    }
    if (SUBJECT_ERRORS.contains(error)) {
      return Optional.of(
          Diagnosis.of(
              DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED,
              "credential",
              context.credentialName(),
              "error",
              error,
              "errorDescription",
              description,
              "provider",
              context.providerName(),
              "clientId",
              context.clientId()));
    }
    return Optional.empty();
  }
}
