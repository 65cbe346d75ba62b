-- Where the browser goes once an authorization flow is done: a URL on the credential's
-- allowedReturnUrls, or a console path; NULL for Callgate's own result page.
ALTER TABLE pending_authorizations ADD COLUMN return_url TEXT;
-- Single-use links through which an end user authorizes a per-user credential: the SHA-256 of the
-- link's token (never the token), the token it authorizes, where the browser returns, who made it
-- (the API key's subject and id, the request's id), until when it opens, and when it was used.
CREATE TABLE connect_links (
  token_hash TEXT PRIMARY KEY,
  credential TEXT NOT NULL,
  subject TEXT NOT NULL,
  return_url TEXT,
  created_by_subject TEXT NOT NULL,
  created_by_key_id TEXT NOT NULL,
  created_by_request_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX connect_links_expires_at ON connect_links (expires_at);
