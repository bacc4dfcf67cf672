-- The outbox keeps what a message says as data: a note, laid out by the
-- mail worker when it sends (src/mail/content.rs), instead of a text body,
-- an HTML body and an attachment laid out in the transaction of every
-- booking. Messages already queued keep their bodies, converted to
-- "rendered" content. The message id loses its UNIQUE index: it is made
-- from the event key, which stays unique, and the index was one more
-- index written per message.
ALTER TABLE outbox ADD COLUMN content TEXT;
UPDATE outbox SET content = json_build_object(
    'format', 'rendered',
    'text', body_text,
    'html', body_html,
    'attachment', CASE WHEN attachment IS NULL THEN NULL ELSE json_build_object(
        'file_name', coalesce(attachment_name, 'attachment'),
        'media_type', coalesce(attachment_type, 'application/octet-stream'),
        'content', attachment) END)::text;
ALTER TABLE outbox ALTER COLUMN content SET NOT NULL;
ALTER TABLE outbox
    DROP COLUMN body_text,
    DROP COLUMN body_html,
    DROP COLUMN attachment_name,
    DROP COLUMN attachment_type,
    DROP COLUMN attachment;
ALTER TABLE outbox DROP CONSTRAINT outbox_message_id_key;
