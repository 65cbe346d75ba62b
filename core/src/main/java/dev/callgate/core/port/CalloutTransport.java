package dev.callgate.core.port;

import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Sends a callout to its target. Whatever the target answers is {@link Sent}; a target that cannot
 * be reached or does not answer in time is {@link Unreachable}; a callout that was not even tried
 * because all of its credential's connections to the target are busy and too many callouts already
 * wait for one is {@link ConnectionLimitReached}; one whose address Callgate may not connect to is
 * {@link Refused}: all are values.
 */
public interface CalloutTransport {

  CompletionStage<TransportOutcome> send(OutboundRequest request);

  sealed interface TransportOutcome {}

  record Sent(CalloutResponse response) implements TransportOutcome {
    public Sent {
      Objects.requireNonNull(response, "response");
    }
  }

  /**
   * The credential's connections to the target are all in use ({@code maxConnections}) and {@code
   * maxWaiting} callouts already wait for one: nothing was sent.
   */
  record ConnectionLimitReached(int maxConnections, int maxWaiting) implements TransportOutcome {}

  /** The outbound address policy refused the target's address; nothing was sent. */
  record Refused(Diagnosis diagnosis) implements TransportOutcome {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }

  /** {@code reason} for people: "connection refused", "timed out after 30 s"… */
  record Unreachable(String reason, boolean timedOut) implements TransportOutcome {
    public Unreachable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
