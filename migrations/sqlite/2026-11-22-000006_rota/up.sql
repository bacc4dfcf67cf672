-- The front-desk rota: weekly shift templates, staff unavailability, shifts
-- with draft and published assignees, published versions, swaps, and
-- personal calendar feed tokens.

ALTER TABLE memberships ADD COLUMN max_shifts_per_week INTEGER;
ALTER TABLE bookings ADD COLUMN rota_shift_id INTEGER;

CREATE TABLE rota_templates (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER NOT NULL,
    end_minute    INTEGER NOT NULL,
    positions     INTEGER NOT NULL CHECK (positions >= 1),
    label         TEXT NOT NULL,
    desk_pool     TEXT,
    CHECK (start_minute < end_minute)
);

CREATE TABLE staff_unavailability (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX unavailability_by_site ON staff_unavailability(site_id, starts_at);

CREATE TABLE rota_shifts (
    id                   INTEGER PRIMARY KEY,
    site_id              INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    date                 DATE NOT NULL,
    starts_at            TIMESTAMP NOT NULL,
    ends_at              TIMESTAMP NOT NULL,
    label                TEXT NOT NULL,
    positions            INTEGER NOT NULL,
    desk_pool            TEXT,
    template_key         TEXT NOT NULL,
    assignees            TEXT NOT NULL DEFAULT '',
    published_assignees  TEXT,
    published_version    INTEGER,
    offered_by           INTEGER REFERENCES users(id),
    offered_at           TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    UNIQUE (site_id, date, template_key)
);
CREATE INDEX rota_shifts_by_site ON rota_shifts(site_id, starts_at);

CREATE TABLE rota_versions (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    from_date     DATE NOT NULL,
    to_date       DATE NOT NULL,
    changed       INTEGER NOT NULL,
    published_by  INTEGER REFERENCES users(id),
    published_at  TIMESTAMP NOT NULL,
    UNIQUE (site_id, version)
);

CREATE TABLE rota_swaps (
    id          INTEGER PRIMARY KEY,
    shift_id    INTEGER NOT NULL REFERENCES rota_shifts(id) ON DELETE CASCADE,
    from_user   INTEGER NOT NULL REFERENCES users(id),
    to_user     INTEGER REFERENCES users(id),
    offered_at  TIMESTAMP NOT NULL,
    taken_at    TIMESTAMP,
    flagged_at  TIMESTAMP
);

CREATE TABLE feed_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);
