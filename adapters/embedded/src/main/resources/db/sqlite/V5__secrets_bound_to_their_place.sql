-- Every sealed secret is bound to its table, column and row (AES-GCM associated data); the
-- migration's code step re-seals the secrets written before, which were bound to their key alone.
-- A credential URL's query may carry an API key: it is kept apart, sealed like any other secret.
ALTER TABLE credentials ADD COLUMN url_query TEXT;

-- A configured admin key (CALLGATE_ADMIN_KEY) is stored like any key, so the API can revoke it;
-- a revoked key's id is remembered, so that a restart with the same configuration does not bring
-- it back.
CREATE TABLE api_key_revocations (
  id TEXT PRIMARY KEY,
  revoked_at BIGINT NOT NULL
);
