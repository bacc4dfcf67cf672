ALTER TABLE users DROP COLUMN other_name;
