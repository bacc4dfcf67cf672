DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
DROP TRIGGER bookings_longest_update ON bookings;
DROP TRIGGER bookings_longest_insert ON bookings;
DROP FUNCTION bookings_raise_longest();
ALTER TABLE users DROP COLUMN longest_booking_seconds;
ALTER TABLE resources DROP COLUMN longest_hold_seconds;
