package dev.callgate.adapter.idp;

import dev.callgate.adapter.http.OutboundAddressRefusedException;
import dev.callgate.adapter.http.TlsHandshakeFailures;
import dev.callgate.core.port.GrantOutcome;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Turns a failed HTTP exchange into a {@link GrantOutcome}. Reasons are written here, not copied
 * from exception messages, so that they name only the host and never a URL's query.
 */
final class TransportFailures {

  private TransportFailures() {}

  /**
   * The outcome of an exchange that failed: {@link GrantOutcome.Misconfigured} when the outbound
   * address policy refused the provider's address (retrying cannot help), else a {@link
   * GrantOutcome.Failed}; an answer larger than the limit is an invalid response.
   */
  static GrantOutcome toOutcome(Throwable failure, URI endpoint, IdentityProviderOptions options) {
    OutboundAddressRefusedException refused = find(failure, OutboundAddressRefusedException.class);
    if (refused != null) {
      return new GrantOutcome.Misconfigured(refused.diagnosis());
    }
    BoundedBody.ResponseTooLargeException tooLarge =
        find(failure, BoundedBody.ResponseTooLargeException.class);
    if (tooLarge != null) {
      return new GrantOutcome.Failed(
          GrantOutcome.Failure.INVALID_RESPONSE,
          host(endpoint)
              + " answered with more than "
              + tooLarge.limit()
              + " bytes, the most Callgate reads from an identity provider"
              + " (CALLGATE_PROVIDER_MAX_RESPONSE_BYTES)",
          Optional.empty(),
          Optional.empty());
    }
    return toFailed(failure, endpoint, options.requestTimeout());
  }

  /** A reason for people from any failed outcome, as a revocation reports it. */
  static String reason(GrantOutcome outcome) {
    if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
      return misconfigured.diagnosis().message();
    }
    return outcome instanceof GrantOutcome.Failed failed ? failed.reason() : outcome.toString();
  }

  private static String host(URI endpoint) {
    return endpoint.getHost() + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static GrantOutcome.Failed toFailed(Throwable failure, URI endpoint, Duration timeout) {
    String host = host(endpoint);
    if (isTimeout(failure)) {
      return new GrantOutcome.Failed(
          GrantOutcome.Failure.TIMEOUT,
          "no answer from " + host + " within " + timeout.toMillis() + " ms",
          Optional.empty(),
          Optional.empty());
    }
    return new GrantOutcome.Failed(
        GrantOutcome.Failure.UNREACHABLE,
        "could not reach " + host + " (" + kind(failure) + ")",
        Optional.empty(),
        Optional.empty());
  }

  private static boolean isTimeout(Throwable failure) {
    // Vert.x reports a request timeout with its NoStackTraceTimeoutException, which is not public.
    return failure instanceof ConnectTimeoutException
        || failure instanceof TimeoutException
        || failure.getClass().getSimpleName().contains("TimeoutException");
  }

  private static String kind(Throwable failure) {
    if (failure instanceof UnknownHostException) {
      return "unknown host";
    }
    if (failure instanceof NoRouteToHostException) {
      return "no route to host";
    }
    if (failure instanceof ConnectException) {
      return "connection refused";
    }
    if (failure instanceof HttpClosedException) {
      return "connection closed before an answer";
    }
    Optional<String> tls = TlsHandshakeFailures.reason(failure);
    if (tls.isPresent()) {
      return tls.get();
    }
    String message = String.valueOf(failure.getMessage());
    if (message.contains("reset")) {
      return "connection reset";
    }
    return failure.getClass().getSimpleName();
  }
}
