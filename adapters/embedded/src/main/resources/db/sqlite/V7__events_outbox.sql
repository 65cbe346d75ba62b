-- The event log (outbox): each event is written in the transaction of the change it describes.
-- SQLite has one writer at a time, so ids grow in commit order; AUTOINCREMENT never reuses the id
-- of a purged event, so a reader's cursor stays valid. No foreign keys: events outlive what they
-- name.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  credential TEXT,
  user_subject TEXT,
  instance TEXT NOT NULL,
  diagnosis_code TEXT,
  diagnosis_facts TEXT,
  actor_subject TEXT,
  actor_key_id TEXT,
  actor_request_id TEXT,
  details TEXT NOT NULL
);
CREATE INDEX events_credential ON events (credential, id);
CREATE INDEX events_user_subject ON events (user_subject, id);
CREATE INDEX events_type ON events (type, id);
-- retention deletes by age
CREATE INDEX events_occurred_at ON events (occurred_at);
