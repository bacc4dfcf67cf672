ALTER TABLE sites DROP COLUMN new_person_weeks;
