package dev.callgate.core.port;

import dev.callgate.core.token.TokenKey;
import java.util.Objects;

/**
 * One change a {@link ChangeFeed} announces: which record changed (or was deleted), that events
 * were appended to the {@link EventLog}, or that anything may have changed unheard. Dispatch with
 * {@link #fold}, so that a new kind of change breaks the build where it must be handled.
 */
public sealed interface StoreChange {

  /** One answer per kind of change. */
  interface Cases<T> {
    T token(TokenKey key);

    T credential(String name);

    T provider(String name);

    T apiKey(String id);

    T eventsAppended();

    T resumed();
  }

  <T> T fold(Cases<T> cases);

  /**
   * Whether this news may mean that events were appended: an append, or a feed that listens again
   * after it may have missed some. Readers of the event log wake on it.
   */
  boolean mayBringEvents();

  /** A token record was written or deleted. */
  record TokenChanged(TokenKey key) implements StoreChange {
    public TokenChanged {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.token(key);
    }

    @Override
    public boolean mayBringEvents() {
      return false;
    }
  }

  /** A named credential was written or deleted. */
  record CredentialChanged(String name) implements StoreChange {
    public CredentialChanged {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.credential(name);
    }

    @Override
    public boolean mayBringEvents() {
      return false;
    }
  }

  /** An auth provider was written or deleted. */
  record ProviderChanged(String name) implements StoreChange {
    public ProviderChanged {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.provider(name);
    }

    @Override
    public boolean mayBringEvents() {
      return false;
    }
  }

  /** An API key was written or deleted. */
  record ApiKeyChanged(String id) implements StoreChange {
    public ApiKeyChanged {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.apiKey(id);
    }

    @Override
    public boolean mayBringEvents() {
      return false;
    }
  }

  /**
   * Events were committed to the {@link EventLog}: a live view reads on from its cursor. Which
   * events is left out; a reader's cursor says what it has not seen yet.
   */
  record EventsAppended() implements StoreChange {
    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.eventsAppended();
    }

    @Override
    public boolean mayBringEvents() {
      return true;
    }
  }

  /** The feed listens again after it could not: any record may have changed unheard. */
  record Resumed() implements StoreChange {
    @Override
    public <T> T fold(Cases<T> cases) {
      return cases.resumed();
    }

    @Override
    public boolean mayBringEvents() {
      return true;
    }
  }
}
