package dev.callgate.adapter.pg;

import dev.callgate.core.testkit.ConnectLinkStoreContract;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

class PgConnectLinkStoreTest extends ConnectLinkStoreContract {
  private PgFixture fixture;

  @Override
  protected Stores create() {
    fixture = new PgFixture();
    return new Stores(fixture.stores.connectLinks(), fixture.stores.events());
  }

  @Override
  protected List<String> storedValues() {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      List<String> values = new ArrayList<>();
      for (Row row : pool.query("SELECT * FROM connect_links").execute().await()) {
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
  protected void close(Stores stores) {
    fixture.close();
  }
}
