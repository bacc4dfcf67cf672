DROP INDEX bookings_by_series;
CREATE INDEX bookings_by_series ON bookings(series_id);
DROP INDEX bookings_by_owner;
CREATE INDEX bookings_by_owner ON bookings(owner_id, starts_at);
DROP INDEX bookings_by_resource;
CREATE INDEX bookings_by_resource ON bookings(resource_id, starts_at);
CREATE INDEX bookings_active_by_resource ON bookings(resource_id, starts_at)
    WHERE status IN ('pending', 'confirmed');
