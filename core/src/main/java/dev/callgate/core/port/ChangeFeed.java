package dev.callgate.core.port;

import java.util.function.Consumer;

/**
 * News of records changed by any writer sharing the store — another instance of a cluster, or this
 * one — so that caches can drop what changed instead of reading the store on every call. While the
 * feed is {@linkplain #listening() listening}, every committed change is announced, shortly after
 * its commit; while it is not (the connection carrying the news is down), changes go unheard and a
 * cache must read through. When listening resumes, {@link StoreChange.Resumed} says that anything
 * may have changed meanwhile.
 */
public interface ChangeFeed {

  /** Calls {@code listener} with every change heard until the returned handle closes. */
  AutoCloseable subscribe(Consumer<StoreChange> listener);

  /** Whether changes made by other writers are being heard now. */
  boolean listening();
}
