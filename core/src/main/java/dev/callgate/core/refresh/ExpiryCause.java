package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import java.util.Optional;

/**
 * Why a refresh token expired although Callgate keeps refresh tokens alive, so that the remedy
 * names the real cause: keep-alive was off for the credential; the token had reached an absolute
 * lifetime that refreshing does not extend; its lifetime was only assumed (the provider reports
 * none and none is configured) and was shorter; it was configured longer than the provider's; or
 * Callgate, knowing the lifetime, did not refresh in time (it or its store was down).
 */
public enum ExpiryCause {
  KEEP_ALIVE_OFF(
      "keepAlive is off for credential '%1$s', so Callgate did not refresh the refresh token while"
          + " nobody called the API.",
      "Turn keepAlive on (PUT /v1/credentials/%1$s with \"keepAlive\": true), so that Callgate"
          + " refreshes before the refresh token idles out."),
  ABSOLUTE_LIFETIME(
      "The identity provider had stopped extending it: it reached its absolute lifetime (a"
          + " maximum session), which no refresh extends.",
      "Raise the maximum session or refresh-token lifetime at the identity provider (Keycloak:"
          + " SSO Session Max, or Offline Session Max), or authorize again before it ends."),
  LIFETIME_ASSUMED(
      "The identity provider does not report how long its refresh tokens live and provider '%2$s'"
          + " has no refreshTokenLifetime, so Callgate assumed a lifetime, which was longer than"
          + " the identity provider's.",
      "Set refreshTokenLifetime on provider '%2$s' (PUT /v1/providers/%2$s) to the identity"
          + " provider's idle lifetime of refresh tokens, so that Callgate refreshes in time."),
  CONFIGURED_TOO_LONG(
      "It ended before the refreshTokenLifetime configured on provider '%2$s': the identity"
          + " provider's lifetime is shorter.",
      "Set refreshTokenLifetime on provider '%2$s' (PUT /v1/providers/%2$s) to the identity"
          + " provider's actual idle lifetime of refresh tokens, or shorter."),
  NOT_REFRESHED_IN_TIME(
      "Callgate knew its expiry but did not refresh it in time: Callgate, or its store, was not"
          + " running or could not reach it then.",
      "Keep Callgate and its store running without long breaks, and watch callgate_tokens_overdue"
          + " for refreshes the scheduler does not keep up with.");

  private final String cause;
  private final String advice;

  ExpiryCause(String cause, String advice) {
    this.cause = cause;
    this.advice = advice;
  }

  /** What went wrong, for the diagnosis's message. */
  public String cause(String credential, String provider) {
    return String.format(cause, credential, provider);
  }

  /** What to do so it does not happen again, for the diagnosis's remedy. */
  public String advice(String credential, String provider) {
    return String.format(advice, credential, provider);
  }

  /**
   * The cause for {@code record} of a credential with {@code keepAlive}, whose refresh token the
   * provider refused as expired ({@code refused}) or whose known expiry passed.
   */
  public static ExpiryCause of(
      TokenRecord record, boolean keepAlive, boolean refusedBeforeKnownExpiry) {
    if (!keepAlive) {
      return KEEP_ALIVE_OFF;
    }
    if (record.diagnoses().stream()
        .anyMatch(d -> d.code() == DiagnosisCode.REFRESH_TOKEN_EXPIRING)) {
      return ABSOLUTE_LIFETIME;
    }
    Optional<RefreshTokenExpiry.Source> source =
        record.tokens().flatMap(TokenSet::refreshTokenExpiry).map(RefreshTokenExpiry::source);
    if (source.isEmpty() || source.get() == RefreshTokenExpiry.Source.ASSUMED) {
      return LIFETIME_ASSUMED;
    }
    if (source.get() == RefreshTokenExpiry.Source.CONFIGURED && refusedBeforeKnownExpiry) {
      return CONFIGURED_TOO_LONG;
    }
    return NOT_REFRESHED_IN_TIME;
  }
}
