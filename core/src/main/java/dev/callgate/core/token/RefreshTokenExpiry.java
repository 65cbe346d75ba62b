package dev.callgate.core.token;

import java.time.Instant;
import java.util.Objects;

/**
 * When a refresh token stops working, and how Callgate knows: reported by the provider ({@code
 * refresh_expires_in} / {@code refresh_token_expires_in}), read from the {@code exp} claim of a JWT
 * refresh token, configured on the provider, or assumed because nothing said (a conservative guess
 * that keeps an otherwise unknown refresh token alive).
 */
public record RefreshTokenExpiry(Instant at, Source source) {

  public enum Source {
    REPORTED,
    JWT_CLAIM,
    CONFIGURED,
    ASSUMED
  }

  public RefreshTokenExpiry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(source, "source");
  }

  /** Whether the provider itself told us (as opposed to configuration or a guess). */
  public boolean isKnown() {
    return switch (source) {
      case REPORTED, JWT_CLAIM, CONFIGURED -> true;
      case ASSUMED -> false;
    };
  }
}
