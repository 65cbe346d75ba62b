package dev.callgate.adapter.pg;

import dev.callgate.adapter.sql.Migrations;
import dev.callgate.adapter.sql.SealedAtRestContract;
import dev.callgate.adapter.sql.SqlDialect;
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

  @Override
  protected void rawUpdate(String statement) {
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    try {
      pool.query(statement).execute().await();
    } finally {
      pool.close().await();
    }
  }

  @Override
  protected Pool databaseBeforeBinding() {
    rawUpdate("DROP SCHEMA public CASCADE");
    rawUpdate("CREATE SCHEMA public");
    Pool pool = PgBuilder.pool().connectingTo(PgFixture.database()).using(PgFixture.VERTX).build();
    Migrations.apply(
            pool,
            SqlDialect.POSTGRESQL,
            PgStores.MIGRATIONS.subList(
                0, PgStores.MIGRATIONS.indexOf("db/pg/V5__secrets_bound_to_their_place.sql")))
        .await();
    return pool;
  }

  @Override
  protected SqlDialect dialect() {
    return SqlDialect.POSTGRESQL;
  }
}
