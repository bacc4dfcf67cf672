-- Resources, blackouts, interest groups, bookings and their series, and
-- idempotency keys. The overlap guarantee lives in the triggers below: the
-- database itself refuses two active bookings whose blocked time
-- [starts_at, busy_until) overlaps on one resource, whoever writes them.

CREATE TABLE resources (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('computer', 'room', 'desk')),
    pool           TEXT,
    capacity       INTEGER,
    features       TEXT NOT NULL DEFAULT '[]',
    opening_hours  TEXT,
    rules          TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    retired_at     TIMESTAMP
);
CREATE INDEX resources_by_site ON resources(site_id, kind, pool);

CREATE TABLE blackouts (
    id           INTEGER PRIMARY KEY,
    resource_id  INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    reason       TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX blackouts_by_resource ON blackouts(resource_id, starts_at);

CREATE TABLE interest_groups (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    leader_id   INTEGER NOT NULL REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE booking_series (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    resource_id  INTEGER NOT NULL REFERENCES resources(id),
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    group_id     INTEGER REFERENCES interest_groups(id),
    pattern      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE bookings (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    resource_id    INTEGER NOT NULL REFERENCES resources(id),
    owner_id       INTEGER NOT NULL REFERENCES users(id),
    group_id       INTEGER REFERENCES interest_groups(id),
    series_id      INTEGER REFERENCES booking_series(id),
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    busy_until     TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'rejected', 'released')),
    urgency        TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'priority', 'urgent', 'emergency')),
    reason         TEXT,
    purpose        TEXT NOT NULL,
    headcount      INTEGER,
    flexible       BOOLEAN NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    checked_in_at  TIMESTAMP,
    ended_at       TIMESTAMP,
    ended_by       INTEGER REFERENCES users(id),
    CHECK (starts_at < ends_at),
    CHECK (ends_at <= busy_until),
    -- Bounds how far back an overlapping booking can start (see the triggers).
    CHECK (julianday(busy_until) - julianday(starts_at) <= 2)
);
CREATE INDEX bookings_by_resource ON bookings(resource_id, starts_at);
CREATE INDEX bookings_active_by_resource ON bookings(resource_id, starts_at)
    WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_by_owner ON bookings(owner_id, starts_at);
CREATE INDEX bookings_by_site ON bookings(site_id, starts_at, id);
CREATE INDEX bookings_by_series ON bookings(series_id);

CREATE TRIGGER bookings_no_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    FROM bookings b
    WHERE b.resource_id = NEW.resource_id
      AND b.status IN ('pending', 'confirmed')
      AND b.starts_at > datetime(NEW.starts_at, '-2 days')
      AND b.starts_at < NEW.busy_until
      AND NEW.starts_at < b.busy_until;
END;

CREATE TRIGGER bookings_no_overlap_update
BEFORE UPDATE OF status, resource_id, starts_at, ends_at, busy_until ON bookings
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    FROM bookings b
    WHERE b.id <> NEW.id
      AND b.resource_id = NEW.resource_id
      AND b.status IN ('pending', 'confirmed')
      AND b.starts_at > datetime(NEW.starts_at, '-2 days')
      AND b.starts_at < NEW.busy_until
      AND NEW.starts_at < b.busy_until;
END;

CREATE TABLE idempotency_keys (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    response      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
