-- Requests refused because every fitting resource was taken (issue 22,
-- report 2: "requests refused"). A refusal otherwise writes nothing, so
-- without this row the quarterly check could not say who went without a
-- computer. Only the time asked for and by whom; never the purpose.
CREATE TABLE booking_refusals (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resource_kind  TEXT NOT NULL,
    -- The resource named, or none for a request to a pool.
    resource_id    INTEGER REFERENCES resources(id) ON DELETE SET NULL,
    starts_at      TIMESTAMP NOT NULL,
    ends_at        TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX booking_refusals_by_site ON booking_refusals(site_id, resource_kind, starts_at);
