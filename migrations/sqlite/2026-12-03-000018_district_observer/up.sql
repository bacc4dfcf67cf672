-- A district observer (issue 22): a read-only account spanning every site,
-- which reads reports and boards and changes nothing.
ALTER TABLE users ADD COLUMN is_observer BOOLEAN NOT NULL DEFAULT 0;
