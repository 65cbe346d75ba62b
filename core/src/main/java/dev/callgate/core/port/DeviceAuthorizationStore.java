package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import dev.callgate.core.token.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Device authorizations in progress, at most one per token. Polling is claimed: {@link #claimDue}
 * hands a due authorization to one caller at a time across every instance sharing the store, until
 * its claim is settled by {@link #reschedule} or {@link #remove}, or lapses (an instance that died
 * while polling).
 */
public interface DeviceAuthorizationStore {

  /**
   * Saves {@code authorization} in place of any other of the same token, and appends {@code events}
   * to the {@link EventLog}, in one transaction.
   */
  CompletionStage<Void> save(DeviceAuthorization authorization, List<Event> events);

  /** The authorization in progress for {@code key}, if any. */
  CompletionStage<Optional<DeviceAuthorization>> find(TokenKey key);

  /**
   * Claims up to {@code limit} authorizations due to be polled at {@code now} and claimed by nobody
   * (or by a claim that lapsed), for {@code lease}.
   */
  CompletionStage<List<DeviceAuthorization>> claimDue(Instant now, Duration lease, int limit);

  /**
   * Stores the new interval and next poll of {@code authorization} and releases its claim; false
   * when it was replaced or removed meanwhile.
   */
  CompletionStage<Boolean> reschedule(DeviceAuthorization authorization);

  /** Removes the authorization with {@code id}; false when it was replaced or removed already. */
  CompletionStage<Boolean> remove(String id);
}
