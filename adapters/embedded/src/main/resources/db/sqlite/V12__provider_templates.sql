-- A provider's settings without a column of their own, as JSON: the template it was made from and
-- the parameters given to it, and the access-token lifetime assumed when a token response has no
-- expires_in. NULL for a provider that has none of them.
ALTER TABLE providers ADD COLUMN settings TEXT;
