-- Failed sign-ins are counted per (account, client address), so guessing
-- from one address no longer locks the owner out everywhere. Failures from
-- before this migration have no address ('') and no longer slow anyone down.
ALTER TABLE login_failures ADD COLUMN client_address TEXT NOT NULL DEFAULT '';
DROP INDEX login_failures_by_email;
CREATE INDEX login_failures_by_email_address ON login_failures(email, client_address, failed_at);
