//! The rollout records of the direct customs (district catalog published, implementation plan filed, pilots
//! designated), which milestones M1–M3 read; the scoring scheme versions; the imported holiday arrangements of
//! years the program does not bundle.

use std::collections::BTreeMap;

use analytics::offices::OfficeCode;
use analytics::rollout::{DistrictInput, PilotDesignation};
use sqlx::Row;

use analytics::assessment::Scheme;
use analytics::calendar::YearArrangement;

use super::{from_json, parse_date, to_json, write_audit, AuditEntry, SqliteStore};
use crate::store::{Actor, CalendarYearRecord, CatalogInstall, RolloutRecord, SchemeRecord, StoreError, StoreResult};

/// The audit entity types of everything the rollout figures read (see `Store::rollout_generation`).
const ROLLOUT_ENTITY_TYPES: [&str; 9] = [
    "return",
    "office",
    "office_import",
    "catalog_version",
    "assessment_scheme",
    "calendar_year",
    "district_catalog_publication",
    "implementation_plan",
    "pilot_designation",
];

fn code(text: &str) -> StoreResult<OfficeCode> {
    OfficeCode::parse(text).map_err(|e| StoreError::Corrupt(format!("office code {text}: {e}")))
}

impl SqliteStore {
    pub(super) async fn rollout_record(&self, record: &RolloutRecord, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let district = record.district();
        let district_id: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE code = ?")
            .bind(district.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("直属海关 {district}")))?;
        let (id, entity, summary, after) = match record {
            RolloutRecord::CatalogPublished { title, document_number, published_on, url, .. } => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO district_catalog_publications (district_id, title, document_number, published_on,
                     url, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(district_id)
                .bind(title)
                .bind(document_number)
                .bind(published_on.to_string())
                .bind(url)
                .bind(actor.user_id)
                .fetch_one(&mut *tx)
                .await?;
                let after = serde_json::json!({
                    "district": district.as_str(), "title": title, "document_number": document_number,
                    "published_on": published_on, "url": url,
                });
                (id, "district_catalog_publication", format!("{district} 关区目录发布于 {published_on}"), after)
            }
            RolloutRecord::PlanFiled { title, document_number, filed_on, .. } => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO implementation_plans (office_id, title, document_number, filed_on, created_by)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(district_id)
                .bind(title)
                .bind(document_number)
                .bind(filed_on.to_string())
                .bind(actor.user_id)
                .fetch_one(&mut *tx)
                .await?;
                let after = serde_json::json!({
                    "district": district.as_str(), "title": title, "document_number": document_number,
                    "filed_on": filed_on,
                });
                (id, "implementation_plan", format!("{district} 实施方案报备于 {filed_on}"), after)
            }
            RolloutRecord::PilotDesignated { office, designated_on, .. } => {
                let office_id: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE code = ?")
                    .bind(office.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("隶属海关 {office}")))?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO pilot_designations (district_id, office_id, designated_on) VALUES (?, ?, ?)
                     ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(district_id)
                .bind(office_id)
                .bind(designated_on.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Err(StoreError::AlreadyExists(format!("试点 {office}（{designated_on}）")));
                };
                let after = serde_json::json!({
                    "district": district.as_str(), "office": office.as_str(), "designated_on": designated_on,
                });
                (id, "pilot_designation", format!("{district} 确定试点 {office}（{designated_on}）"), after)
            }
        };
        let entity_id = id.to_string();
        write_audit(
            &mut tx,
            actor,
            Some(district),
            AuditEntry {
                action: "create",
                entity_type: entity,
                entity_id: Some(&entity_id),
                summary,
                before: None,
                after: Some(after.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn rollout_install_scheme(&self, scheme: &Scheme, actor: &Actor) -> StoreResult<CatalogInstall> {
        let definition = to_json(scheme)?;
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar("SELECT definition FROM assessment_schemes WHERE code = ?")
            .bind(&scheme.code)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(existing) = existing {
            let stored: Scheme = from_json(&existing, "assessment_schemes.definition")?;
            return Ok(if &stored == scheme { CatalogInstall::Unchanged } else { CatalogInstall::Conflict });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessment_schemes (code, title, definition, valid_from, created_by) VALUES (?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(&scheme.code)
        .bind(&scheme.title)
        .bind(&definition)
        .bind(scheme.valid_from.to_string())
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?;
        let entity_id = id.to_string();
        write_audit(
            &mut tx,
            actor,
            None,
            AuditEntry {
                action: "create",
                entity_type: "assessment_scheme",
                entity_id: Some(&entity_id),
                summary: format!("评分方案 {}（{}）自 {} 起适用", scheme.code, scheme.title, scheme.valid_from),
                before: None,
                after: Some(definition),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CatalogInstall::Installed)
    }

    pub(super) async fn rollout_schemes(&self) -> StoreResult<Vec<Scheme>> {
        Ok(self.rollout_scheme_records().await?.into_iter().map(|r| r.scheme).collect())
    }

    pub(super) async fn rollout_scheme_records(&self) -> StoreResult<Vec<SchemeRecord>> {
        let rows = sqlx::query(
            "SELECT s.definition, s.created_at, u.display_name FROM assessment_schemes s
             LEFT JOIN users u ON u.id = s.created_by ORDER BY s.valid_from, s.id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SchemeRecord {
                    scheme: from_json(&row.try_get::<String, _>("definition")?, "assessment_schemes.definition")?,
                    created_at: row.try_get("created_at")?,
                    created_by: row.try_get("display_name")?,
                })
            })
            .collect()
    }

    pub(super) async fn rollout_import_calendar_year(
        &self,
        arrangement: &YearArrangement,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        let definition = to_json(arrangement)?;
        let mut tx = self.begin_write().await?;
        let latest: Option<String> =
            sqlx::query_scalar("SELECT definition FROM calendar_years WHERE year = ? ORDER BY id DESC LIMIT 1")
                .bind(arrangement.year)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(latest) = &latest {
            let stored: YearArrangement = from_json(latest, "calendar_years.definition")?;
            if &stored == arrangement {
                return Ok(CatalogInstall::Unchanged);
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO calendar_years (year, notice, definition, created_by) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(arrangement.year)
        .bind(&arrangement.notice)
        .bind(&definition)
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?;
        let entity_id = id.to_string();
        let days_off: i64 = arrangement.holidays.iter().map(|p| (p.to - p.from).num_days() + 1).sum();
        write_audit(
            &mut tx,
            actor,
            None,
            AuditEntry {
                action: if latest.is_some() { "update" } else { "create" },
                entity_type: "calendar_year",
                entity_id: Some(&entity_id),
                summary: format!(
                    "{}年节假日安排（{}）：放假{}段共{}天，调休上班{}天{}",
                    arrangement.year,
                    arrangement.notice,
                    arrangement.holidays.len(),
                    days_off,
                    arrangement.make_up_days.len(),
                    if latest.is_some() { "，更正此前导入的安排" } else { "" }
                ),
                before: latest,
                after: Some(definition),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CatalogInstall::Installed)
    }

    pub(super) async fn rollout_data_generation(&self) -> StoreResult<i64> {
        let kinds = ROLLOUT_ENTITY_TYPES.iter().map(|_| "SELECT max(id) AS g FROM audit_log WHERE entity_type = ?");
        let sql = format!("SELECT coalesce(max(g), 0) FROM ({})", kinds.collect::<Vec<_>>().join(" UNION ALL "));
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for kind in ROLLOUT_ENTITY_TYPES {
            query = query.bind(kind);
        }
        Ok(query.fetch_one(&self.reader).await?)
    }

    pub(super) async fn rollout_calendar_years(&self) -> StoreResult<Vec<CalendarYearRecord>> {
        let rows = sqlx::query(
            "SELECT c.id, c.definition, c.created_at, u.display_name FROM calendar_years c
             LEFT JOIN users u ON u.id = c.created_by ORDER BY c.year, c.id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CalendarYearRecord {
                    id: row.try_get("id")?,
                    arrangement: from_json(&row.try_get::<String, _>("definition")?, "calendar_years.definition")?,
                    created_at: row.try_get("created_at")?,
                    created_by: row.try_get("display_name")?,
                })
            })
            .collect()
    }

    pub(super) async fn rollout_district_inputs(&self) -> StoreResult<Vec<DistrictInput>> {
        let mut conn = self.reader.acquire().await?;
        let mut districts: BTreeMap<OfficeCode, DistrictInput> = BTreeMap::new();
        let rows = sqlx::query(
            "SELECT o.code, min(p.published_on) AS on_date FROM district_catalog_publications p
             JOIN offices o ON o.id = p.district_id GROUP BY o.code",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let district = code(&row.try_get::<String, _>("code")?)?;
            let on = parse_date(&row.try_get::<String, _>("on_date")?, "published_on")?;
            districts.entry(district.clone()).or_insert_with(|| DistrictInput::new(district)).catalog_published_on =
                Some(on);
        }
        let rows = sqlx::query(
            "SELECT o.code, min(p.filed_on) AS on_date FROM implementation_plans p
             JOIN offices o ON o.id = p.office_id GROUP BY o.code",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let district = code(&row.try_get::<String, _>("code")?)?;
            let on = parse_date(&row.try_get::<String, _>("on_date")?, "filed_on")?;
            districts.entry(district.clone()).or_insert_with(|| DistrictInput::new(district)).plan_filed_on = Some(on);
        }
        // A withdrawn designation no longer counts; repeated designations are kept (the engine takes the earliest).
        let rows = sqlx::query(
            "SELECT d.code AS district, o.code AS office, p.designated_on FROM pilot_designations p
             JOIN offices d ON d.id = p.district_id JOIN offices o ON o.id = p.office_id
             WHERE p.withdrawn_on IS NULL ORDER BY d.code, p.designated_on, o.code",
        )
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let district = code(&row.try_get::<String, _>("district")?)?;
            let pilot = PilotDesignation {
                office: code(&row.try_get::<String, _>("office")?)?,
                designated_on: parse_date(&row.try_get::<String, _>("designated_on")?, "designated_on")?,
            };
            districts.entry(district.clone()).or_insert_with(|| DistrictInput::new(district)).pilots.push(pilot);
        }
        Ok(districts.into_values().collect())
    }
}
