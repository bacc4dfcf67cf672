DROP INDEX login_failures_by_email_address;
ALTER TABLE login_failures DROP COLUMN client_address;
CREATE INDEX login_failures_by_email ON login_failures(email, failed_at);
