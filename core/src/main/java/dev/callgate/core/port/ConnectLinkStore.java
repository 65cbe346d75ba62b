package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Connect links, found by the hash of their token. A link is claimed at most once: of any number of
 * concurrent claims, in one instance or across a cluster, exactly one wins.
 */
public interface ConnectLinkStore {

  /** Saves a new link and appends {@code events} to the {@link EventLog}, in one transaction. */
  CompletionStage<Void> save(ConnectLink link, List<Event> events);

  /** The link with this token hash, used or not; empty if unknown. */
  CompletionStage<Optional<ConnectLink>> find(FlowHash tokenHash);

  /**
   * Marks the link used at {@code usedAt} if nobody has, atomically, appending {@code events} in
   * the same transaction when this claim wins; returns the link as stored with whether it was
   * already used (then nothing was written), or empty if unknown.
   */
  CompletionStage<Optional<ConnectLinkClaim>> claim(
      FlowHash tokenHash, Instant usedAt, List<Event> events);

  /** Removes the links that expired, or were used, before {@code before}; returns how many. */
  CompletionStage<Long> purge(Instant before);
}
