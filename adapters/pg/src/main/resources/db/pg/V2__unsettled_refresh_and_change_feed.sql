-- A refresh that began and has not recorded its outcome (instance and start time): the next
-- instance to refresh the token tells an interrupted refresh from a refused refresh token by it.
ALTER TABLE tokens ADD COLUMN unsettled_refresh_by TEXT;
ALTER TABLE tokens ADD COLUMN unsettled_refresh_at BIGINT;

-- The census lists the tokens whose refresh token expires first without sorting them all.
CREATE INDEX tokens_refresh_expires_at ON tokens (refresh_expires_at);

-- Every change of a cached record is announced on channel callgate_changes, so that every instance
-- drops what it cached of it. Payload: {"table": …, "credential", "subject", "name", "id": …},
-- the key columns of the changed row (the others null); never a secret.
DROP TRIGGER tokens_changed ON tokens;
DROP FUNCTION callgate_notify_token_change();

CREATE FUNCTION callgate_notify_change() RETURNS trigger AS $$
DECLARE
  changed jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN
    changed := to_jsonb(OLD);
  ELSE
    changed := to_jsonb(NEW);
  END IF;
  PERFORM pg_notify('callgate_changes', json_build_object(
    'table', TG_TABLE_NAME,
    'credential', changed ->> 'credential',
    'subject', changed ->> 'subject',
    'name', changed ->> 'name',
    'id', changed ->> 'id')::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tokens_changed AFTER INSERT OR UPDATE OR DELETE ON tokens
  FOR EACH ROW EXECUTE FUNCTION callgate_notify_change();
CREATE TRIGGER credentials_changed AFTER INSERT OR UPDATE OR DELETE ON credentials
  FOR EACH ROW EXECUTE FUNCTION callgate_notify_change();
CREATE TRIGGER providers_changed AFTER INSERT OR UPDATE OR DELETE ON providers
  FOR EACH ROW EXECUTE FUNCTION callgate_notify_change();
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION callgate_notify_change();
