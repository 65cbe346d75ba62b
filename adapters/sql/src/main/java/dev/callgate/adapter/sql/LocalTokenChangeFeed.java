package dev.callgate.adapter.sql;

import dev.callgate.core.port.TokenChangeFeed;
import dev.callgate.core.token.TokenKey;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Token changes told to listeners in this process: enough when one instance owns the store. */
public final class LocalTokenChangeFeed implements TokenChangeFeed, Consumer<TokenKey> {
  private static final Logger LOG = Logger.getLogger(LocalTokenChangeFeed.class.getName());
  private final CopyOnWriteArrayList<Consumer<TokenKey>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable subscribe(Consumer<TokenKey> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void accept(TokenKey key) {
    for (Consumer<TokenKey> listener : listeners) {
      try {
        listener.accept(key);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a token-change listener failed: " + e.getClass().getSimpleName());
      }
    }
  }
}
