DROP TABLE duty_attendance;
DROP TABLE duty_absences;
DROP TABLE duty_signups;
DROP TABLE duties;
DROP TABLE site_calendar;
ALTER TABLE bookings DROP COLUMN duty_id;
ALTER TABLE sites DROP COLUMN duty_reminder_time;
