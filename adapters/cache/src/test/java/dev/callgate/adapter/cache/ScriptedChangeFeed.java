package dev.callgate.adapter.cache;

import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.StoreChange;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A change feed a test drives: it says whether it listens, and announces what it is told. */
final class ScriptedChangeFeed implements ChangeFeed {
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

  void listening(boolean now) {
    listening = now;
  }

  void announce(StoreChange change) {
    listeners.forEach(listener -> listener.accept(change));
  }

  int listeners() {
    return listeners.size();
  }
}
