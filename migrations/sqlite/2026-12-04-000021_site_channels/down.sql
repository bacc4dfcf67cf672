-- Messages to channels go with their channels. SQLite cannot drop a column
-- that names a foreign key, so the outbox is rebuilt as migration 10 made it.
DELETE FROM outbox WHERE channel_id IS NOT NULL;
DROP INDEX outbox_by_channel;
CREATE TABLE outbox_v20 (
    id               INTEGER PRIMARY KEY,
    event_key        TEXT NOT NULL UNIQUE,
    message_id       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    user_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    to_address       TEXT NOT NULL,
    language         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    content          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    locked_by        TEXT,
    locked_until     TIMESTAMP,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP
);
INSERT INTO outbox_v20 (id, event_key, message_id, kind, user_id, to_address, language, subject,
                        content, status, attempts, next_attempt_at, locked_by, locked_until,
                        last_error, created_at, sent_at)
SELECT id, event_key, message_id, kind, user_id, to_address, language, subject,
       content, status, attempts, next_attempt_at, locked_by, locked_until,
       last_error, created_at, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v20 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, locked_until);
ALTER TABLE sites DROP COLUMN channel_topics;
DROP TABLE site_channels;
