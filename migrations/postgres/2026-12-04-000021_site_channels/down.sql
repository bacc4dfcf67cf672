DELETE FROM outbox WHERE channel_id IS NOT NULL;
DROP INDEX outbox_by_channel;
ALTER TABLE outbox DROP COLUMN channel_id;
ALTER TABLE sites DROP COLUMN channel_topics;
DROP TABLE site_channels;
