package dev.callgate.core.refresh;

import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import java.util.List;
import java.util.Locale;

/**
 * A token endpoint refusing Callgate's client rather than a grant: its authentication ({@code
 * invalid_client}, or what Keycloak answers a wrong secret with — 401 {@code unauthorized_client}
 * "Invalid client or Invalid client credentials"), or a grant type it may not use. The diagnoses
 * are the same whether a refresh, an authorization or a provider check met the refusal; {@code
 * afterwards} says what follows the fix in each case.
 */
public final class ClientRefusals {
  // Keycloak answers 401 unauthorized_client for a client without service accounts too ("Client
  // not enabled to retrieve service account"): only its words tell the two apart
  private static final List<String> AUTHENTICATION_WORDS =
      List.of("invalid client", "client credentials", "authenticat", "client secret");

  private ClientRefusals() {}

  /** Whether the provider refused the client's authentication (not merely a grant type). */
  public static boolean authenticationFailed(GrantOutcome.Refused refused) {
    if (refused.error().equals("invalid_client")) {
      return true;
    }
    String description = refused.errorDescription().orElse("").toLowerCase(Locale.ROOT);
    return refused.httpStatus() == 401
        && refused.error().equals("unauthorized_client")
        && AUTHENTICATION_WORDS.stream().anyMatch(description::contains);
  }

  /** Whether the provider refused the grant type for the client. */
  public static boolean grantTypeRefused(GrantOutcome.Refused refused) {
    return !authenticationFailed(refused)
        && (refused.error().equals("unauthorized_client")
            || refused.error().equals("unsupported_grant_type"));
  }

  /** {@code method}: how the client authenticated, so that the remedy names what proves it. */
  public static Diagnosis authenticationFailed(
      GrantOutcome.Refused refused,
      String clientId,
      String providerName,
      ClientAuthMethod method,
      String afterwards) {
    return Diagnosis.of(
        DiagnosisCode.CLIENT_AUTH_FAILED,
        "clientId",
        clientId,
        "error",
        refused.error(),
        "errorDescription",
        refused.errorDescription().orElse("none"),
        "provider",
        providerName,
        "clientProof",
        method.whatProvesTheClient(),
        "afterwards",
        afterwards);
  }

  public static Diagnosis grantTypeNotAllowed(
      GrantOutcome.Refused refused,
      String clientId,
      String providerName,
      String grantType,
      String afterwards) {
    return Diagnosis.of(
        DiagnosisCode.GRANT_TYPE_NOT_ALLOWED,
        "clientId",
        clientId,
        "grantType",
        grantType,
        "error",
        refused.error(),
        "errorDescription",
        refused.errorDescription().orElse("none"),
        "provider",
        providerName,
        "afterwards",
        afterwards);
  }
}
