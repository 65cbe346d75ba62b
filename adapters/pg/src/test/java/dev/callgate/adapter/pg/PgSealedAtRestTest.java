package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.SealedAtRestContract;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.core.port.SecretCipher;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

class PgSealedAtRestTest extends SealedAtRestContract {

  @Override
  protected SqlStores open(SecretCipher cipher) {
    new PgFixture().close(); // empties the tables
    return reopen(cipher);
  }

  @Override
  protected SqlStores reopen(SecretCipher cipher) {
    return PgStores.connect(PgFixture.VERTX, PgFixture.database(), cipher, 2).await();
  }

  @Override
  protected List<List<String>> rawRows(String table) {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      List<List<String>> rows = new ArrayList<>();
      for (Row row : pool.query("SELECT * FROM " + table).execute().await()) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
          values.add(String.valueOf(row.getValue(i)));
        }
        rows.add(values);
      }
      return rows;
    } finally {
      pool.close().await();
    }
  }
}
