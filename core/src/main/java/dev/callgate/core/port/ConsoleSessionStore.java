package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The console's signed-in browsers, found by the hash of the secret each holds: a restart or
 * another instance of a cluster finds the same sessions. Expiry is the use case's to check; {@link
 * #deleteExpired} clears out the ended ones.
 */
public interface ConsoleSessionStore {
  /** Saves the session and appends {@code events} to the {@link EventLog}, in one transaction. */
  CompletionStage<Void> save(StoredConsoleSession session, List<Event> events);

  CompletionStage<Optional<StoredConsoleSession>> find(String secretHash);

  /**
   * Deletes the session; {@code events} are appended, in the same transaction, if it existed. True
   * when it existed.
   */
  CompletionStage<Boolean> delete(String secretHash, List<Event> events);

  /** Deletes every session whose expiry is at or before {@code now}; returns how many went. */
  CompletionStage<Long> deleteExpired(Instant now);
}
