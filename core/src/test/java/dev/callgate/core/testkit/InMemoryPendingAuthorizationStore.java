package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.PendingAuthorizationStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link PendingAuthorizationStore} in memory: saving replaces by state hash, {@link #bind} binds
 * once, and {@link #take} removes atomically, so each state is taken at most once however many
 * callbacks race. Expiry is the service's to check, as with every adapter. {@link
 * #failWith(RuntimeException)} makes every call fail its stage until {@link #recover()}.
 */
public final class InMemoryPendingAuthorizationStore implements PendingAuthorizationStore {

  private final ConcurrentMap<FlowHash, PendingAuthorization> pending = new ConcurrentHashMap<>();
  private final InMemoryEventLog eventLog;
  private volatile RuntimeException failure;

  public InMemoryPendingAuthorizationStore() {
    this(new InMemoryEventLog());
  }

  /** A store whose writes append their events to {@code eventLog}. */
  public InMemoryPendingAuthorizationStore(InMemoryEventLog eventLog) {
    this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
  }

  @Override
  public CompletionStage<Void> save(PendingAuthorization authorization, List<Event> events) {
    Objects.requireNonNull(authorization, "pending");
    RuntimeException failing = failure;
    if (failing != null) {
      return CompletableFuture.failedFuture(failing);
    }
    synchronized (this) {
      pending.put(authorization.stateHash(), authorization);
      eventLog.record(events);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Optional<PendingAuthorization>> bind(
      FlowHash state, FlowHash browserBinding) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(browserBinding, "browserBinding");
    RuntimeException failing = failure;
    if (failing != null) {
      return CompletableFuture.failedFuture(failing);
    }
    boolean[] bound = {false};
    PendingAuthorization after =
        pending.computeIfPresent(
            state,
            (hash, flow) -> {
              if (flow.browserBinding().isPresent()) {
                return flow;
              }
              bound[0] = true;
              return flow.boundTo(browserBinding);
            });
    return CompletableFuture.completedFuture(
        bound[0] ? Optional.of(after) : Optional.<PendingAuthorization>empty());
  }

  @Override
  public CompletionStage<Optional<PendingAuthorization>> take(FlowHash state) {
    Objects.requireNonNull(state, "state");
    RuntimeException failing = failure;
    if (failing != null) {
      return CompletableFuture.failedFuture(failing);
    }
    return CompletableFuture.completedFuture(Optional.ofNullable(pending.remove(state)));
  }

  /** The flows not yet taken, for assertions. */
  public List<PendingAuthorization> pending() {
    return List.copyOf(pending.values());
  }

  public void failWith(RuntimeException failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public void recover() {
    this.failure = null;
  }
}
