-- The conflict checks read a resource's (or a person's) bookings of the
-- last two days of start times and keep the few that still meet the time
-- asked for. With the end (busy_until / ends_at) and the status in the
-- index, SQLite rules the others out from the index alone instead of
-- reading each row: the no-overlap trigger, the resource check and the
-- one-person-one-seat check all stay index scans. A busy computer booked
-- in 15-minute slots has a hundred or more bookings in that range.
--
-- Every index is written on every booking, and each page written is
-- flushed at commit: the partial active-bookings index is dropped (the
-- covering index answers everything it did), and only bookings of a
-- series are indexed by series.
DROP INDEX bookings_active_by_resource;
DROP INDEX bookings_by_resource;
CREATE INDEX bookings_by_resource ON bookings(resource_id, starts_at, busy_until, status);
DROP INDEX bookings_by_owner;
CREATE INDEX bookings_by_owner ON bookings(owner_id, starts_at, ends_at, status);
DROP INDEX bookings_by_series;
CREATE INDEX bookings_by_series ON bookings(series_id) WHERE series_id IS NOT NULL;
