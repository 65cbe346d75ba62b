package dev.callgate.adapter.idp;

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
 * Turns a failed HTTP exchange into a {@link GrantOutcome.Failure}. Reasons are written here, not
 * copied from exception messages, so that they name only the host and never a URL's query.
 */
final class TransportFailures {

  private TransportFailures() {}

  static GrantOutcome.Failed toFailed(Throwable failure, URI endpoint, Duration timeout) {
    String host = endpoint.getHost() + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
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
    String message = String.valueOf(failure.getMessage());
    if (message.contains("reset")) {
      return "connection reset";
    }
    return failure.getClass().getSimpleName();
  }
}
