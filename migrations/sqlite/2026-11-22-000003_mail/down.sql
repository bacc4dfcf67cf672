ALTER TABLE users DROP COLUMN mail_opt_out;
DROP TABLE password_resets;
DROP TABLE scheduled_jobs;
DROP TABLE outbox;
