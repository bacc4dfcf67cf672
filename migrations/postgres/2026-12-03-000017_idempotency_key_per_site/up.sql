-- An Idempotency-Key belongs to one person at one site (issue 19, 12): the
-- same key sent to two sites must not replay the other site's answer.
-- Stored answers cannot be given their site after the fact; they only
-- serve retries of the last moments, so they are let go.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id       BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    response      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, site_id, key)
);
