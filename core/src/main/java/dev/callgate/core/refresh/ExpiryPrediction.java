package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What Callgate knows about a token that its stored state does not say yet: a refresh token whose
 * known expiry has passed (reported by the provider, read from its {@code exp}, or configured) is
 * dead even if nobody has asked the provider since — a credential without keep-alive, idle past
 * that expiry, would otherwise look {@code ACTIVE}; and an authorization that brought no refresh
 * token ends when its access token expires. The prediction is marked as such, with its time: the
 * provider's next answer is what settles it.
 */
public record ExpiryPrediction(TokenState state, Instant since, Diagnosis diagnosis) {

  public ExpiryPrediction {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(diagnosis, "diagnosis");
  }

  /**
   * The prediction for {@code record} at {@code now}, for a credential refreshed by {@code grant}
   * with {@code keepAlive}, from provider {@code providerName}; empty when the stored state tells
   * the truth as far as Callgate knows.
   */
  public static Optional<ExpiryPrediction> of(
      TokenRecord record, GrantType grant, boolean keepAlive, String providerName, Instant now) {
    if (!record.state().keepsGrant() || record.tokens().isEmpty()) {
      return Optional.empty();
    }
    TokenSet tokens = record.tokens().get();
    if (grant == GrantType.REFRESH_TOKEN && tokens.refreshToken().isEmpty()) {
      if (!tokens.isAccessTokenExpiredAt(now)) {
        return Optional.empty();
      }
      Diagnosis noRefreshToken = RefreshGate.noRefreshToken(record);
      return Optional.of(
          new ExpiryPrediction(TokenState.NEEDS_AUTHORIZATION, tokens.expiresAt(), noRefreshToken));
    }
    Optional<RefreshTokenExpiry> known =
        tokens.refreshTokenExpiry().filter(RefreshTokenExpiry::isKnown);
    if (known.isEmpty() || known.get().at().isAfter(now)) {
      return Optional.empty();
    }
    Instant expiredAt = known.get().at();
    Instant lastUsed = tokens.issuedAt();
    Diagnosis expired =
        RefreshPolicy.refreshTokenExpired(
            "its known expiry at "
                + RefreshPolicy.format(expiredAt)
                + " has passed (predicted: Callgate has not asked the identity provider since)",
            "that expiry",
            RefreshPolicy.format(lastUsed),
            RefreshPolicy.humanDuration(Duration.between(lastUsed, expiredAt)),
            RefreshPolicy.knownLifetime(record.tokens()),
            ExpiryCause.of(record, keepAlive, false),
            record.key().credentialName(),
            providerName);
    return Optional.of(new ExpiryPrediction(TokenState.NEEDS_AUTHORIZATION, expiredAt, expired));
  }
}
