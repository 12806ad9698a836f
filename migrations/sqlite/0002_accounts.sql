-- Accounts, roles bound to offices, server-side sessions, sign-in attempts and API tokens (SQLite).
-- Append-only: never edit a released migration, add a new one. Conventions as in 0001: instants are TEXT RFC 3339
-- in UTC ('YYYY-MM-DDTHH:MM:SS.sssZ', so text order is time order), written by the application.

-- ---------------------------------------------------------------------------------------------------------------
-- A role held by a user, bound to one office. The office must be of the kind the role requires (the application
-- checks it when the grant is made; the triggers below keep a hand-edited database honest too).
CREATE TABLE user_roles (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('hq_admin', 'hq_viewer', 'district_admin', 'district_viewer', 'office_filer')),
    office_id  INTEGER NOT NULL REFERENCES offices(id),
    granted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    granted_by INTEGER REFERENCES users(id),
    UNIQUE (user_id, role, office_id)
);
CREATE INDEX user_roles_office ON user_roles (office_id);

CREATE TRIGGER user_roles_office_kind BEFORE INSERT ON user_roles
WHEN (SELECT kind FROM offices WHERE id = NEW.office_id) IS NOT CASE
    WHEN NEW.role IN ('hq_admin', 'hq_viewer') THEN 'headquarters'
    WHEN NEW.role IN ('district_admin', 'district_viewer') THEN 'direct_customs'
    ELSE 'subordinate' END
BEGIN
    SELECT RAISE(ABORT, 'user_roles: the office kind does not fit the role');
END;

-- ---------------------------------------------------------------------------------------------------------------
-- Server-side sessions. The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
-- does not let anyone sign in. A session ends at `ended_at` (sign-out, expiry, password change, account disabled)
-- and is never reused; `expires_at` is the absolute limit, idle expiry is computed from `last_seen_at`.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL CHECK (length(csrf_token) >= 32),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    remote_addr  TEXT,
    user_agent   TEXT,
    ended_at     TEXT,
    end_reason   TEXT CHECK (end_reason IN ('signed_out', 'expired', 'password_changed', 'disabled')),
    CHECK (expires_at > created_at),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX sessions_open_of_user ON sessions (user_id) WHERE ended_at IS NULL;

-- ---------------------------------------------------------------------------------------------------------------
-- Every sign-in attempt, for throttling per account and per address (the windows are read by the indexes).
-- `username` is what was typed (normalised), whether or not such an account exists.
CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL,
    remote_addr TEXT,
    at          TEXT NOT NULL,
    succeeded   INTEGER NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX login_attempts_by_username ON login_attempts (username, at);
CREATE INDEX login_attempts_by_addr ON login_attempts (remote_addr, at);

-- ---------------------------------------------------------------------------------------------------------------
-- Tokens of machine clients (HQ's other systems), sent as `Authorization: Bearer gk_…`. Shown once when created;
-- only the SHA-256 and a readable prefix are stored. Each token holds one role bound to one office, like a grant.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) > 0),
    token_prefix TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
    role         TEXT NOT NULL CHECK (role IN ('hq_admin', 'hq_viewer', 'district_admin', 'district_viewer', 'office_filer')),
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

CREATE TRIGGER api_tokens_office_kind BEFORE INSERT ON api_tokens
WHEN (SELECT kind FROM offices WHERE id = NEW.office_id) IS NOT CASE
    WHEN NEW.role IN ('hq_admin', 'hq_viewer') THEN 'headquarters'
    WHEN NEW.role IN ('district_admin', 'district_viewer') THEN 'direct_customs'
    ELSE 'subordinate' END
BEGIN
    SELECT RAISE(ABORT, 'api_tokens: the office kind does not fit the role');
END;
