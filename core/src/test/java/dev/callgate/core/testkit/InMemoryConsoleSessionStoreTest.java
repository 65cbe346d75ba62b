package dev.callgate.core.testkit;

class InMemoryConsoleSessionStoreTest extends ConsoleSessionStoreContract {
  @Override
  protected Stores create() {
    InMemoryEventLog log = new InMemoryEventLog();
    return new Stores(new InMemoryConsoleSessionStore(log), log);
  }

  @Override
  protected void close(Stores stores) {}
}
