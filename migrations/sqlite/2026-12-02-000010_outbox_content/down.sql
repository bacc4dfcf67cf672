-- Back to finished bodies. Messages queued as notes cannot be laid out in
-- SQL: their JSON goes into the text body, so nothing is lost, but such a
-- message still waiting would be sent as that JSON.
CREATE TABLE outbox_v9 (
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

INSERT INTO outbox_v9 (id, event_key, message_id, kind, user_id, to_address, language, subject,
                       body_text, body_html, attachment_name, attachment_type, attachment,
                       status, attempts, next_attempt_at, locked_by, locked_until,
                       last_error, created_at, sent_at)
SELECT id, event_key, message_id, kind, user_id, to_address, language, subject,
       CASE WHEN content ->> '$.format' = 'rendered' THEN content ->> '$.text' ELSE content END,
       CASE WHEN content ->> '$.format' = 'rendered' THEN content ->> '$.html' ELSE '' END,
       content ->> '$.attachment.file_name',
       content ->> '$.attachment.media_type',
       content ->> '$.attachment.content',
       status, attempts, next_attempt_at, locked_by, locked_until,
       last_error, created_at, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_v9 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, locked_until);
