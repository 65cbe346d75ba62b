package dev.callgate.adapter.sql;

import io.vertx.sqlclient.DatabaseException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What differs between the two databases the stores run on: parameter markers, and how due tokens
 * are claimed without two claimers taking the same row.
 */
public enum SqlDialect {
  /** {@code $1, $2 …}; claims lock candidate rows with {@code FOR UPDATE SKIP LOCKED}. */
  POSTGRESQL,
  /** {@code ?}; one writer at a time, so a transaction alone makes a claim exclusive. */
  SQLITE;

  /** SQL is written with {@code ?}; PostgreSQL wants numbered markers. */
  String sql(String withQuestionMarks) {
    return switch (this) {
      case SQLITE -> withQuestionMarks;
      case POSTGRESQL -> {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char c : withQuestionMarks.toCharArray()) {
          if (c == '?') {
            numbered.append('$').append(++n);
          } else {
            numbered.append(c);
          }
        }
        yield numbered.toString();
      }
    };
  }

  /**
   * Whether {@code failure} is the database refusing a write that would break a foreign key: the
   * one way a write that raced another is told that it lost.
   */
  boolean foreignKeyViolated(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      boolean violated =
          switch (this) {
            case POSTGRESQL ->
                cause instanceof DatabaseException database
                    && "23503".equals(database.getSqlState());
            // sqlite-jdbc reports SQLITE_CONSTRAINT_FOREIGNKEY by name and message, not SQLSTATE
            case SQLITE ->
                cause instanceof SQLException sql
                    && sql.getMessage() != null
                    && sql.getMessage().toUpperCase(Locale.ROOT).contains("FOREIGN KEY");
          };
      if (violated) {
        return true;
      }
    }
    return false;
  }

  String lockCandidates() {
    return switch (this) {
      case POSTGRESQL -> " FOR UPDATE OF t SKIP LOCKED";
      case SQLITE -> "";
    };
  }
}
