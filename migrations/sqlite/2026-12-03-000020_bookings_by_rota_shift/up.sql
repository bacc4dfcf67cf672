-- The desks a published rota shift booked are looked up by the shift on
-- every view of the rota ("my shifts", the console's rota): without an
-- index each look-up read every booking of the site's history (33 ms for
-- the shifts page with a year of bookings, issue 23). Partial: ordinary
-- bookings (no shift) add no entry, so a booking writes no extra page.
CREATE INDEX bookings_by_rota_shift ON bookings(rota_shift_id) WHERE rota_shift_id IS NOT NULL;
-- The same for the room a weekly duty booked.
CREATE INDEX bookings_by_duty ON bookings(duty_id) WHERE duty_id IS NOT NULL;
