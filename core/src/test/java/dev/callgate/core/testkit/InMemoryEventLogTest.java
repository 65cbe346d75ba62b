package dev.callgate.core.testkit;

class InMemoryEventLogTest extends EventLogContract {

  @Override
  protected Stores createStores() {
    InMemoryTokenStore tokens = new InMemoryTokenStore();
    InMemoryEventLog log = tokens.eventLog();
    return new Stores(
        log,
        tokens,
        new InMemoryCredentialStore(tokens),
        new InMemoryApiKeyStore(log),
        new InMemoryPendingAuthorizationStore(log));
  }
}
