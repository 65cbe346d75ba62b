package dev.callgate.adapter.pg;

import dev.callgate.core.testkit.WebhookStoreContract;

class PgWebhookStoreTest extends WebhookStoreContract {
  private PgFixture fixture;

  @Override
  protected Stores create() {
    fixture = new PgFixture();
    return new Stores(fixture.stores.webhooks(), fixture.stores.events());
  }

  @Override
  protected void close(Stores stores) {
    fixture.close();
  }
}
