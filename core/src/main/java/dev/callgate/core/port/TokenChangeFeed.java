package dev.callgate.core.port;

import dev.callgate.core.token.TokenKey;
import java.util.function.Consumer;

/**
 * News of token records changed by any writer sharing the store (another instance of a cluster, or
 * this one), so caches of access tokens can be dropped without reading the store on every callout.
 * Delivery is best effort and at most once; a listener that must not miss a change also reads the
 * store when it has been disconnected.
 */
public interface TokenChangeFeed {

  /**
   * Calls {@code listener} with the key of every changed token until the returned handle closes.
   */
  AutoCloseable subscribe(Consumer<TokenKey> listener);
}
