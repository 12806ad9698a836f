-- Holiday arrangements of years the program does not bundle (issue 5): when the State Council publishes a new
-- year's 全国年节及纪念日放假安排, headquarters imports it (`gongkai calendar import`, or 系统管理 › 工作日历) and every
-- clock counts working days in that year from then on. A row is never changed or deleted: a correction is a new
-- row for the same year, and the latest row of a year is the one in force. Years bundled with the program are
-- not imported (the import refuses them), so the bundled, tested arrangements cannot be overridden by accident.
CREATE TABLE calendar_years (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    notice      TEXT NOT NULL CHECK (length(notice) > 0),
    definition  TEXT NOT NULL,                   -- JSON arrangement: holiday periods and make-up working days
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX calendar_years_year ON calendar_years (year, id);
CREATE TRIGGER calendar_years_frozen BEFORE UPDATE ON calendar_years
BEGIN
    SELECT RAISE(ABORT, 'an imported holiday arrangement cannot be changed; import a correction');
END;
CREATE TRIGGER calendar_years_kept BEFORE DELETE ON calendar_years
BEGIN
    SELECT RAISE(ABORT, 'an imported holiday arrangement cannot be deleted');
END;

-- The dashboards cache their figures until the data they read changes. Every such change is audited, so the
-- newest audit entry of the entity types they read is the data's generation; this index answers it at once.
CREATE INDEX audit_log_type_id ON audit_log (entity_type, id);
