-- The streak of refreshes that failed for a passing reason is dated, first and last failure: a
-- grant lost during an outage is explained as such, and a callout may try again once the last
-- failure is old enough. Streaks recorded before this version take their next attempt's time.
ALTER TABLE tokens ADD COLUMN failures_first_at INTEGER;
ALTER TABLE tokens ADD COLUMN failures_last_at INTEGER;
UPDATE tokens
   SET failures_first_at = COALESCE(next_attempt_at, last_refresh_at, 0),
       failures_last_at = COALESCE(next_attempt_at, last_refresh_at, 0)
 WHERE consecutive_failures > 0;

-- Whose grant a token is at the identity provider: subject, user name, e-mail, provider session.
ALTER TABLE tokens ADD COLUMN identity_subject TEXT;
ALTER TABLE tokens ADD COLUMN identity_username TEXT;
ALTER TABLE tokens ADD COLUMN identity_email TEXT;
ALTER TABLE tokens ADD COLUMN identity_session TEXT;

-- A client the provider refused keeps its grant (CLIENT_REJECTED) until the provider changes;
-- before this version such tokens were recorded as needing a new authorization.
UPDATE tokens
   SET state = 'CLIENT_REJECTED'
 WHERE state = 'NEEDS_AUTHORIZATION' AND diagnoses LIKE '%"CLIENT_AUTH_FAILED"%';
