-- A refresh that began and has not recorded its outcome (instance and start time): the next
-- refresh tells an interrupted refresh from a refused refresh token by it.
ALTER TABLE tokens ADD COLUMN unsettled_refresh_by TEXT;
ALTER TABLE tokens ADD COLUMN unsettled_refresh_at INTEGER;
