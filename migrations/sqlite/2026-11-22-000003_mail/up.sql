-- Mail goes out through an outbox written in the same transaction as the
-- change that causes it; timed jobs are leased so one instance runs each.

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    event_key        TEXT NOT NULL UNIQUE,
    message_id       TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    to_address       TEXT NOT NULL,
    language         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    attachment_name  TEXT,
    attachment_type  TEXT,
    attachment       TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    locked_by        TEXT,
    locked_until     TIMESTAMP,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE scheduled_jobs (
    name          TEXT PRIMARY KEY,
    next_run_at   TIMESTAMP NOT NULL,
    last_run_at   TIMESTAMP,
    locked_by     TEXT,
    locked_until  TIMESTAMP
);

CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);

ALTER TABLE users ADD COLUMN mail_opt_out TEXT NOT NULL DEFAULT '';
