-- A refresh that began and has not recorded its outcome (instance and start time): the next
-- instance to refresh the token tells an interrupted refresh from a refused refresh token by it.
ALTER TABLE tokens ADD COLUMN unsettled_refresh_by TEXT;
ALTER TABLE tokens ADD COLUMN unsettled_refresh_at BIGINT;

-- The census lists the tokens whose refresh token expires first without sorting them all.
CREATE INDEX tokens_refresh_expires_at ON tokens (refresh_expires_at);

-- Instances announce their changes themselves, after commit (channel callgate_changes, see
-- PgChangeNotifier): a trigger's NOTIFY would make every token write wait for the notification
-- queue's lock until its commit reaches the disk.
DROP TRIGGER tokens_changed ON tokens;
DROP FUNCTION callgate_notify_token_change();
