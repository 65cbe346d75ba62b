package dev.callgate.core.service;

import dev.callgate.core.port.DeviceAuthorization;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a person needs to finish a device authorization (RFC 8628 §3.3): the user code, where to
 * enter it (and the URI that carries it, where the provider gives one), until when, and how often
 * Callgate asks the provider meanwhile. The device code is not part of it: it stays Callgate's.
 */
public record DeviceVerification(
    String userCode,
    URI verificationUri,
    Optional<URI> verificationUriComplete,
    Instant expiresAt,
    Duration interval) {

  public DeviceVerification {
    Objects.requireNonNull(userCode, "userCode");
    Objects.requireNonNull(verificationUri, "verificationUri");
    Objects.requireNonNull(verificationUriComplete, "verificationUriComplete");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(interval, "interval");
  }

  static DeviceVerification of(DeviceAuthorization authorization) {
    return new DeviceVerification(
        authorization.userCode(),
        authorization.verificationUri(),
        authorization.verificationUriComplete(),
        authorization.expiresAt(),
        authorization.interval());
  }
}
