package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device authorization request (RFC 8628 §3.1) came to: the provider's answer (§3.2), or the
 * {@link GrantOutcome} that says why there is none (an OAuth error, no usable answer, or a
 * configuration that forbade asking).
 */
public sealed interface DeviceAuthorizationOutcome {

  /**
   * The codes issued: {@code deviceCode} is Callgate's to poll with and never shown; {@code
   * userCode} and the verification URIs are for the person; {@code interval} is absent when the
   * provider gave none (RFC 8628 §3.2: then 5 seconds).
   */
  record Issued(
      Secret deviceCode,
      String userCode,
      URI verificationUri,
      Optional<URI> verificationUriComplete,
      Duration expiresIn,
      Optional<Duration> interval)
      implements DeviceAuthorizationOutcome {
    public Issued {
      Objects.requireNonNull(deviceCode, "deviceCode");
      Objects.requireNonNull(userCode, "userCode");
      Objects.requireNonNull(verificationUri, "verificationUri");
      Objects.requireNonNull(verificationUriComplete, "verificationUriComplete");
      Objects.requireNonNull(expiresIn, "expiresIn");
      Objects.requireNonNull(interval, "interval");
    }
  }

  /** No codes: {@code outcome} is {@code Refused}, {@code Failed} or {@code Misconfigured}. */
  record NotIssued(GrantOutcome outcome) implements DeviceAuthorizationOutcome {
    public NotIssued {
      Objects.requireNonNull(outcome, "outcome");
      if (outcome instanceof GrantOutcome.Granted) {
        throw new IllegalArgumentException("a granted outcome issues codes");
      }
    }
  }
}
