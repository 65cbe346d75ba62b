-- Callgate's PostgreSQL schema. Instants are epoch milliseconds; secrets are sealed
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
  issued_at BIGINT,
  expires_at BIGINT,
  refresh_token TEXT,
  refresh_expires_at BIGINT,
  refresh_expiry_source TEXT,
  scope TEXT,
  last_refresh_at BIGINT,
  last_used_at BIGINT,
  consecutive_failures BIGINT NOT NULL,
  next_attempt_at BIGINT,
  attempts_window_start BIGINT NOT NULL,
  attempts_count BIGINT NOT NULL,
  diagnoses TEXT NOT NULL,
  next_refresh_at BIGINT,
  version BIGINT NOT NULL,
  PRIMARY KEY (credential, subject)
);

CREATE INDEX tokens_next_refresh_at ON tokens (next_refresh_at);

CREATE TABLE token_leases (
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  PRIMARY KEY (credential, subject)
);

CREATE TABLE pending_authorizations (
  state TEXT PRIMARY KEY,
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  roles TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Every change of a token is announced on channel callgate_tokens, so other instances drop their
-- cached access token (payload: {"credential": …, "subject": …}).
CREATE OR REPLACE FUNCTION callgate_notify_token_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('callgate_tokens', json_build_object('credential', OLD.credential, 'subject', OLD.subject)::text);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('callgate_tokens', json_build_object('credential', NEW.credential, 'subject', NEW.subject)::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tokens_changed AFTER INSERT OR UPDATE OR DELETE ON tokens
  FOR EACH ROW EXECUTE FUNCTION callgate_notify_token_change();
