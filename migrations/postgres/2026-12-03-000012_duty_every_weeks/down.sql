ALTER TABLE duties DROP COLUMN every_weeks;
