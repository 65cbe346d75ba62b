package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Why an identity provider refused a refresh token with {@code invalid_grant}, as far as Callgate
 * can tell — and no further. What Callgate knows outranks the provider's wording, because wordings
 * are ambiguous (Keycloak's "Session not active" is said of an idle-out and of a logout alike):
 *
 * <ol>
 *   <li>a refresh that never recorded its answer, before the refresh token's known expiry: that
 *       answer was lost ({@link #RESULT_LOST});
 *   <li>passing failures in a row just before, and no known expiry before they began: the grant was
 *       lost during the outage ({@link #LOST_DURING_OUTAGE});
 *   <li>a known expiry that has passed: it expired ({@link #EXPIRED});
 *   <li>a known expiry still ahead: it was revoked ({@link #REVOKED}) — unless only configuration
 *       said so and the provider says it expired (the configured lifetime is too long);
 *   <li>no known expiry: the wording decides when it is clear, and when it is not, Callgate says
 *       that either is possible ({@link #EXPIRED_OR_REVOKED}).
 * </ol>
 */
public enum InvalidGrantCause {
  RESULT_LOST(DiagnosisCode.REFRESH_RESULT_LOST),
  LOST_DURING_OUTAGE(DiagnosisCode.GRANT_LOST_DURING_OUTAGE),
  EXPIRED(DiagnosisCode.REFRESH_TOKEN_EXPIRED),
  REVOKED(DiagnosisCode.REFRESH_TOKEN_REVOKED),
  EXPIRED_OR_REVOKED(DiagnosisCode.REFRESH_TOKEN_EXPIRED_OR_REVOKED);

  /**
   * Clocks differ between Callgate and the provider, and providers round lifetimes: an expiry this
   * close to the refusal counts as passed.
   */
  public static final Duration EXPIRY_TOLERANCE = Duration.ofSeconds(5);

  private final DiagnosisCode code;

  InvalidGrantCause(DiagnosisCode code) {
    this.code = code;
  }

  public DiagnosisCode code() {
    return code;
  }

  /** The cause of an {@code invalid_grant} to a refresh in {@code context}. */
  public static InvalidGrantCause of(FailureContext context, Optional<String> errorDescription) {
    Optional<RefreshTokenExpiry> expiry = context.tokens().flatMap(TokenSet::refreshTokenExpiry);
    boolean knownPassed =
        expiry
            .filter(RefreshTokenExpiry::isKnown)
            .filter(e -> passed(e, context.now()))
            .isPresent();
    if (context.interruptedRefresh().isPresent() && !knownPassed) {
      return RESULT_LOST;
    }
    if (!context.record().failures().isEmpty() && !knownBefore(expiry, context)) {
      return LOST_DURING_OUTAGE;
    }
    if (knownPassed) {
      return EXPIRED;
    }
    RefusalWording wording = RefusalWording.of(errorDescription);
    Optional<RefreshTokenExpiry> known = expiry.filter(RefreshTokenExpiry::isKnown);
    if (known.isPresent()) {
      // a lifetime configured longer than the provider's own ends early, and the provider says so
      boolean configuredTooLong =
          known.get().source() == RefreshTokenExpiry.Source.CONFIGURED
              && wording == RefusalWording.SAYS_EXPIRED;
      // otherwise the token should have lived on: refusing it now is a revocation
      return configuredTooLong ? EXPIRED : REVOKED;
    }
    return switch (wording) {
      case SAYS_EXPIRED -> EXPIRED;
      case SAYS_REVOKED -> REVOKED;
      case AMBIGUOUS, SILENT -> EXPIRED_OR_REVOKED;
    };
  }

  /** Whether {@code expiry} had passed when the streak of failures began: no outage to blame. */
  private static boolean knownBefore(Optional<RefreshTokenExpiry> expiry, FailureContext context) {
    Optional<Instant> firstFailure = context.record().failures().firstAt();
    return expiry
        .filter(RefreshTokenExpiry::isKnown)
        .filter(e -> firstFailure.filter(first -> passed(e, first)).isPresent())
        .isPresent();
  }

  static boolean passed(RefreshTokenExpiry expiry, Instant at) {
    return !expiry.at().isAfter(at.plus(EXPIRY_TOLERANCE));
  }

  static boolean isProviderStated(RefreshTokenExpiry expiry) {
    return switch (expiry.source()) {
      case REPORTED, JWT_CLAIM -> true;
      case CONFIGURED, ASSUMED -> false;
    };
  }
}
