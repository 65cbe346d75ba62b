package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.token.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link DeviceAuthorizationStore} in memory: one authorization per token, claims that lapse at
 * their lease's end, every method under one lock.
 */
public final class InMemoryDeviceAuthorizationStore implements DeviceAuthorizationStore {

  private record Entry(DeviceAuthorization authorization, Optional<Instant> claimedUntil) {}

  private final Map<TokenKey, Entry> entries = new HashMap<>();
  private final InMemoryEventLog eventLog;

  public InMemoryDeviceAuthorizationStore(InMemoryEventLog eventLog) {
    this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
  }

  @Override
  public synchronized CompletionStage<Void> save(
      DeviceAuthorization authorization, List<Event> events) {
    entries.put(authorization.tokenKey(), new Entry(authorization, Optional.empty()));
    eventLog.record(events);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<Optional<DeviceAuthorization>> find(TokenKey key) {
    return CompletableFuture.completedFuture(
        Optional.ofNullable(entries.get(key)).map(Entry::authorization));
  }

  @Override
  public synchronized CompletionStage<List<DeviceAuthorization>> claimDue(
      Instant now, Duration lease, int limit) {
    List<DeviceAuthorization> claimed = new ArrayList<>();
    entries.values().stream()
        .filter(e -> !e.authorization().nextPollAt().isAfter(now))
        .filter(e -> e.claimedUntil().map(until -> !until.isAfter(now)).orElse(true))
        .sorted(Comparator.comparing(e -> e.authorization().nextPollAt()))
        .limit(limit)
        .toList()
        .forEach(
            e -> {
              entries.put(
                  e.authorization().tokenKey(),
                  new Entry(e.authorization(), Optional.of(now.plus(lease))));
              claimed.add(e.authorization());
            });
    return CompletableFuture.completedFuture(claimed);
  }

  @Override
  public synchronized CompletionStage<Boolean> reschedule(DeviceAuthorization authorization) {
    Entry current = entries.get(authorization.tokenKey());
    boolean same = current != null && current.authorization().id().equals(authorization.id());
    if (same) {
      entries.put(authorization.tokenKey(), new Entry(authorization, Optional.empty()));
    }
    return CompletableFuture.completedFuture(same);
  }

  @Override
  public synchronized CompletionStage<Boolean> remove(String id) {
    boolean removed = entries.values().removeIf(e -> e.authorization().id().equals(id));
    return CompletableFuture.completedFuture(removed);
  }
}
