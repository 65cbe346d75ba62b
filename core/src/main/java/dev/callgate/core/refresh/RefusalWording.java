package dev.callgate.core.refresh;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What an identity provider's {@code error_description} says about a refused refresh token, read
 * cautiously: some wordings name an expiry ("Token is not active", "expired"), some a revocation
 * ("revoked", "logged out", "Stale token"), some cannot tell them apart — Keycloak's "Session not
 * active" means both an idled-out session and one an administrator ended — and many say nothing
 * ("grant request is invalid").
 */
public enum RefusalWording {
  SAYS_EXPIRED,
  SAYS_REVOKED,
  AMBIGUOUS,
  SILENT;

  // Checked in this order: "token is not active" is an expiry, "session not active" is not.
  private static final List<String> EXPIRED =
      List.of("token is not active", "expired", "expiry", "idle", "timed out", "timeout");
  private static final List<String> REVOKED =
      List.of("revoked", "logged out", "logout", "consent", "stale", "reuse", "already used");
  private static final List<String> AMBIGUOUS_WORDS = List.of("not active", "inactive");

  public static RefusalWording of(Optional<String> errorDescription) {
    String text = errorDescription.orElse("").toLowerCase(Locale.ROOT);
    if (EXPIRED.stream().anyMatch(text::contains)) {
      return SAYS_EXPIRED;
    }
    if (REVOKED.stream().anyMatch(text::contains)) {
      return SAYS_REVOKED;
    }
    if (AMBIGUOUS_WORDS.stream().anyMatch(text::contains)) {
      return AMBIGUOUS;
    }
    return SILENT;
  }
}
