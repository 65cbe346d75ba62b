package dev.callgate.core.port;

import dev.callgate.core.token.TokenKey;
import java.util.Objects;

/** One change a {@link ChangeFeed} announces: which record changed (or was deleted). */
public sealed interface StoreChange {

  /** A token record was written or deleted. */
  record TokenChanged(TokenKey key) implements StoreChange {
    public TokenChanged {
      Objects.requireNonNull(key, "key");
    }
  }

  /** A named credential was written or deleted. */
  record CredentialChanged(String name) implements StoreChange {
    public CredentialChanged {
      Objects.requireNonNull(name, "name");
    }
  }

  /** An auth provider was written or deleted. */
  record ProviderChanged(String name) implements StoreChange {
    public ProviderChanged {
      Objects.requireNonNull(name, "name");
    }
  }

  /** An API key was written or deleted. */
  record ApiKeyChanged(String id) implements StoreChange {
    public ApiKeyChanged {
      Objects.requireNonNull(id, "id");
    }
  }

  /** The feed listens again after it could not: any record may have changed unheard. */
  record Resumed() implements StoreChange {}
}
