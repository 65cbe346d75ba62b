package dev.callgate.core.token;

import dev.callgate.core.credential.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The tokens one grant produced: the access token with its type and expiry, the refresh token (if
 * the provider issued one) with its expiry (if known or assumed), the scopes actually granted, and
 * when the set was issued. {@code expiresAt} is always set: a response without {@code expires_in}
 * gets the policy's maximum lifetime, so such a token is still refreshed in time.
 */
public record TokenSet(
    Secret accessToken,
    String tokenType,
    Instant issuedAt,
    Instant expiresAt,
    Optional<Secret> refreshToken,
    Optional<RefreshTokenExpiry> refreshTokenExpiry,
    List<String> scope) {

  public TokenSet {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(tokenType, "tokenType");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    scope = List.copyOf(scope);
    if (expiresAt.isBefore(issuedAt)) {
      throw new IllegalArgumentException("a token cannot expire before it is issued");
    }
    if (refreshToken.isEmpty() && refreshTokenExpiry.isPresent()) {
      throw new IllegalArgumentException("a refresh-token expiry needs a refresh token");
    }
  }

  public Duration accessTokenLifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  public boolean hasRefreshToken() {
    return refreshToken.isPresent();
  }

  public Optional<Instant> refreshTokenExpiresAt() {
    return refreshTokenExpiry.map(RefreshTokenExpiry::at);
  }

  /** Expired at {@code now} once {@code now} is not before {@code expiresAt}. */
  public boolean isAccessTokenExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
