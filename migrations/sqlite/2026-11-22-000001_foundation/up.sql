-- Foundation: sites, people, memberships, sign-in state.
-- Instants are UTC, stored as diesel's TIMESTAMP text ("YYYY-MM-DD HH:MM:SS[.ffffff]"),
-- which sorts and compares correctly as text.

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    password_hash        TEXT,
    language             TEXT NOT NULL DEFAULT 'zh-CN',
    is_operator          BOOLEAN NOT NULL DEFAULT 0,
    created_at           TIMESTAMP NOT NULL,
    password_changed_at  TIMESTAMP
);

CREATE TABLE user_skills (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    skill    TEXT NOT NULL,
    PRIMARY KEY (user_id, skill)
);

CREATE TABLE memberships (
    site_id          INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_admin         BOOLEAN NOT NULL DEFAULT 0,
    is_staff         BOOLEAN NOT NULL DEFAULT 0,
    is_volunteer     BOOLEAN NOT NULL DEFAULT 0,
    is_group_leader  BOOLEAN NOT NULL DEFAULT 0,
    senior           BOOLEAN NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at      TIMESTAMP NOT NULL,
    revoked_at      TIMESTAMP,
    revoked_reason  TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens(session_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    failed_at  TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures(email, failed_at);

CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id      INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    accepted_at  TIMESTAMP
);
CREATE INDEX invitations_by_user ON invitations(user_id);

CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
