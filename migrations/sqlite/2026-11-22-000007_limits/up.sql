-- A site-wide cap on how many future bookings one person may hold, so a
-- runaway script or a careless loop cannot fill every resource. NULL: no cap.
ALTER TABLE sites ADD COLUMN max_future_bookings_per_person INTEGER DEFAULT 200;
