-- A refresh that began and has not recorded its outcome (instance and start time): the next
-- refresh tells an interrupted refresh from a refused refresh token by it.
ALTER TABLE tokens ADD COLUMN unsettled_refresh_by TEXT;
ALTER TABLE tokens ADD COLUMN unsettled_refresh_at INTEGER;

-- The census lists the tokens whose refresh token expires first without sorting them all.
CREATE INDEX tokens_refresh_expires_at ON tokens (refresh_expires_at);
