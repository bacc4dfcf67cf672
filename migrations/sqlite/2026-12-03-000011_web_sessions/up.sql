-- A session signed in from the web pages carries a cookie instead of
-- refresh tokens. Only the cookie's SHA-256 is kept, as for refresh tokens;
-- the row is an ordinary session, so signing out everywhere, a password
-- change or a reset end it like any other.
ALTER TABLE sessions ADD COLUMN web_token_hash TEXT;
CREATE UNIQUE INDEX sessions_web_token ON sessions(web_token_hash);
