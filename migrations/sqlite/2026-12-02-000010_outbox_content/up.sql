-- The outbox keeps what a message says as data: a note, laid out by the
-- mail worker when it sends (src/mail/content.rs), instead of a text body,
-- an HTML body and an attachment laid out on the writer and written with
-- every booking. Messages already queued keep their bodies, converted to
-- "rendered" content. The message id loses its UNIQUE index: it is made
-- from the event key, which stays unique, and the index was one more
-- b-tree written per message. SQLite cannot drop a column constraint, so
-- the table is rebuilt; nothing refers to it.
CREATE TABLE outbox_v10 (
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

INSERT INTO outbox_v10 (id, event_key, message_id, kind, user_id, to_address, language, subject,
                        content, status, attempts, next_attempt_at, locked_by, locked_until,
                        last_error, created_at, sent_at)
SELECT id, event_key, message_id, kind, user_id, to_address, language, subject,
       json_object(
           'format', 'rendered',
           'text', body_text,
           'html', body_html,
           'attachment', CASE WHEN attachment IS NULL THEN NULL ELSE json_object(
               'file_name', coalesce(attachment_name, 'attachment'),
               'media_type', coalesce(attachment_type, 'application/octet-stream'),
               'content', attachment) END),
       status, attempts, next_attempt_at, locked_by, locked_until,
       last_error, created_at, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_v10 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, locked_until);
