-- How far back a booking that still meets a given time can start: no
-- further than the longest time its resource (or, for the one-person-
-- one-seat check, its owner) has ever been held by one booking. The
-- conflict checks used a fixed two days, so on a computer booked in
-- 15-minute slots every check read two days of bookings (nearly two
-- hundred) to keep the two or three that meet the time asked for.
--
-- The triggers below raise the figure whenever a booking is written or
-- moved, whatever its status, so it never falls below any booking's
-- length (rounded up to the next whole second): it is safe to read it
-- instead of two days. It only ever grows; the schema still caps a
-- booking at two days.
ALTER TABLE resources ADD COLUMN longest_hold_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN longest_booking_seconds INTEGER NOT NULL DEFAULT 0;

UPDATE resources SET longest_hold_seconds = COALESCE((
    SELECT MAX(CAST((julianday(b.busy_until) - julianday(b.starts_at)) * 86400 AS INTEGER) + 1)
    FROM bookings b WHERE b.resource_id = resources.id), 0);
UPDATE users SET longest_booking_seconds = COALESCE((
    SELECT MAX(CAST((julianday(b.ends_at) - julianday(b.starts_at)) * 86400 AS INTEGER) + 1)
    FROM bookings b WHERE b.owner_id = users.id), 0);

CREATE TRIGGER bookings_longest_insert
AFTER INSERT ON bookings
BEGIN
    UPDATE resources
    SET longest_hold_seconds = CAST((julianday(NEW.busy_until) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1
    WHERE id = NEW.resource_id
      AND longest_hold_seconds < CAST((julianday(NEW.busy_until) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1;
    UPDATE users
    SET longest_booking_seconds = CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1
    WHERE id = NEW.owner_id
      AND longest_booking_seconds < CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1;
END;

CREATE TRIGGER bookings_longest_update
AFTER UPDATE OF resource_id, owner_id, starts_at, ends_at, busy_until ON bookings
BEGIN
    UPDATE resources
    SET longest_hold_seconds = CAST((julianday(NEW.busy_until) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1
    WHERE id = NEW.resource_id
      AND longest_hold_seconds < CAST((julianday(NEW.busy_until) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1;
    UPDATE users
    SET longest_booking_seconds = CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1
    WHERE id = NEW.owner_id
      AND longest_booking_seconds < CAST((julianday(NEW.ends_at) - julianday(NEW.starts_at)) * 86400 AS INTEGER) + 1;
END;

-- The overlap guarantee, reading back only as far as the resource's
-- longest hold. Every existing booking raised that figure when it was
-- written, so any that overlaps the new one starts within it.
DROP TRIGGER bookings_no_overlap_insert;
CREATE TRIGGER bookings_no_overlap_insert
BEFORE INSERT ON bookings
WHEN NEW.status IN ('pending', 'confirmed')
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    FROM bookings b
    WHERE b.resource_id = NEW.resource_id
      AND b.status IN ('pending', 'confirmed')
      AND b.starts_at > datetime(NEW.starts_at, printf('-%d seconds',
            (SELECT r.longest_hold_seconds + 1 FROM resources r WHERE r.id = NEW.resource_id)))
      AND b.starts_at < NEW.busy_until
      AND NEW.starts_at < b.busy_until;
END;

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
      AND b.starts_at > datetime(NEW.starts_at, printf('-%d seconds',
            (SELECT r.longest_hold_seconds + 1 FROM resources r WHERE r.id = NEW.resource_id)))
      AND b.starts_at < NEW.busy_until
      AND NEW.starts_at < b.busy_until;
END;

-- The mail worker claims the oldest due messages that no live lease
-- holds. Ordered by id, SQLite read every pending row (each with its
-- rendered bodies) and sorted them to find twenty; with the lease in the
-- index and the order by due time, it reads the first few entries.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, locked_until);
