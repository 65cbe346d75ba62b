package dev.callgate.adapter.sql;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Versioned SQL files ({@code V1__schema.sql}, {@code V2__….sql} …) applied in order, each once,
 * recorded in {@code schema_migrations}. On PostgreSQL an advisory lock makes instances that start
 * together apply them one at a time.
 */
public final class Migrations {
  /** An arbitrary constant that names Callgate's migration lock. */
  private static final long LOCK = 0x43616c6c67617465L;

  private Migrations() {}

  /**
   * What a migration does beyond its SQL — what SQL cannot, such as sealing secrets — run after its
   * SQL in the same transaction.
   */
  @FunctionalInterface
  public interface Step {
    Future<Void> apply(SqlConnection connection);
  }

  /** {@code resources}: classpath paths in version order, e.g. {@code db/sqlite/V1__schema.sql}. */
  public static Future<Integer> apply(Pool pool, SqlDialect dialect, List<String> resources) {
    return apply(pool, dialect, resources, Map.of());
  }

  /**
   * As {@link #apply(Pool, SqlDialect, List)}, with {@code steps} by the version they belong to.
   */
  public static Future<Integer> apply(
      Pool pool, SqlDialect dialect, List<String> resources, Map<Integer, Step> steps) {
    Sql sql = new Sql(dialect);
    return pool.withTransaction(
        connection ->
            lock(connection, sql)
                .compose(
                    v ->
                        sql.run(
                            connection,
                            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                                + " description TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
                .compose(v -> sql.run(connection, "SELECT version FROM schema_migrations"))
                .compose(
                    rows -> {
                      Set<Integer> applied = new HashSet<>();
                      for (Row row : rows) {
                        applied.add(row.getInteger("version"));
                      }
                      Future<Integer> done = Future.succeededFuture(0);
                      for (String resource : resources) {
                        int version = version(resource);
                        if (applied.contains(version)) {
                          continue;
                        }
                        done =
                            done.compose(
                                count ->
                                    applyOne(connection, sql, resource, version, steps)
                                        .map(count + 1));
                      }
                      return done;
                    }));
  }

  private static Future<Void> lock(SqlConnection connection, Sql sql) {
    return switch (sql.dialect()) {
      case POSTGRESQL ->
          sql.run(connection, "SELECT pg_advisory_xact_lock(?)", LOCK)
              // "already exists, skipping" is how a second instance sees the migrations table
              .compose(v -> sql.run(connection, "SET LOCAL client_min_messages TO warning"))
              .mapEmpty();
      case SQLITE -> Future.succeededFuture();
    };
  }

  private static Future<Void> applyOne(
      SqlConnection connection, Sql sql, String resource, int version, Map<Integer, Step> steps) {
    Future<Void> done = Future.succeededFuture();
    for (String statement : statements(read(resource))) {
      done = done.compose(v -> connection.query(statement).execute().mapEmpty());
    }
    Step step = steps.get(version);
    if (step != null) {
      done = done.compose(v -> step.apply(connection));
    }
    String description = resource.substring(resource.lastIndexOf('/') + 1);
    return done.compose(
        v ->
            sql.run(
                    connection,
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                    version,
                    description,
                    Instant.now().toEpochMilli())
                .mapEmpty());
  }

  static int version(String resource) {
    String file = resource.substring(resource.lastIndexOf('/') + 1);
    if (!file.startsWith("V") || !file.contains("__")) {
      throw new IllegalArgumentException("a migration is named V<n>__<what>.sql: " + resource);
    }
    return Integer.parseInt(file.substring(1, file.indexOf("__")));
  }

  /** Splits a script at semicolons that end a line, outside {@code $$ … $$} bodies and comments. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inBody = false;
    for (String line : script.split("\n", -1)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") && !inBody) {
        continue;
      }
      int dollars = line.split("\\$\\$", -1).length - 1;
      if (dollars % 2 == 1) {
        inBody = !inBody;
      }
      current.append(line).append('\n');
      if (!inBody && trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().trim());
    }
    return statements;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
