DROP TABLE idempotency_keys;
DROP TABLE bookings;
DROP TABLE booking_series;
DROP TABLE interest_groups;
DROP TABLE blackouts;
DROP TABLE resources;
