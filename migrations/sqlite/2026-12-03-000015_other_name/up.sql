-- A name in a second language (e.g. "Auntie Lin" beside 林阿姨), kept apart
-- from the name as the person gives it.
ALTER TABLE users ADD COLUMN other_name TEXT;
