ALTER TABLE sites DROP COLUMN max_future_bookings_per_person;
