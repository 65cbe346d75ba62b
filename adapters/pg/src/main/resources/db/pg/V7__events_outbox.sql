-- The event log (outbox): each event is written in the transaction of the change it describes.
-- Ids grow in commit order (writers of events take an advisory lock, see SqlEventLog), so a reader's
-- cursor never passes an event that commits later. No foreign keys: events outlive what they name.
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
  type TEXT NOT NULL,
  occurred_at BIGINT NOT NULL,
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
