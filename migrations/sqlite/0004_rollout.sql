-- Rollout records of a direct customs that the milestones read (issue 5): the publication of its district catalog
-- (M1). Its implementation plan (M2) and pilot designations (M3) have their tables since 0001. The content of a
-- district catalog (关区目录) is edited in a later issue; the publication is a record of its own, so M1 can be
-- judged before then and keeps its date whatever later editions of the catalog change.
CREATE TABLE district_catalog_publications (
    id              INTEGER PRIMARY KEY,
    district_id     INTEGER NOT NULL REFERENCES offices(id),
    title           TEXT NOT NULL CHECK (length(title) > 0),
    document_number TEXT,
    published_on    TEXT NOT NULL,
    url             TEXT,
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX district_catalog_publications_district ON district_catalog_publications (district_id, published_on);
CREATE INDEX implementation_plans_office ON implementation_plans (office_id, filed_on);
CREATE INDEX pilot_designations_district ON pilot_designations (district_id, designated_on);

-- A scoring scheme is a version: once stored it never changes, so an assessment recomputed later under the scheme
-- in force on its return's verification date is the assessment made then. A change is a new version.
CREATE TRIGGER assessment_schemes_frozen BEFORE UPDATE ON assessment_schemes
BEGIN
    SELECT RAISE(ABORT, 'a scoring scheme version cannot be changed; store a new version');
END;
CREATE TRIGGER assessment_schemes_kept BEFORE DELETE ON assessment_schemes
BEGIN
    SELECT RAISE(ABORT, 'a scoring scheme version cannot be deleted');
END;
