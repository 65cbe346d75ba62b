package dev.callgate.core.testkit;

class InMemoryConnectLinkStoreTest extends ConnectLinkStoreContract {
  @Override
  protected Stores create() {
    InMemoryEventLog log = new InMemoryEventLog();
    return new Stores(new InMemoryConnectLinkStore(log), log);
  }

  @Override
  protected void close(Stores stores) {}
}
