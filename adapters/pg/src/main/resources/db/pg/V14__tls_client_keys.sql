-- Mutual TLS (RFC 8705): the private key of a credential's or a provider's client certificate,
-- sealed like every other secret; the certificates themselves are public and live in settings.
-- NULL for rows stored before, which present no client certificate.
ALTER TABLE credentials ADD COLUMN tls_client_key TEXT;
ALTER TABLE providers ADD COLUMN tls_client_key TEXT;
