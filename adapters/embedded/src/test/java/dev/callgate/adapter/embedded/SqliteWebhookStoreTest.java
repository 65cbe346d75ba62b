package dev.callgate.adapter.embedded;

import dev.callgate.core.testkit.WebhookStoreContract;

class SqliteWebhookStoreTest extends WebhookStoreContract {
  private SqliteFixture fixture;

  @Override
  protected Stores create() {
    fixture = new SqliteFixture();
    return new Stores(fixture.stores.webhooks(), fixture.stores.events());
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
