package dev.callgate.core.testkit;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.EventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link EventLog} in memory. The in-memory stores append to it under their own lock when their
 * write succeeds, as a SQL store does in the write's transaction; ids grow from 1.
 */
public final class InMemoryEventLog implements EventLog {
  private final List<RecordedEvent> events = new ArrayList<>();
  private long lastId;

  @Override
  public CompletionStage<Void> append(List<Event> appended) {
    record(appended);
    return CompletableFuture.completedStage(null);
  }

  /** Appends {@code appended} now; for the in-memory stores' writes. */
  public synchronized void record(List<Event> appended) {
    for (Event event : appended) {
      events.add(new RecordedEvent(++lastId, event));
    }
  }

  /**
   * Up to {@code limit} matches; the cursor is the last one returned when the page is full, else
   * the newest id looked at (a filtered reader skips the rest), as the SQL event log does.
   */
  @Override
  public synchronized CompletionStage<EventPage> read(EventQuery query) {
    List<RecordedEvent> page = new ArrayList<>();
    long next = query.after();
    for (RecordedEvent recorded : events) {
      if (recorded.id() <= query.after()) {
        continue;
      }
      next = recorded.id();
      if (query.matches(recorded)) {
        page.add(recorded);
        if (page.size() == query.limit()) {
          break;
        }
      }
    }
    return CompletableFuture.completedStage(new EventPage(page, next));
  }

  @Override
  public synchronized CompletionStage<Long> purgeBefore(Instant cutoff) {
    long before = events.size();
    events.removeIf(recorded -> recorded.event().time().isBefore(cutoff));
    return CompletableFuture.completedStage(before - events.size());
  }

  /** The id of the newest event recorded, 0 before the first. */
  public synchronized long lastId() {
    return lastId;
  }

  /** Every event kept, oldest first. */
  public synchronized List<Event> all() {
    return events.stream().map(RecordedEvent::event).toList();
  }
}
