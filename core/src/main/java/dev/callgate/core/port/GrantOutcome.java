package dev.callgate.core.port;

import dev.callgate.core.diagnosis.Diagnosis;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a call to the token endpoint came to: tokens, an OAuth error response from the provider (RFC
 * 6749 §5.2), a failure to get a usable answer at all, or a configuration that forbade asking. The
 * refresh policy decides which of these are final and which may pass.
 */
public sealed interface GrantOutcome {

  record Granted(TokenResponse response) implements GrantOutcome {
    public Granted {
      Objects.requireNonNull(response, "response");
    }
  }

  /** The provider answered with an OAuth error, e.g. {@code invalid_grant}. */
  record Refused(String error, Optional<String> errorDescription, int httpStatus)
      implements GrantOutcome {
    public Refused {
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(errorDescription, "errorDescription");
    }
  }

  /** No usable answer; {@code reason} is for people and never holds a secret. */
  record Failed(
      Failure failure, String reason, Optional<Integer> httpStatus, Optional<Duration> retryAfter)
      implements GrantOutcome {
    public Failed {
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Nothing usable was sent, through no fault of the network: the provider's configuration or its
   * metadata breaks a rule (an endpoint that is not https, a document for another issuer) or the
   * outbound address policy refuses its address. It stays so until the configuration changes.
   */
  record Misconfigured(Diagnosis diagnosis) implements GrantOutcome {
    public Misconfigured {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }

  /**
   * What a call to an identity-provider adapter came to: its outcome, or, when the stage failed (a
   * defect or a crash in the adapter, which reports expected failures as values), a failure that
   * may pass, so that a token backs off rather than stays stuck.
   */
  static GrantOutcome ofCall(GrantOutcome outcome, Throwable failure) {
    return failure == null
        ? outcome
        : new Failed(
            Failure.UNREACHABLE,
            "the identity-provider client failed: " + failure.getClass().getSimpleName(),
            Optional.empty(),
            Optional.empty());
  }

  enum Failure {
    /** Connection refused, reset, or the name did not resolve. */
    UNREACHABLE,
    TIMEOUT,
    /** HTTP 5xx without an OAuth error body. */
    SERVER_ERROR,
    /** HTTP 429. */
    RATE_LIMITED,
    /** Not an OAuth 2.0 response: HTML, non-JSON, or JSON without the required fields. */
    INVALID_RESPONSE
  }
}
