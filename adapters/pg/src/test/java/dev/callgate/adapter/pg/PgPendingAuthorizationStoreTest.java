package dev.callgate.adapter.pg;

import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.testkit.PendingAuthorizationStoreContract;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

class PgPendingAuthorizationStoreTest extends PendingAuthorizationStoreContract {
  private PgFixture fixture;

  @Override
  protected PendingAuthorizationStore createStore() {
    fixture = new PgFixture();
    return fixture.stores.pendingAuthorizations();
  }

  @Override
  protected void credentialExists(String credentialName) {
    fixture.credentialExists(credentialName);
  }

  @Override
  protected List<String> storedValues() {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      List<String> values = new ArrayList<>();
      for (Row row : pool.query("SELECT * FROM pending_authorizations").execute().await()) {
        for (int i = 0; i < row.size(); i++) {
          values.add(String.valueOf(row.getValue(i)));
        }
      }
      return values;
    } finally {
      pool.close().await();
    }
  }

  @Override
  protected void closeStore(PendingAuthorizationStore closing) {
    fixture.close();
  }
}
