package dev.callgate.app.http;

import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.StoreChange;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A change feed a test speaks for: it announces what the test says was committed, and listens or
 * not as the test decides (the in-memory stores announce nothing themselves).
 */
public final class HeardChanges implements ChangeFeed {
  private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean listening = true;

  @Override
  public AutoCloseable subscribe(Consumer<StoreChange> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public boolean listening() {
    return listening;
  }

  public void listening(boolean listening) {
    this.listening = listening;
  }

  public void announce(StoreChange change) {
    listeners.forEach(listener -> listener.accept(change));
  }
}
