DROP TABLE idempotency_keys;
DROP TRIGGER bookings_no_overlap_update;
DROP TRIGGER bookings_no_overlap_insert;
DROP TABLE bookings;
DROP TABLE booking_series;
DROP TABLE interest_groups;
DROP TABLE blackouts;
DROP TABLE resources;
