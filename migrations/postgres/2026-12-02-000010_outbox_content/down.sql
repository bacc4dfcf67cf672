-- Back to finished bodies. Messages queued as notes cannot be laid out in
-- SQL: their JSON goes into the text body, so nothing is lost, but such a
-- message still waiting would be sent as that JSON.
ALTER TABLE outbox
    ADD COLUMN body_text TEXT,
    ADD COLUMN body_html TEXT,
    ADD COLUMN attachment_name TEXT,
    ADD COLUMN attachment_type TEXT,
    ADD COLUMN attachment TEXT;
UPDATE outbox SET
    body_text = CASE WHEN content::json ->> 'format' = 'rendered' THEN content::json ->> 'text' ELSE content END,
    body_html = CASE WHEN content::json ->> 'format' = 'rendered' THEN content::json ->> 'html' ELSE '' END,
    attachment_name = content::json -> 'attachment' ->> 'file_name',
    attachment_type = content::json -> 'attachment' ->> 'media_type',
    attachment = content::json -> 'attachment' ->> 'content';
ALTER TABLE outbox ALTER COLUMN body_text SET NOT NULL, ALTER COLUMN body_html SET NOT NULL;
ALTER TABLE outbox DROP COLUMN content;
ALTER TABLE outbox ADD CONSTRAINT outbox_message_id_key UNIQUE (message_id);
