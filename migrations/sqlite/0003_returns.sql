-- Returns (issue 4): what the import and the web form need beyond 0001, and the rules that make a submitted
-- return an immutable record.
--
-- A return is written whole as a draft (the preview of an upload), then submitted on the uploader's confirmation,
-- then accepted or returned by the direct customs. Only a draft's rows may change or be deleted; a submitted
-- return's content never changes again, and its status moves only forward:
--   draft → submitted → accepted | returned;  submitted | returned | accepted → superseded (by a newer return of
--   the same office and period). A return was accepted on the date of its `accepted` verification, whatever its
--   status became later, so history is never lost.

ALTER TABLE returns ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';    -- JSON list of the import's warnings
ALTER TABLE return_items ADD COLUMN elements_missing TEXT NOT NULL DEFAULT '[]';  -- JSON list of element ordinals

-- The workbook as uploaded, kept as the evidence of what the office sent.
CREATE TABLE return_files (
    return_id  INTEGER PRIMARY KEY REFERENCES returns(id) ON DELETE CASCADE,
    file_name  TEXT NOT NULL,
    bytes      BLOB NOT NULL
);

CREATE INDEX returns_status ON returns (status);
CREATE INDEX verifications_return ON verifications (return_id);

CREATE TRIGGER returns_key_frozen BEFORE UPDATE OF office_id, period, catalog_version_id, content_sha256, source,
    template_version, warnings ON returns
BEGIN
    SELECT RAISE(ABORT, 'the content of a return never changes');
END;

CREATE TRIGGER returns_status_forward BEFORE UPDATE OF status ON returns
WHEN NOT ((OLD.status = 'draft' AND NEW.status = 'submitted')
       OR (OLD.status = 'submitted' AND NEW.status IN ('accepted', 'returned', 'superseded'))
       OR (OLD.status IN ('returned', 'accepted') AND NEW.status = 'superseded')
       OR OLD.status = NEW.status)
BEGIN
    SELECT RAISE(ABORT, 'a return''s status moves only forward');
END;

CREATE TRIGGER returns_no_delete BEFORE DELETE ON returns WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'only a draft return may be deleted');
END;

CREATE TRIGGER return_items_frozen_insert BEFORE INSERT ON return_items
WHEN (SELECT status FROM returns WHERE id = NEW.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;
CREATE TRIGGER return_items_frozen_update BEFORE UPDATE ON return_items
WHEN (SELECT status FROM returns WHERE id = OLD.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;
CREATE TRIGGER return_items_frozen_delete BEFORE DELETE ON return_items
WHEN (SELECT status FROM returns WHERE id = OLD.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;
CREATE TRIGGER return_requirements_frozen_insert BEFORE INSERT ON return_requirements
WHEN (SELECT status FROM returns WHERE id = NEW.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;
CREATE TRIGGER return_requirements_frozen_update BEFORE UPDATE ON return_requirements
WHEN (SELECT status FROM returns WHERE id = OLD.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;
CREATE TRIGGER return_requirements_frozen_delete BEFORE DELETE ON return_requirements
WHEN (SELECT status FROM returns WHERE id = OLD.return_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is immutable');
END;

-- Verifications are a record of decisions: never changed, never deleted.
CREATE TRIGGER verifications_no_update BEFORE UPDATE ON verifications
BEGIN
    SELECT RAISE(ABORT, 'verifications are append-only');
END;
CREATE TRIGGER verifications_no_delete BEFORE DELETE ON verifications
BEGIN
    SELECT RAISE(ABORT, 'verifications are append-only');
END;
