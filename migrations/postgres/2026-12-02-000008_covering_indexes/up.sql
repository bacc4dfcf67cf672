-- The conflict checks read a resource's (or a person's) bookings of the
-- last two days of start times and keep the few that still meet the time
-- asked for. With the end and the status carried in the index, the ones
-- that do not are ruled out without visiting the table (the overlap itself
-- is the exclusion constraint's job).
DROP INDEX bookings_by_resource;
CREATE INDEX bookings_by_resource ON bookings(resource_id, starts_at) INCLUDE (busy_until, status);
DROP INDEX bookings_by_owner;
CREATE INDEX bookings_by_owner ON bookings(owner_id, starts_at) INCLUDE (ends_at, status);
-- Only bookings of a series are indexed by series: every index is written
-- on every booking.
DROP INDEX bookings_by_series;
CREATE INDEX bookings_by_series ON bookings(series_id) WHERE series_id IS NOT NULL;
