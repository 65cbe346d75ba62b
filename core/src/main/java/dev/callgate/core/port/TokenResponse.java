package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful token-endpoint answer (RFC 6749 §5.1) as the adapter read it: the access token and
 * its type, {@code expires_in} if sent, a refresh token if issued, the refresh token's lifetime
 * from {@code refresh_expires_in} or {@code refresh_token_expires_in} if sent, the {@code exp} of a
 * JWT refresh token if it is one, and the granted {@code scope} if sent (absent: as requested).
 */
public record TokenResponse(
    Secret accessToken,
    String tokenType,
    Optional<Duration> expiresIn,
    Optional<Secret> refreshToken,
    Optional<Duration> refreshExpiresIn,
    Optional<Instant> refreshTokenJwtExpiry,
    Optional<List<String>> scope) {

  public TokenResponse {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(tokenType, "tokenType");
  }
}
