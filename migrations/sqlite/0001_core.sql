-- Gongkai core schema (SQLite). Append-only: never edit a released migration, add a new one.
--
-- Conventions: dates are TEXT 'YYYY-MM-DD'; instants are TEXT RFC 3339 in UTC; typed rules and small lists are
-- TEXT holding JSON written by the application (serde), so the same documents work on PostgreSQL later.
-- Half-open validity: a row is in force on day d when valid_from <= d AND (valid_to IS NULL OR d < valid_to).

-- ---------------------------------------------------------------------------------------------------------------
-- Settings of the installation (demo mode, data-file fingerprints).
CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- ---------------------------------------------------------------------------------------------------------------
-- Users and roles (accounts and sessions arrive with the access-control work; roles are bound to an office).
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- ---------------------------------------------------------------------------------------------------------------
-- Offices over time. An office is a stable code; its name, parent and existence are versions.
CREATE TABLE offices (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE CHECK (length(code) = 4),
    kind       TEXT NOT NULL CHECK (kind IN ('headquarters', 'direct_customs', 'subordinate')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One import of the office list (a file through `gongkai offices import`, the bundled list, or the demo set).
CREATE TABLE office_imports (
    id             INTEGER PRIMARY KEY,
    source_name    TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    is_sample      INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1)),
    rows_read      INTEGER NOT NULL,
    offices_added  INTEGER NOT NULL,
    offices_changed INTEGER NOT NULL,
    imported_by    INTEGER REFERENCES users(id),
    imported_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE office_versions (
    id         INTEGER PRIMARY KEY,
    office_id  INTEGER NOT NULL REFERENCES offices(id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) > 0),
    parent_id  INTEGER REFERENCES offices(id),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    note       TEXT NOT NULL DEFAULT '',
    is_sample  INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1)),
    import_id  INTEGER REFERENCES office_imports(id),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (office_id, valid_from)
);
CREATE INDEX office_versions_parent ON office_versions (parent_id, valid_from);

-- ---------------------------------------------------------------------------------------------------------------
-- Catalogs: the standard catalog issued by HQ, and district catalogs (关区目录) derived from it by a direct customs.
CREATE TABLE catalog_versions (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    document_number TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    scope           TEXT NOT NULL CHECK (scope IN ('standard', 'district')),
    owner_office_id INTEGER REFERENCES offices(id),
    based_on_id     INTEGER REFERENCES catalog_versions(id),
    status          TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'superseded')),
    published_on    TEXT,
    published_url   TEXT,
    source_sha256   TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK ((scope = 'standard' AND owner_office_id IS NULL) OR (scope = 'district' AND owner_office_id IS NOT NULL))
);

CREATE TABLE catalog_bases (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES catalog_versions(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    symbol     TEXT NOT NULL,
    title      TEXT NOT NULL,
    UNIQUE (version_id, number)
);

CREATE TABLE catalog_remarks (
    version_id INTEGER NOT NULL REFERENCES catalog_versions(id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    label      TEXT NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (version_id, ordinal)
);

CREATE TABLE catalog_groups (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES catalog_versions(id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (version_id, number)
);

CREATE TABLE catalog_items (
    id              INTEGER PRIMARY KEY,
    version_id      INTEGER NOT NULL REFERENCES catalog_versions(id) ON DELETE CASCADE,
    group_id        INTEGER NOT NULL REFERENCES catalog_groups(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    name            TEXT NOT NULL,
    time_limit_text TEXT NOT NULL,
    time_limit_rule TEXT NOT NULL,          -- JSON TimeLimitRule
    subject_text    TEXT NOT NULL,
    audience        TEXT NOT NULL,          -- JSON list
    modes           TEXT NOT NULL,          -- JSON list
    notes_text      TEXT,
    notes_gap       TEXT,                   -- JSON TextGap; the lost part stays visible and editable
    applicable      INTEGER NOT NULL DEFAULT 1 CHECK (applicable IN (0, 1)), -- a district catalog may mark an item 不适用
    UNIQUE (version_id, number)
);

CREATE TABLE catalog_item_bases (
    item_id  INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    basis_id INTEGER NOT NULL REFERENCES catalog_bases(id) ON DELETE CASCADE,
    ordinal  INTEGER NOT NULL,
    PRIMARY KEY (item_id, basis_id)
);

CREATE TABLE catalog_elements (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    ordinal         INTEGER NOT NULL,
    text            TEXT NOT NULL,
    gap             TEXT,                   -- JSON TextGap
    time_limit_text TEXT,
    time_limit_rule TEXT,                   -- JSON TimeLimitRule overriding the item's
    UNIQUE (item_id, ordinal)
);

CREATE TABLE catalog_item_subjects (
    item_id         INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    element_ordinal INTEGER,                -- NULL: the whole item
    ordinal         INTEGER NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('headquarters', 'direct_customs', 'subordinate')),
    UNIQUE (item_id, element_ordinal, level)
);

CREATE TABLE catalog_item_channels (
    item_id     INTEGER NOT NULL REFERENCES catalog_items(id) ON DELETE CASCADE,
    code        TEXT NOT NULL CHECK (code IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H')),
    name        TEXT NOT NULL,
    recommended INTEGER NOT NULL CHECK (recommended IN (0, 1)),
    detail      TEXT,
    PRIMARY KEY (item_id, code)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Rollout records of a direct customs: its implementation plan (实施方案, M2) and pilot offices (试点, M3).
CREATE TABLE implementation_plans (
    id              INTEGER PRIMARY KEY,
    office_id       INTEGER NOT NULL REFERENCES offices(id),
    title           TEXT NOT NULL,
    document_number TEXT,
    filed_on        TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE pilot_designations (
    id            INTEGER PRIMARY KEY,
    district_id   INTEGER NOT NULL REFERENCES offices(id),
    office_id     INTEGER NOT NULL REFERENCES offices(id),
    designated_on TEXT NOT NULL,
    withdrawn_on  TEXT,
    UNIQUE (district_id, office_id, designated_on)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Returns (填报): one office, one reporting period, one catalog version. Resubmission supersedes; history stays.
CREATE TABLE returns (
    id                 INTEGER PRIMARY KEY,
    office_id          INTEGER NOT NULL REFERENCES offices(id),
    period             TEXT NOT NULL,              -- e.g. '2022-H2', '2023-Q1'
    catalog_version_id INTEGER NOT NULL REFERENCES catalog_versions(id),
    template_version   TEXT,
    source             TEXT NOT NULL CHECK (source IN ('excel', 'web', 'demo')),
    source_name        TEXT,
    content_sha256     TEXT,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned', 'superseded')),
    supersedes_id      INTEGER REFERENCES returns(id),
    submitted_by       INTEGER REFERENCES users(id),
    submitted_at       TEXT,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (office_id, period, content_sha256)
);
CREATE INDEX returns_office_period ON returns (office_id, period);

-- One catalog item (or element, where the rule differs per element) as reported.
CREATE TABLE return_items (
    id              INTEGER PRIMARY KEY,
    return_id       INTEGER NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    item_number     INTEGER NOT NULL,
    element_ordinal INTEGER,                      -- NULL: the whole item
    disclosed       TEXT NOT NULL CHECK (disclosed IN ('yes', 'no', 'not_applicable')),
    channels        TEXT NOT NULL DEFAULT '[]',   -- JSON list of channel codes
    other_channel   TEXT,
    location        TEXT,                         -- 公开位置或网址
    formed_on       TEXT,                         -- 信息形成或变更日期
    published_on    TEXT,                         -- 公开日期
    note            TEXT,
    UNIQUE (return_id, item_number, element_ordinal)
);

-- The guide's requirements beyond the catalog (指引 三–二十), as reported.
CREATE TABLE return_requirements (
    id              INTEGER PRIMARY KEY,
    return_id       INTEGER NOT NULL REFERENCES returns(id) ON DELETE CASCADE,
    requirement     TEXT NOT NULL,                -- stable code of the requirement
    fulfilled       TEXT NOT NULL CHECK (fulfilled IN ('yes', 'no', 'not_applicable')),
    evidence        TEXT,
    count_value     INTEGER,
    UNIQUE (return_id, requirement)
);

-- The direct customs' decision on a return; 'returned' carries a reason per item.
CREATE TABLE verifications (
    id          INTEGER PRIMARY KEY,
    return_id   INTEGER NOT NULL REFERENCES returns(id),
    decision    TEXT NOT NULL CHECK (decision IN ('accepted', 'returned')),
    decided_by  INTEGER REFERENCES users(id),
    decided_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    comment     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE verification_reasons (
    verification_id INTEGER NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
    item_number     INTEGER,
    requirement     TEXT,
    reason          TEXT NOT NULL CHECK (length(reason) > 0)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Assessment: versioned scoring schemes configured by HQ; every score is explained line by line.
CREATE TABLE assessment_schemes (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    definition  TEXT NOT NULL,                   -- JSON scheme (weights, deductions, bands, vetoes)
    valid_from  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    office_id   INTEGER NOT NULL REFERENCES offices(id),
    scheme_id   INTEGER NOT NULL REFERENCES assessment_schemes(id),
    return_id   INTEGER REFERENCES returns(id),
    as_of       TEXT NOT NULL,
    score       REAL NOT NULL,
    grade       TEXT NOT NULL,
    computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE assessment_lines (
    assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,
    item_number   INTEGER,
    rule          TEXT NOT NULL,
    points        REAL NOT NULL,
    explanation   TEXT NOT NULL,
    PRIMARY KEY (assessment_id, ordinal)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Notices (通报) issued by a direct customs or HQ: commendation, rectification order, criticism, information.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY,
    issuer_id       INTEGER NOT NULL REFERENCES offices(id),
    kind            TEXT NOT NULL CHECK (kind IN ('commendation', 'rectification', 'criticism', 'information')),
    document_number TEXT,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    issued_on       TEXT,
    rectify_by      TEXT,
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE notice_targets (
    notice_id    INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    office_id    INTEGER NOT NULL REFERENCES offices(id),
    responded_on TEXT,
    response     TEXT,
    PRIMARY KEY (notice_id, office_id)
);

-- ---------------------------------------------------------------------------------------------------------------
-- Audit trail: every write, append-only (enforced by triggers, for everyone).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor       TEXT NOT NULL,                   -- user name, or 'cli', 'system'
    user_id     INTEGER REFERENCES users(id),
    office_id   INTEGER REFERENCES offices(id),
    remote_addr TEXT,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT,
    summary     TEXT NOT NULL,
    before      TEXT,                            -- JSON summary
    after       TEXT                             -- JSON summary
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
