package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A device authorization (RFC 8628) between its start and the provider's last answer: for which
 * token, the {@code deviceCode} Callgate polls with (a secret), what the person needs (the {@code
 * userCode} and where to enter it), the scopes asked for, until when the provider accepts the code,
 * how long Callgate waits between polls ({@code interval}, grown by every {@code slow_down}) and
 * when it polls next. {@code id} tells it from the one that replaces it for the same token.
 */
public record DeviceAuthorization(
    String id,
    TokenKey tokenKey,
    Secret deviceCode,
    String userCode,
    URI verificationUri,
    Optional<URI> verificationUriComplete,
    List<String> requestedScopes,
    Instant createdAt,
    Instant expiresAt,
    Duration interval,
    Instant nextPollAt,
    boolean identityChangeAllowed) {

  /** RFC 8628 §3.2: the interval when the provider gives none. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  /** RFC 8628 §3.5: what every {@code slow_down} adds to the interval, for all later polls. */
  public static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);

  public DeviceAuthorization {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tokenKey, "tokenKey");
    Objects.requireNonNull(deviceCode, "deviceCode");
    Objects.requireNonNull(userCode, "userCode");
    Objects.requireNonNull(verificationUri, "verificationUri");
    Objects.requireNonNull(verificationUriComplete, "verificationUriComplete");
    requestedScopes = List.copyOf(requestedScopes);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(nextPollAt, "nextPollAt");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the polling interval must be positive");
    }
  }

  /** The provider answered {@code authorization_pending}: poll again one interval from now. */
  public DeviceAuthorization pollAgain(Instant now) {
    return withInterval(interval, now.plus(interval));
  }

  /**
   * The provider answered {@code slow_down}: the interval grows by {@link #SLOW_DOWN_STEP} for this
   * and every later poll (RFC 8628 §3.5).
   */
  public DeviceAuthorization slowedDown(Instant now) {
    Duration longer = interval.plus(SLOW_DOWN_STEP);
    return withInterval(longer, now.plus(longer));
  }

  /**
   * No usable answer: poll again after the interval, or after {@code atLeast} if that is longer.
   */
  public DeviceAuthorization retryLater(Instant now, Optional<Duration> atLeast) {
    Duration wait = atLeast.filter(w -> w.compareTo(interval) > 0).orElse(interval);
    return withInterval(interval, now.plus(wait));
  }

  /** Whether the provider no longer accepts the device code. */
  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  private DeviceAuthorization withInterval(Duration newInterval, Instant next) {
    return new DeviceAuthorization(
        id,
        tokenKey,
        deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete,
        requestedScopes,
        createdAt,
        expiresAt,
        newInterval,
        next,
        identityChangeAllowed);
  }

  @Override
  public String toString() {
    return "DeviceAuthorization[id="
        + id
        + ", token="
        + tokenKey
        + ", expiresAt="
        + expiresAt
        + ", interval="
        + interval
        + "]";
  }
}
