package dev.callgate.adapter.http;

import dev.callgate.core.port.CalloutTransport.Unreachable;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Turns an I/O failure into a short reason a person understands. Exception messages are never
 * copied: they can carry the request's URI or other details that do not belong in a diagnosis.
 */
final class UnreachableReasons {

  private UnreachableReasons() {}

  /** The connection could not be opened (or taken from the pool). */
  static Unreachable whileConnecting(Throwable failure, CalloutTransportOptions options) {
    return whileConnecting(failure, options, false);
  }

  /** As above, for a connection that presented a client certificate or none. */
  static Unreachable whileConnecting(
      Throwable failure, CalloutTransportOptions options, boolean certificatePresented) {
    if (isTimeout(failure)) {
      return new Unreachable("could not connect within " + human(options.connectTimeout()), true);
    }
    if (find(failure, UnknownHostException.class) != null) {
      return new Unreachable("unknown host", false);
    }
    Optional<String> tls = TlsHandshakeFailures.reason(failure, certificatePresented);
    if (tls.isPresent()) {
      return new Unreachable(tls.get(), false);
    }
    if (find(failure, NoRouteToHostException.class) != null) {
      return new Unreachable("no route to host", false);
    }
    if (find(failure, ConnectException.class) != null) {
      return new Unreachable("connection refused", false);
    }
    return closedOrFailed(failure, "could not connect");
  }

  /** The request was sent (or being sent) and the answer's head did not come. */
  static Unreachable whileExchanging(Throwable failure, CalloutTransportOptions options) {
    return whileExchanging(failure, options, false);
  }

  /** As above, for a connection that presented a client certificate or none. */
  static Unreachable whileExchanging(
      Throwable failure, CalloutTransportOptions options, boolean certificatePresented) {
    if (isTimeout(failure)) {
      return new Unreachable("timed out after " + human(options.responseTimeout()), true);
    }
    Optional<String> tls = TlsHandshakeFailures.reason(failure, certificatePresented);
    if (tls.isPresent()) {
      return new Unreachable(tls.get(), false);
    }
    return closedOrFailed(failure, "the exchange with the target failed");
  }

  /** The caller's request body failed while it was being sent; the request was abandoned. */
  static Unreachable requestBodyBrokeOff() {
    return new Unreachable(
        "the caller's request body broke off, so the request was abandoned before it was complete",
        false);
  }

  /**
   * The head of an answer read whole (a 401/403 for the classifier, or a small one) came, its body
   * did not.
   */
  static Unreachable whileReadingAnswer(Throwable failure) {
    if (isTimeout(failure)) {
      return new Unreachable("timed out while reading the answer", true);
    }
    return closedOrFailed(failure, "the answer could not be read");
  }

  private static Unreachable closedOrFailed(Throwable failure, String otherwise) {
    if (find(failure, HttpClosedException.class) != null
        || find(failure, StreamResetException.class) != null) {
      return new Unreachable("connection closed by the target before it answered", false);
    }
    if (find(failure, IOException.class) != null) {
      return new Unreachable("connection reset", false);
    }
    return new Unreachable(otherwise, false);
  }

  private static boolean isTimeout(Throwable failure) {
    return find(failure, TimeoutException.class) != null
        || find(failure, io.netty.channel.ConnectTimeoutException.class) != null;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** "2 s", "1 min", "300 ms". */
  static String human(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 60_000 == 0) {
      return millis / 60_000 + " min";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + " s";
    }
    return millis + " ms";
  }
}
