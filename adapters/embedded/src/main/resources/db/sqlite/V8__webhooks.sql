-- Webhook subscriptions: where to send which event types (empty: every type), the whsec_ secret
-- sealed like every secret, the cursor into the event log up to which events are queued, and the
-- health of the deliveries (failing since, last error).
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  event_cursor BIGINT NOT NULL,
  failing_since BIGINT,
  last_error TEXT
);
-- One event on its way to one webhook; the event itself stays in the events table.
CREATE TABLE webhook_deliveries (
  webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  credential TEXT,
  event_time BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_attempt_at BIGINT,
  last_status INTEGER,
  last_error TEXT,
  next_attempt_at BIGINT,
  PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (webhook_id, status, event_id);
-- The dispatch lease: the one instance of a cluster that sends webhooks, until lease_until.
CREATE TABLE webhook_leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL
);
