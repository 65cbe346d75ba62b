-- Callgate's embedded schema. Instants are epoch milliseconds; secrets are sealed
-- ("<key id>:<base64 of IV, ciphertext, tag>"); lists and diagnoses are JSON text.
CREATE TABLE providers (
  name TEXT PRIMARY KEY,
  issuer TEXT,
  authorization_endpoint TEXT,
  token_endpoint TEXT,
  revocation_endpoint TEXT,
  client_id TEXT NOT NULL,
  client_secret TEXT,
  client_auth_method TEXT NOT NULL,
  scopes TEXT NOT NULL,
  refresh_token_lifetime TEXT
);

CREATE TABLE credentials (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  protocol TEXT NOT NULL,
  principal TEXT NOT NULL,
  settings TEXT NOT NULL,
  secret TEXT
);

CREATE TABLE tokens (
  credential TEXT NOT NULL REFERENCES credentials (name) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  state TEXT NOT NULL,
  access_token TEXT,
  token_type TEXT,
  issued_at INTEGER,
  expires_at INTEGER,
  refresh_token TEXT,
  refresh_expires_at INTEGER,
  refresh_expiry_source TEXT,
  scope TEXT,
  last_refresh_at INTEGER,
  last_used_at INTEGER,
  consecutive_failures INTEGER NOT NULL,
  next_attempt_at INTEGER,
  attempts_window_start INTEGER NOT NULL,
  attempts_count INTEGER NOT NULL,
  diagnoses TEXT NOT NULL,
  next_refresh_at INTEGER,
  version INTEGER NOT NULL,
  PRIMARY KEY (credential, subject)
);

CREATE INDEX tokens_next_refresh_at ON tokens (next_refresh_at);

CREATE TABLE token_leases (
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL,
  PRIMARY KEY (credential, subject)
);

CREATE TABLE pending_authorizations (
  state TEXT PRIMARY KEY,
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  roles TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
