package dev.callgate.adapter.sql;

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

  String lockCandidates() {
    return switch (this) {
      case POSTGRESQL -> " FOR UPDATE OF t SKIP LOCKED";
      case SQLITE -> "";
    };
  }
}
