-- 以老带新: someone whose membership is younger than this many weeks is
-- new at the site and never sits at the desk without an experienced
-- colleague. 0 turns the rule off.
ALTER TABLE sites ADD COLUMN new_person_weeks INTEGER NOT NULL DEFAULT 4
    CONSTRAINT sites_new_person_weeks_range CHECK (new_person_weeks BETWEEN 0 AND 52);
