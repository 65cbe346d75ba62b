-- The console's signed-in browsers: the SHA-256 of the secret each holds in its cookie (never the
-- secret), the admin key it acts as (by id and subject), and when it began and ends. A session
-- whose key is gone is refused and deleted when it is next looked up.
CREATE TABLE console_sessions (
  secret_hash TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);
