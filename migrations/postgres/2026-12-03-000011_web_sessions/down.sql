DROP INDEX sessions_web_token;
ALTER TABLE sessions DROP COLUMN web_token_hash;
