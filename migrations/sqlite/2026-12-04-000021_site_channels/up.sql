-- Group-chat robots and outgoing webhooks of a site (issue 24). What goes
-- to each is chosen per channel (`topics`, comma-separated event types).
-- The address and the secret are written, replaced, and read only by the
-- sender: no answer of the API or a page gives them back.
CREATE TABLE site_channels (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    -- wecom, dingtalk, feishu or webhook.
    kind        TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    -- DingTalk's and Feishu's signing secret, the webhook's HMAC key.
    secret      TEXT,
    topics      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (site_id, name)
);

-- A message to a channel rides the mail outbox: queued in the change's
-- transaction, retried, parked as dead. Its channel is named here, and a
-- removed channel takes its queue with it.
ALTER TABLE outbox ADD COLUMN channel_id INTEGER REFERENCES site_channels(id) ON DELETE CASCADE;
CREATE INDEX outbox_by_channel ON outbox(channel_id, id) WHERE channel_id IS NOT NULL;

-- The union of the site's active channels' topics, kept by the channels
-- workflow in the same transaction. The site row is read by every change
-- anyway, so a change at a site without robots pays no query to find out.
ALTER TABLE sites ADD COLUMN channel_topics TEXT NOT NULL DEFAULT '';
