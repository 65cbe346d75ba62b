-- A client that authenticates with private_key_jwt: its private key (sealed like the client
-- secret), the key id its assertions name, and the JWS algorithm of private_key_jwt and
-- client_secret_jwt assertions; NULL for clients that send a secret.
ALTER TABLE providers ADD COLUMN client_private_key TEXT;
ALTER TABLE providers ADD COLUMN client_key_id TEXT;
ALTER TABLE providers ADD COLUMN client_assertion_algorithm TEXT;
