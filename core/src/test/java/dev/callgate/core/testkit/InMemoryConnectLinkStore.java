package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.ConnectLink;
import dev.callgate.core.port.ConnectLinkClaim;
import dev.callgate.core.port.ConnectLinkStore;
import dev.callgate.core.port.FlowHash;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ConnectLinkStore} in memory: a claim marks the link used under the store's lock, so of
 * racing claims one wins, and appends its events to the {@link InMemoryEventLog} only then.
 */
public final class InMemoryConnectLinkStore implements ConnectLinkStore {
  private final ConcurrentMap<FlowHash, ConnectLink> links = new ConcurrentHashMap<>();
  private final InMemoryEventLog eventLog;

  public InMemoryConnectLinkStore() {
    this(new InMemoryEventLog());
  }

  /** A store whose writes append their events to {@code eventLog}. */
  public InMemoryConnectLinkStore(InMemoryEventLog eventLog) {
    this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
  }

  @Override
  public synchronized CompletionStage<Void> save(ConnectLink link, List<Event> events) {
    links.put(link.tokenHash(), link);
    eventLog.record(events);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Optional<ConnectLink>> find(FlowHash tokenHash) {
    return CompletableFuture.completedFuture(Optional.ofNullable(links.get(tokenHash)));
  }

  @Override
  public synchronized CompletionStage<Optional<ConnectLinkClaim>> claim(
      FlowHash tokenHash, Instant usedAt, List<Event> events) {
    ConnectLink link = links.get(tokenHash);
    if (link == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (link.usedAt().isPresent()) {
      return CompletableFuture.completedFuture(Optional.of(new ConnectLinkClaim(link, true)));
    }
    ConnectLink used = link.usedAt(usedAt);
    links.put(tokenHash, used);
    eventLog.record(events);
    return CompletableFuture.completedFuture(Optional.of(new ConnectLinkClaim(used, false)));
  }

  @Override
  public synchronized CompletionStage<Long> purge(Instant before) {
    long[] purged = {0};
    links
        .values()
        .removeIf(
            link -> {
              boolean spent =
                  link.expiresAt().isBefore(before)
                      || link.usedAt().filter(at -> at.isBefore(before)).isPresent();
              purged[0] += spent ? 1 : 0;
              return spent;
            });
    return CompletableFuture.completedFuture(purged[0]);
  }
}
