-- An authorization flow is found by the hash of its state, never the state itself, and is bound to
-- the browser that opened Callgate's authorization page by the hash of a cookie's secret; an admin
-- may allow it to pass the token to another account at the provider. Flows begun before this
-- version live minutes and are dropped: their people start again.
DROP TABLE pending_authorizations;
CREATE TABLE pending_authorizations (
  state_hash TEXT PRIMARY KEY,
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  browser_binding TEXT,
  identity_change_allowed INTEGER NOT NULL DEFAULT 0
);

-- Refresh attempts are counted per budget: the schedule's (attempts_count, as before), after a
-- target's 401, an admin's and a token owner's, so that none can use up another's.
ALTER TABLE tokens ADD COLUMN attempts_after_rejection INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN attempts_by_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN attempts_by_owner INTEGER NOT NULL DEFAULT 0;
