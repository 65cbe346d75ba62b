package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A token endpoint refusing a token exchange (RFC 8693 §2.2.2), once the client's authentication
 * passed: the client may not exchange at all ({@code unauthorized_client}; Keycloak 26 says {@code
 * invalid_request} "Standard token exchange is not enabled for the requested client", its legacy
 * exchange {@code access_denied} "Client not allowed to exchange"), the audience or resource asked
 * for is not the client's to request ({@code invalid_target}, Keycloak's {@code invalid_request}
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

  // the client's exchange switched off, in the words of an error that is not unauthorized_client
  private static final List<String> NOT_ALLOWED_WORDS =
      List.of("exchange is not enabled", "not allowed to exchange", "not enabled for");

  private TokenExchangeRefusals() {}

  /** The exchange's own diagnosis of {@code refused}, or empty where the general rules apply. */
  public static Optional<Diagnosis> diagnose(GrantOutcome.Refused refused, FailureContext context) {
    String error = refused.error();
    String words = refused.errorDescription().orElse("").toLowerCase(Locale.ROOT);
    boolean aboutTheRequest = SUBJECT_ERRORS.contains(error);
    if (ClientRefusals.grantTypeRefused(refused)
        || (aboutTheRequest && NOT_ALLOWED_WORDS.stream().anyMatch(words::contains))) {
      return Optional.of(diagnosis(DiagnosisCode.TOKEN_EXCHANGE_NOT_ALLOWED, refused, context));
    }
    if (error.equals("invalid_target")
        || (aboutTheRequest && TARGET_WORDS.stream().anyMatch(words::contains))) {
      return Optional.of(
          diagnosis(DiagnosisCode.TOKEN_EXCHANGE_AUDIENCE_REJECTED, refused, context));
    }
    if (aboutTheRequest) {
      return Optional.of(
          diagnosis(DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED, refused, context));
    }
    return Optional.empty();
  }

  /** Every fact a token exchange's diagnoses draw on; each template names the ones it needs. */
  private static Diagnosis diagnosis(
      DiagnosisCode code, GrantOutcome.Refused refused, FailureContext context) {
    return Diagnosis.of(
        code,
        "clientId",
        context.clientId(),
        "credential",
        context.credentialName(),
        "provider",
        context.providerName(),
        "error",
        refused.error(),
        "errorDescription",
        refused.errorDescription().orElse("none"),
        "afterwards",
        RefreshPolicy.keptGrant(context));
  }
}
