-- A credential's auth provider is a column the database checks, so that deleting a provider in use
-- and saving a credential whose provider is gone each fail in their own statement, whichever of
-- two racing requests comes second. Credentials whose provider was deleted before this version
-- keep the name in their settings, and no reference.
ALTER TABLE credentials ADD COLUMN provider TEXT REFERENCES providers (name);
UPDATE credentials
   SET provider = json_extract(settings, '$.provider')
 WHERE json_extract(settings, '$.provider') IN (SELECT name FROM providers);
CREATE INDEX credentials_provider ON credentials (provider);
