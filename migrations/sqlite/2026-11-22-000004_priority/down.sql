DROP TABLE audit_log;
DROP TABLE waitlist;
ALTER TABLE bookings DROP COLUMN end_reason;
ALTER TABLE sites DROP COLUMN urgent_quota_per_week;
