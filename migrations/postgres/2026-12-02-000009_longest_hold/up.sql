-- How far back a booking that still meets a given time can start: no
-- further than the longest time its resource (or, for the one-person-
-- one-seat check, its owner) has ever been held by one booking. The
-- conflict checks read back a fixed two days, so on a computer booked in
-- 15-minute slots every check read nearly two hundred entries to keep the
-- two or three that meet the time asked for. (The overlap guarantee itself
-- is the exclusion constraint's and needs no such bound.)
--
-- The trigger raises the figure whenever a booking is written or moved,
-- whatever its status, so it never falls below any booking's length
-- (rounded up to the next whole second). It only ever grows.
ALTER TABLE resources ADD COLUMN longest_hold_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN longest_booking_seconds BIGINT NOT NULL DEFAULT 0;

UPDATE resources SET longest_hold_seconds = COALESCE((
    SELECT MAX(CEIL(EXTRACT(EPOCH FROM (b.busy_until - b.starts_at)))::BIGINT + 1)
    FROM bookings b WHERE b.resource_id = resources.id), 0);
UPDATE users SET longest_booking_seconds = COALESCE((
    SELECT MAX(CEIL(EXTRACT(EPOCH FROM (b.ends_at - b.starts_at)))::BIGINT + 1)
    FROM bookings b WHERE b.owner_id = users.id), 0);

CREATE FUNCTION bookings_raise_longest() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hold BIGINT := CEIL(EXTRACT(EPOCH FROM (NEW.busy_until - NEW.starts_at)))::BIGINT + 1;
    span BIGINT := CEIL(EXTRACT(EPOCH FROM (NEW.ends_at - NEW.starts_at)))::BIGINT + 1;
BEGIN
    UPDATE resources SET longest_hold_seconds = hold
    WHERE id = NEW.resource_id AND longest_hold_seconds < hold;
    UPDATE users SET longest_booking_seconds = span
    WHERE id = NEW.owner_id AND longest_booking_seconds < span;
    RETURN NULL;
END;
$$;

CREATE TRIGGER bookings_longest_insert
AFTER INSERT ON bookings
FOR EACH ROW EXECUTE FUNCTION bookings_raise_longest();

CREATE TRIGGER bookings_longest_update
AFTER UPDATE OF resource_id, owner_id, starts_at, ends_at, busy_until ON bookings
FOR EACH ROW EXECUTE FUNCTION bookings_raise_longest();

-- The mail worker claims the oldest due messages that no live lease holds:
-- with the lease in the index it rules held ones out without the table.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at) INCLUDE (locked_until);
