package dev.callgate.adapter.sql;

import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.StoreChange;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes told to listeners in this process, as the stores make them: enough when one instance owns
 * the store (the embedded SQLite file), and always listening.
 */
public final class LocalChangeFeed implements ChangeFeed, Consumer<StoreChange> {
  private static final Logger LOG = LoggerFactory.getLogger(LocalChangeFeed.class);
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
        LOG.atWarn()
            .setMessage("a change listener failed: {}")
            .addArgument(e.getClass().getSimpleName())
            .addKeyValue("event", "change-feed.listener.failed")
            .log();
      }
    }
  }
}
