-- What a site admin may change belongs to the membership at that site, not
-- the account (issue 19, 2): skills move from user_skills (one list per
-- account, which every site's admin could rewrite) to one list per
-- membership, each membership starting with the skills the account had.
CREATE TABLE membership_skills (
    site_id  INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    skill    TEXT NOT NULL,
    PRIMARY KEY (site_id, user_id, skill),
    FOREIGN KEY (site_id, user_id) REFERENCES memberships(site_id, user_id) ON DELETE CASCADE
);
INSERT INTO membership_skills (site_id, user_id, skill)
SELECT m.site_id, m.user_id, s.skill
FROM memberships m JOIN user_skills s ON s.user_id = m.user_id;
DROP TABLE user_skills;

-- A person added by a site admin is a member only once they accept the
-- invitation (joined_at set); until then the site sees only what its admin
-- typed (invited_name, invited_language), never the account's own data.
-- Memberships made before this migration count as joined.
ALTER TABLE memberships ADD COLUMN joined_at TIMESTAMP;
UPDATE memberships SET joined_at = created_at;
ALTER TABLE memberships ADD COLUMN invited_name TEXT;
ALTER TABLE memberships ADD COLUMN invited_language TEXT;
