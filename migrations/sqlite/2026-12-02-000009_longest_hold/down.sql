DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

DROP TRIGGER bookings_no_overlap_update;
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

DROP TRIGGER bookings_no_overlap_insert;
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

DROP TRIGGER bookings_longest_update;
DROP TRIGGER bookings_longest_insert;
ALTER TABLE users DROP COLUMN longest_booking_seconds;
ALTER TABLE resources DROP COLUMN longest_hold_seconds;
