package dev.callgate.adapter.sql;

import dev.callgate.core.port.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Running statements, and the border where database failures become {@link
 * StoreUnavailableException}.
 */
final class Sql {
  private final SqlDialect dialect;

  Sql(SqlDialect dialect) {
    this.dialect = dialect;
  }

  SqlDialect dialect() {
    return dialect;
  }

  Future<RowSet<Row>> run(SqlClient client, String sql, Object... parameters) {
    Tuple tuple = Tuple.tuple();
    for (Object parameter : parameters) {
      tuple.addValue(parameter);
    }
    if (dialect == SqlDialect.SQLITE && client instanceof Pool pool) {
      // The JDBC client leaves a connection in manual-commit mode once it has run a transaction;
      // on SQLite's single pooled connection a lone statement would then never be committed.
      return pool.withTransaction(connection -> connection.preparedQuery(sql).execute(tuple));
    }
    return client.preparedQuery(dialect.sql(sql)).execute(tuple);
  }

  /** The stage of {@code future}, failed with a secret-free {@link StoreUnavailableException}. */
  static <T> CompletionStage<T> stage(Future<T> future) {
    return future
        .recover(
            failure ->
                Future.failedFuture(
                    failure instanceof StoreUnavailableException
                        ? failure
                        : new StoreUnavailableException(describe(failure), failure)))
        .toCompletionStage();
  }

  private static String describe(Throwable failure) {
    // driver messages name tables and constraints, never bound values
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The first row mapped, or empty when there is none. */
  static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapping) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(mapping.apply(rows.iterator().next()));
  }

  /** Every row mapped, in order. */
  static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapping) {
    List<T> mapped = new ArrayList<>();
    rows.forEach(row -> mapped.add(mapping.apply(row)));
    return mapped;
  }

  static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  static Long millis(Optional<Instant> instant) {
    return instant.map(Instant::toEpochMilli).orElse(null);
  }

  static Optional<Instant> instant(Row row, String column) {
    Long value = row.getLong(column);
    return value == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
  }
}
