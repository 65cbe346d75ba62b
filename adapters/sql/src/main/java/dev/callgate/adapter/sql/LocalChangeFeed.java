package dev.callgate.adapter.sql;

import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.StoreChange;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Changes told to listeners in this process, as the stores make them: enough when one instance owns
 * the store (the embedded SQLite file), and always listening.
 */
public final class LocalChangeFeed implements ChangeFeed, Consumer<StoreChange> {
  private static final Logger LOG = Logger.getLogger(LocalChangeFeed.class.getName());
  private final CopyOnWriteArrayList<Consumer<StoreChange>> listeners =
      new CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable subscribe(Consumer<StoreChange> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public boolean listening() {
    return true;
  }

  @Override
  public void accept(StoreChange change) {
    for (Consumer<StoreChange> listener : listeners) {
      try {
        listener.accept(change);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a change listener failed: " + e.getClass().getSimpleName());
      }
    }
  }
}
