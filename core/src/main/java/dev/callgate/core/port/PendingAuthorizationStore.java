package dev.callgate.core.port;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Authorization flows in progress, each taken at most once (so a state cannot be replayed). */
public interface PendingAuthorizationStore {
  CompletionStage<Void> save(PendingAuthorization pending);

  /** Removes and returns the flow with this state, atomically; empty if unknown or taken. */
  CompletionStage<Optional<PendingAuthorization>> take(String state);
}
