-- Device authorizations in progress (RFC 8628), at most one per token: the device code (sealed like
-- every secret), what the person needs (user code, verification URIs), the scopes asked for, until
-- when the provider accepts the code, the polling interval in seconds (grown by slow_down) and the
-- next poll. claimed_until is the lease of the instance polling it now; NULL when nobody does.
CREATE TABLE device_authorizations (
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE,
  device_code TEXT NOT NULL,
  user_code TEXT NOT NULL,
  verification_uri TEXT NOT NULL,
  verification_uri_complete TEXT,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  interval_seconds BIGINT NOT NULL,
  next_poll_at BIGINT NOT NULL,
  identity_change_allowed INTEGER NOT NULL DEFAULT 0,
  claimed_until BIGINT,
  PRIMARY KEY (credential, subject)
);
CREATE INDEX device_authorizations_next_poll_at ON device_authorizations (next_poll_at);
