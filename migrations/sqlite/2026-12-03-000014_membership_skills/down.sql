ALTER TABLE memberships DROP COLUMN invited_language;
ALTER TABLE memberships DROP COLUMN invited_name;
ALTER TABLE memberships DROP COLUMN joined_at;
CREATE TABLE user_skills (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    skill    TEXT NOT NULL,
    PRIMARY KEY (user_id, skill)
);
INSERT INTO user_skills (user_id, skill)
SELECT DISTINCT user_id, skill FROM membership_skills;
DROP TABLE membership_skills;
