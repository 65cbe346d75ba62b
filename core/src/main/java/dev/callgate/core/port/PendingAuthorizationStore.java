package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Authorization flows in progress, found by the hash of their state: each is bound to a browser at
 * most once, and taken at most once (so a state cannot be replayed).
 */
public interface PendingAuthorizationStore {
  default CompletionStage<Void> save(PendingAuthorization pending) {
    return save(pending, List.of());
  }

  /** Saves the flow and appends {@code events} to the {@link EventLog}, in one transaction. */
  CompletionStage<Void> save(PendingAuthorization pending, List<Event> events);

  /**
   * Records {@code browserBinding} on the flow with this state hash if it has none yet, atomically,
   * and returns the flow as bound; empty if unknown, taken, or bound to a browser already.
   */
  CompletionStage<Optional<PendingAuthorization>> bind(FlowHash stateHash, FlowHash browserBinding);

  /** Removes and returns the flow with this state hash, atomically; empty if unknown or taken. */
  CompletionStage<Optional<PendingAuthorization>> take(FlowHash stateHash);
}
