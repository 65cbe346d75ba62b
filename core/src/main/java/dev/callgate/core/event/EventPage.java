package dev.callgate.core.event;

import java.util.List;

/**
 * One page of events, oldest first, and the cursor to read the next one with: the id of the last
 * event looked at (which may be past the last one returned, when a filter skipped the rest).
 */
public record EventPage(List<RecordedEvent> events, long next) {
  public EventPage {
    events = List.copyOf(events);
  }
}
