package dev.callgate.core.testkit;

class InMemoryWebhookStoreTest extends WebhookStoreContract {
  @Override
  protected Stores create() {
    InMemoryEventLog log = new InMemoryEventLog();
    return new Stores(new InMemoryWebhookStore(log), log);
  }

  @Override
  protected void close(Stores stores) {}
}
