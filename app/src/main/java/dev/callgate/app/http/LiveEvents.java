package dev.callgate.app.http;

import dev.callgate.core.event.RecordedEvent;
import java.util.List;
import java.util.function.Consumer;

/**
 * Events as they are recorded, for live views: one reader of the event log per instance, whose
 * batches every follower receives. A follower is handed each batch in id order, possibly events it
 * has read from the log itself already (it skips those by id), on the reader's thread.
 */
public interface LiveEvents {

  /** Hands {@code batches} every event recorded from now on, until the returned handle closes. */
  Following follow(Consumer<List<RecordedEvent>> batches);

  /** A follower's registration. */
  interface Following extends AutoCloseable {
    /** Stops the batches; closing twice is harmless. */
    @Override
    void close();
  }
}
