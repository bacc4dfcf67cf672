-- Urgency-based priority: the waitlist, the audit trail, the per-site
-- urgent quota, and why a booking ended.

ALTER TABLE sites ADD COLUMN urgent_quota_per_week INTEGER NOT NULL DEFAULT 3;
ALTER TABLE bookings ADD COLUMN end_reason TEXT;

CREATE TABLE waitlist (
    id                 INTEGER PRIMARY KEY,
    site_id            INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    owner_id           INTEGER NOT NULL REFERENCES users(id),
    resource_id        INTEGER REFERENCES resources(id),
    pool               TEXT,
    starts_at          TIMESTAMP NOT NULL,
    ends_at            TIMESTAMP NOT NULL,
    latest_start       TIMESTAMP NOT NULL,
    urgency            TEXT NOT NULL,
    reason             TEXT,
    purpose            TEXT NOT NULL,
    headcount          INTEGER,
    group_id           INTEGER REFERENCES interest_groups(id),
    flexible           BOOLEAN NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'served', 'expired', 'cancelled')),
    requested_at       TIMESTAMP NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    ended_at           TIMESTAMP,
    served_booking_id  INTEGER REFERENCES bookings(id),
    displaced_booking_id INTEGER REFERENCES bookings(id),
    CHECK (starts_at < ends_at),
    CHECK (starts_at <= latest_start)
);
CREATE INDEX waitlist_waiting ON waitlist(site_id, status);

CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY,
    site_id           INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    at                TIMESTAMP NOT NULL,
    actor_id          INTEGER REFERENCES users(id),
    action            TEXT NOT NULL,
    booking_id        INTEGER,
    other_booking_id  INTEGER,
    subject_user_id   INTEGER REFERENCES users(id),
    urgency           TEXT,
    reason            TEXT,
    details           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_site ON audit_log(site_id, at);
