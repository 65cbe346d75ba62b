package dev.callgate.core.port;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The append-only log of {@link Event}s kept in the store (the outbox). Events that describe a
 * change of a record are written with that change by the store's own write methods; this port
 * appends the others (an admin action that changes nothing by itself) and reads them back. Events
 * are never updated; {@link #purgeBefore} drops those older than the retention.
 */
public interface EventLog {

  CompletionStage<Void> append(List<Event> events);

  /** The events {@code query} selects, oldest first; ids grow in commit order. */
  CompletionStage<EventPage> read(EventQuery query);

  /** Deletes events recorded before {@code cutoff}; returns how many went. */
  CompletionStage<Long> purgeBefore(Instant cutoff);
}
