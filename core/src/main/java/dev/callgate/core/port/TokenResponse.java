package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.ProviderIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful token-endpoint answer (RFC 6749 §5.1) as the adapter read it: the access token and
 * its type, {@code expires_in} if sent, a refresh token if issued, the refresh token's lifetime
 * from {@code refresh_expires_in} or {@code refresh_token_expires_in} if sent, the {@code exp} of a
 * JWT refresh token if it is one, the granted {@code scope} if sent (absent: as requested), and
 * whose grant it is at the provider, from the claims of the ID token (or of a JWT refresh token),
 * read without checking signatures: the answer came straight from the token endpoint over the
 * connection Callgate opened (OpenID Connect Core §3.1.3.7).
 */
public record TokenResponse(
    Secret accessToken,
    String tokenType,
    Optional<Duration> expiresIn,
    Optional<Secret> refreshToken,
    Optional<Duration> refreshExpiresIn,
    Optional<Instant> refreshTokenJwtExpiry,
    Optional<List<String>> scope,
    Optional<ProviderIdentity> identity) {

  public TokenResponse {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(tokenType, "tokenType");
    Objects.requireNonNull(identity, "identity");
  }
}
