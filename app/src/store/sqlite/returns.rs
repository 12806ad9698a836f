//! The SQLite side of returns (migrations `0001_core.sql` and `0003_returns.sql`): drafts, submission,
//! verification and the accepted snapshots. The [`Store`](crate::store::Store) methods in `sqlite.rs` call these.
//!
//! Each write runs in one `BEGIN IMMEDIATE` transaction with its audit entry, bound to the return's office. The
//! schema's triggers keep a submitted return's content frozen and its status moving forward only; these functions
//! check the same rules first so that a caller gets `false` or an outcome rather than a database error.

use analytics::offices::OfficeCode;
use analytics::returns::{Disclosed, ItemReport, RequirementReport, ReturnSnapshot};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{from_json, parse_date, to_json, write_audit, AuditEntry, SqliteStore};
use crate::store::{
    Actor, Decision, DraftOutcome, NewReturnDraft, ReturnFilter, ReturnReason, ReturnRecord, ReturnSource,
    ReturnStatus, ReturnSummary, StoreError, StoreResult, SubmitOutcome, VerificationRecord,
};

/// Rows per multi-row `INSERT` (11 values each: well inside SQLite's limit of 32,766 bound values).
const ROWS_PER_INSERT: usize = 500;

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_instant(text: &str, what: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{what} “{text}”: {e}")))
}

/// The date in China (UTC+8) of an instant: what "accepted on" means to the people who read it.
fn china_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(8)).date_naive()
}

fn disclosed_key(value: Disclosed) -> &'static str {
    match value {
        Disclosed::Yes => "yes",
        Disclosed::No => "no",
        Disclosed::NotApplicable => "not_applicable",
    }
}

fn disclosed_from_key(key: &str) -> StoreResult<Disclosed> {
    match key {
        "yes" => Ok(Disclosed::Yes),
        "no" => Ok(Disclosed::No),
        "not_applicable" => Ok(Disclosed::NotApplicable),
        other => Err(StoreError::Corrupt(format!("disclosed “{other}”"))),
    }
}

fn status_of(row: &SqliteRow) -> StoreResult<ReturnStatus> {
    let key: String = row.try_get("status")?;
    ReturnStatus::from_key(&key).ok_or_else(|| StoreError::Corrupt(format!("return status “{key}”")))
}

/// The columns [`summary_from_row`] reads, for `FROM returns r JOIN offices o ON o.id = r.office_id`.
const SUMMARY_COLUMNS: &str = "r.id, o.code AS office, r.period, r.status, r.source, r.source_name,
    c.code AS catalog_code, u.username AS submitted_by, r.submitted_at, r.created_at, r.supersedes_id,
    (SELECT max(v.decided_at) FROM verifications v WHERE v.return_id = r.id) AS decided_at,
    (SELECT min(v.decided_at) FROM verifications v WHERE v.return_id = r.id AND v.decision = 'accepted')
        AS accepted_at";

const SUMMARY_FROM: &str = "FROM returns r JOIN offices o ON o.id = r.office_id
    JOIN catalog_versions c ON c.id = r.catalog_version_id LEFT JOIN users u ON u.id = r.submitted_by";

fn summary_from_row(row: &SqliteRow) -> StoreResult<ReturnSummary> {
    let office: String = row.try_get("office")?;
    let source: String = row.try_get("source")?;
    let optional_instant = |column: &str| -> StoreResult<Option<DateTime<Utc>>> {
        row.try_get::<Option<String>, _>(column)?.map(|t| parse_instant(&t, column)).transpose()
    };
    let accepted_at = optional_instant("accepted_at")?;
    Ok(ReturnSummary {
        id: row.try_get("id")?,
        office: OfficeCode::parse(&office).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        period: row.try_get("period")?,
        status: status_of(row)?,
        source: ReturnSource::from_key(&source).ok_or_else(|| StoreError::Corrupt(format!("source “{source}”")))?,
        source_name: row.try_get("source_name")?,
        catalog_code: row.try_get("catalog_code")?,
        submitted_by: row.try_get("submitted_by")?,
        submitted_at: optional_instant("submitted_at")?,
        created_at: parse_instant(&row.try_get::<String, _>("created_at")?, "created_at")?,
        supersedes: row.try_get("supersedes_id")?,
        decided_at: optional_instant("decided_at")?,
        accepted_on: accepted_at.map(china_date),
    })
}

/// The items and requirements of a stored return, as a snapshot (without `verified_on`).
async fn snapshot_of(
    conn: &mut SqliteConnection,
    id: i64,
    office: &OfficeCode,
    period: &str,
) -> StoreResult<ReturnSnapshot> {
    let item_rows = sqlx::query(
        "SELECT item_number, element_ordinal, disclosed, channels, other_channel, location, formed_on,
                published_on, note, elements_missing
         FROM return_items WHERE return_id = ? ORDER BY item_number, element_ordinal",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let items = item_rows.iter().map(item_from_row).collect::<StoreResult<Vec<_>>>()?;
    let requirement_rows = sqlx::query(
        "SELECT requirement, fulfilled, evidence, count_value FROM return_requirements WHERE return_id = ?
         ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let requirements = requirement_rows.iter().map(requirement_from_row).collect::<StoreResult<Vec<_>>>()?;
    Ok(ReturnSnapshot { office: office.clone(), period: period.to_string(), verified_on: None, items, requirements })
}

/// One `return_items` row as reported.
fn item_from_row(row: &SqliteRow) -> StoreResult<ItemReport> {
    let date = |column: &str| -> StoreResult<Option<NaiveDate>> {
        row.try_get::<Option<String>, _>(column)?.map(|t| parse_date(&t, column)).transpose()
    };
    Ok(ItemReport {
        item: row.try_get::<i64, _>("item_number")? as u32,
        element: row.try_get::<Option<i64>, _>("element_ordinal")?.map(|e| e as u32),
        disclosed: disclosed_from_key(&row.try_get::<String, _>("disclosed")?)?,
        channels: from_json(&row.try_get::<String, _>("channels")?, "return_items.channels")?,
        other_channel: row.try_get("other_channel")?,
        location: row.try_get("location")?,
        formed_on: date("formed_on")?,
        published_on: date("published_on")?,
        elements_missing: from_json(&row.try_get::<String, _>("elements_missing")?, "elements_missing")?,
        note: row.try_get("note")?,
    })
}

/// One `return_requirements` row as reported.
fn requirement_from_row(row: &SqliteRow) -> StoreResult<RequirementReport> {
    Ok(RequirementReport {
        code: row.try_get("requirement")?,
        fulfilled: disclosed_from_key(&row.try_get::<String, _>("fulfilled")?)?,
        evidence: row.try_get("evidence")?,
        count: row.try_get::<Option<i64>, _>("count_value")?.map(|c| c as u32),
    })
}

/// What the audit log records of a return.
fn audit_summary(summary: &ReturnSummary) -> serde_json::Value {
    serde_json::json!({
        "office": summary.office.as_str(),
        "period": summary.period,
        "status": summary.status.key(),
        "source": summary.source.key(),
        "file": summary.source_name,
    })
}

impl SqliteStore {
    pub(super) async fn summary_in(conn: &mut SqliteConnection, id: i64) -> StoreResult<Option<ReturnSummary>> {
        let row = sqlx::query(&format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE r.id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        row.as_ref().map(summary_from_row).transpose()
    }

    pub(super) async fn returns_create_draft(
        &self,
        draft: &NewReturnDraft,
        actor: &Actor,
    ) -> StoreResult<DraftOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = Self::create_draft_in(&mut tx, draft, actor).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// A new draft submitted at once, in one transaction (one commit per file of a batch import).
    pub(super) async fn returns_create_and_submit(
        &self,
        draft: &NewReturnDraft,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<(DraftOutcome, Option<SubmitOutcome>)> {
        let mut tx = self.begin_write().await?;
        let outcome = Self::create_draft_in(&mut tx, draft, actor).await?;
        let submitted = match outcome {
            DraftOutcome::Created(id) | DraftOutcome::Existing(id, ReturnStatus::Draft) => {
                Some(Self::submit_in(&mut tx, id, at, actor).await?)
            }
            DraftOutcome::Existing(..) => None,
        };
        tx.commit().await?;
        Ok((outcome, submitted))
    }

    async fn create_draft_in(
        tx: &mut SqliteConnection,
        draft: &NewReturnDraft,
        actor: &Actor,
    ) -> StoreResult<DraftOutcome> {
        let snapshot = &draft.snapshot;
        let office_id: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE code = ?")
            .bind(snapshot.office.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("机构 {}", snapshot.office)))?;
        let catalog_id: i64 = sqlx::query_scalar("SELECT id FROM catalog_versions WHERE code = ?")
            .bind(&draft.catalog_code)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("目录版本 {}", draft.catalog_code)))?;
        let existing =
            sqlx::query("SELECT id, status FROM returns WHERE office_id = ? AND period = ? AND content_sha256 = ?")
                .bind(office_id)
                .bind(&snapshot.period)
                .bind(&draft.content_sha256)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(row) = existing {
            return Ok(DraftOutcome::Existing(row.try_get("id")?, status_of(&row)?));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO returns (office_id, period, catalog_version_id, template_version, source, source_name,
                 content_sha256, status, submitted_by, warnings)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id",
        )
        .bind(office_id)
        .bind(&snapshot.period)
        .bind(catalog_id)
        .bind(&draft.template_version)
        .bind(draft.source.key())
        .bind(&draft.source_name)
        .bind(&draft.content_sha256)
        .bind(actor.user_id)
        .bind(to_json(&draft.warnings)?)
        .fetch_one(&mut *tx)
        .await?;
        // The rows of a return in one statement per table (and per 500 rows): each statement is a round trip to
        // SQLite's worker thread, which cost more than the inserts themselves when done row by row.
        let channels = snapshot.items.iter().map(|i| to_json(&i.channels)).collect::<Result<Vec<_>, _>>()?;
        let missing = snapshot.items.iter().map(|i| to_json(&i.elements_missing)).collect::<Result<Vec<_>, _>>()?;
        for (at, chunk) in snapshot.items.chunks(ROWS_PER_INSERT).enumerate() {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO return_items (return_id, item_number, element_ordinal, disclosed, channels,
                     other_channel, location, formed_on, published_on, note, elements_missing) ",
            );
            insert.push_values(chunk.iter().enumerate(), |mut row, (i, item)| {
                let i = at * ROWS_PER_INSERT + i;
                row.push_bind(id)
                    .push_bind(item.item as i64)
                    .push_bind(item.element.map(|e| e as i64))
                    .push_bind(disclosed_key(item.disclosed))
                    .push_bind(channels[i].clone())
                    .push_bind(item.other_channel.clone())
                    .push_bind(item.location.clone())
                    .push_bind(item.formed_on.map(|d| d.to_string()))
                    .push_bind(item.published_on.map(|d| d.to_string()))
                    .push_bind(item.note.clone())
                    .push_bind(missing[i].clone());
            });
            insert.build().execute(&mut *tx).await?;
        }
        for chunk in snapshot.requirements.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO return_requirements (return_id, requirement, fulfilled, evidence, count_value) ",
            );
            insert.push_values(chunk, |mut row, requirement| {
                row.push_bind(id)
                    .push_bind(requirement.code.clone())
                    .push_bind(disclosed_key(requirement.fulfilled))
                    .push_bind(requirement.evidence.clone())
                    .push_bind(requirement.count.map(|c| c as i64));
            });
            insert.build().execute(&mut *tx).await?;
        }
        if let Some(bytes) = &draft.file {
            sqlx::query("INSERT INTO return_files (return_id, file_name, bytes) VALUES (?, ?, ?)")
                .bind(id)
                .bind(draft.source_name.as_deref().unwrap_or("return.xlsx"))
                .bind(bytes.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        let summary = Self::summary_in(tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("填报 {id}")))?;
        write_audit(
            tx,
            actor,
            Some(&snapshot.office),
            AuditEntry {
                action: "create_draft",
                entity_type: "return",
                entity_id: Some(&id.to_string()),
                summary: format!("{} {} 填报草稿（{}项）", snapshot.office, snapshot.period, snapshot.items.len()),
                before: None,
                after: Some(audit_summary(&summary).to_string()),
            },
        )
        .await?;
        Ok(DraftOutcome::Created(id))
    }

    pub(super) async fn returns_record(&self, id: i64) -> StoreResult<Option<ReturnRecord>> {
        let mut conn = self.reader.acquire().await?;
        let Some(summary) = Self::summary_in(&mut conn, id).await? else { return Ok(None) };
        let row = sqlx::query("SELECT template_version, warnings FROM returns WHERE id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        let mut snapshot = snapshot_of(&mut conn, id, &summary.office, &summary.period).await?;
        snapshot.verified_on = summary.accepted_on;
        let decisions = sqlx::query(
            "SELECT v.id, v.decision, u.username, v.decided_at, v.comment FROM verifications v
             LEFT JOIN users u ON u.id = v.decided_by WHERE v.return_id = ? ORDER BY v.decided_at, v.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut verifications = Vec::with_capacity(decisions.len());
        for decision in &decisions {
            let reasons = sqlx::query(
                "SELECT item_number, requirement, reason FROM verification_reasons WHERE verification_id = ?
                 ORDER BY item_number, requirement",
            )
            .bind(decision.try_get::<i64, _>("id")?)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(ReturnReason {
                    item: r.try_get::<Option<i64>, _>("item_number")?.map(|n| n as u32),
                    requirement: r.try_get("requirement")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
            let key: String = decision.try_get("decision")?;
            verifications.push(VerificationRecord {
                decision: match key.as_str() {
                    "accepted" => Decision::Accepted,
                    "returned" => Decision::Returned,
                    other => return Err(StoreError::Corrupt(format!("decision “{other}”"))),
                },
                decided_by: decision.try_get("username")?,
                decided_at: parse_instant(&decision.try_get::<String, _>("decided_at")?, "decided_at")?,
                comment: decision.try_get("comment")?,
                reasons,
            });
        }
        Ok(Some(ReturnRecord {
            summary,
            template_version: row.try_get("template_version")?,
            warnings: from_json(&row.try_get::<String, _>("warnings")?, "returns.warnings")?,
            snapshot,
            verifications,
        }))
    }

    pub(super) async fn returns_submit(&self, id: i64, at: DateTime<Utc>, actor: &Actor) -> StoreResult<SubmitOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = Self::submit_in(&mut tx, id, at, actor).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn submit_in(
        tx: &mut SqliteConnection,
        id: i64,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<SubmitOutcome> {
        let Some(before) = Self::summary_in(tx, id).await? else { return Ok(SubmitOutcome::NotADraft) };
        if before.status != ReturnStatus::Draft {
            return Ok(SubmitOutcome::NotADraft);
        }
        // The earlier return of this office and period still waiting or sent back: this one replaces it.
        let superseded: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM returns WHERE office_id = (SELECT office_id FROM returns WHERE id = ?)
               AND period = ? AND id <> ? AND status IN ('submitted', 'returned')
             ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .bind(&before.period)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE returns SET status = 'superseded' WHERE office_id = (SELECT office_id FROM returns WHERE id = ?)
               AND period = ? AND id <> ? AND status IN ('submitted', 'returned')",
        )
        .bind(id)
        .bind(&before.period)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // The latest earlier return of any standing, for the record of what this one replaces.
        let replaced: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM returns WHERE office_id = (SELECT office_id FROM returns WHERE id = ?)
               AND period = ? AND id <> ? AND status <> 'draft' ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .bind(&before.period)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE returns SET status = 'submitted', submitted_at = ?, submitted_by = coalesce(?, submitted_by),
                 supersedes_id = ?
             WHERE id = ?",
        )
        .bind(instant(at))
        .bind(actor.user_id)
        .bind(replaced)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = Self::summary_in(tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("填报 {id}")))?;
        write_audit(
            tx,
            actor,
            Some(&after.office),
            AuditEntry {
                action: "submit",
                entity_type: "return",
                entity_id: Some(&id.to_string()),
                summary: match superseded {
                    Some(old) => format!("{} {} 提交填报（替代第{old}号）", after.office, after.period),
                    None => format!("{} {} 提交填报", after.office, after.period),
                },
                before: Some(audit_summary(&before).to_string()),
                after: Some(audit_summary(&after).to_string()),
            },
        )
        .await?;
        Ok(SubmitOutcome::Submitted { superseded })
    }

    pub(super) async fn returns_discard(&self, id: i64, actor: &Actor) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(before) = Self::summary_in(&mut tx, id).await? else { return Ok(false) };
        if before.status != ReturnStatus::Draft {
            return Ok(false);
        }
        // The audit entry is written first: it names the office while the draft still exists.
        write_audit(
            &mut tx,
            actor,
            Some(&before.office),
            AuditEntry {
                action: "discard_draft",
                entity_type: "return",
                entity_id: Some(&id.to_string()),
                summary: format!("{} {} 放弃填报草稿", before.office, before.period),
                before: Some(audit_summary(&before).to_string()),
                after: None,
            },
        )
        .await?;
        sqlx::query("DELETE FROM returns WHERE id = ? AND status = 'draft'").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn returns_list(&self, filter: &ReturnFilter) -> StoreResult<Vec<ReturnSummary>> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE 1 = 1");
        if let Some(offices) = &filter.offices {
            if offices.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND o.code IN ({})", vec!["?"; offices.len()].join(", ")));
        }
        if !filter.statuses.is_empty() {
            sql.push_str(&format!(" AND r.status IN ({})", vec!["?"; filter.statuses.len()].join(", ")));
        }
        if filter.period.is_some() {
            sql.push_str(" AND r.period = ?");
        }
        sql.push_str(" ORDER BY coalesce(r.submitted_at, r.created_at) DESC, r.id DESC");
        let mut query = sqlx::query(&sql);
        for office in filter.offices.iter().flatten() {
            query = query.bind(office.as_str());
        }
        for status in &filter.statuses {
            query = query.bind(status.key());
        }
        if let Some(period) = &filter.period {
            query = query.bind(period);
        }
        query.fetch_all(&self.reader).await?.iter().map(summary_from_row).collect()
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn returns_decide(
        &self,
        id: i64,
        decision: Decision,
        comment: &str,
        reasons: &[ReturnReason],
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(before) = Self::summary_in(&mut tx, id).await? else { return Ok(false) };
        if before.status != ReturnStatus::Submitted {
            return Ok(false);
        }
        let key = match decision {
            Decision::Accepted => "accepted",
            Decision::Returned => "returned",
        };
        let verification: i64 = sqlx::query_scalar(
            "INSERT INTO verifications (return_id, decision, decided_by, decided_at, comment) VALUES (?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(id)
        .bind(key)
        .bind(actor.user_id)
        .bind(instant(at))
        .bind(comment)
        .fetch_one(&mut *tx)
        .await?;
        for reason in reasons {
            sqlx::query(
                "INSERT INTO verification_reasons (verification_id, item_number, requirement, reason)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(verification)
            .bind(reason.item.map(|n| n as i64))
            .bind(&reason.requirement)
            .bind(&reason.reason)
            .execute(&mut *tx)
            .await?;
        }
        if decision == Decision::Accepted {
            sqlx::query(
                "UPDATE returns SET status = 'superseded'
                 WHERE office_id = (SELECT office_id FROM returns WHERE id = ?) AND period = ? AND id <> ?
                   AND status = 'accepted'",
            )
            .bind(id)
            .bind(&before.period)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE returns SET status = ? WHERE id = ?").bind(key).bind(id).execute(&mut *tx).await?;
        let after = Self::summary_in(&mut tx, id).await?.ok_or_else(|| StoreError::NotFound(format!("填报 {id}")))?;
        let mut after_json = audit_summary(&after);
        after_json["comment"] = serde_json::Value::String(comment.to_string());
        after_json["reasons"] = serde_json::to_value(reasons).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_audit(
            &mut tx,
            actor,
            Some(&after.office),
            AuditEntry {
                action: if decision == Decision::Accepted { "accept" } else { "return" },
                entity_type: "return",
                entity_id: Some(&id.to_string()),
                summary: match decision {
                    Decision::Accepted => format!("{} {} 填报审核通过", after.office, after.period),
                    Decision::Returned => {
                        format!("{} {} 填报退回修改（{}条原因）", after.office, after.period, reasons.len())
                    }
                },
                before: Some(audit_summary(&before).to_string()),
                after: Some(after_json.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every accepted return (of one office, or of all) with its content, in three queries whatever their number
    /// (the rollout reads them all on every evaluation).
    pub(super) async fn returns_accepted_snapshots(
        &self,
        office: Option<&OfficeCode>,
    ) -> StoreResult<Vec<ReturnSnapshot>> {
        let mut conn = self.reader.acquire().await?;
        // One read transaction, so a decision between the three queries cannot pair heads with other contents.
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        // `?1`: the office code, or NULL for every office.
        const ACCEPTED: &str = "SELECT return_id, min(decided_at) AS accepted_at FROM verifications
                                WHERE decision = 'accepted' AND (?1 IS NULL OR return_id IN
                                    (SELECT r.id FROM returns r JOIN offices o ON o.id = r.office_id WHERE o.code = ?1))
                                GROUP BY return_id";
        let code = office.map(OfficeCode::as_str);
        let rows = sqlx::query(&format!(
            "SELECT r.id, o.code AS office, r.period, a.accepted_at
             FROM returns r JOIN offices o ON o.id = r.office_id JOIN ({ACCEPTED}) a ON a.return_id = r.id
             ORDER BY a.accepted_at, r.id"
        ))
        .bind(code)
        .fetch_all(&mut *tx)
        .await?;
        let mut snapshots = Vec::with_capacity(rows.len());
        let mut index = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let office: String = row.try_get("office")?;
            let accepted_at = parse_instant(&row.try_get::<String, _>("accepted_at")?, "accepted_at")?;
            index.insert(row.try_get::<i64, _>("id")?, snapshots.len());
            snapshots.push(ReturnSnapshot {
                office: OfficeCode::parse(&office).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                period: row.try_get("period")?,
                verified_on: Some(china_date(accepted_at)),
                items: Vec::new(),
                requirements: Vec::new(),
            });
        }
        // The contents are streamed row by row into the snapshots (every accepted return of the country is
        // hundreds of thousands of rows: holding them all as rows first would double the memory).
        use futures::TryStreamExt;
        let item_sql = format!(
            "SELECT i.return_id, item_number, element_ordinal, disclosed, channels, other_channel, location,
                    formed_on, published_on, note, elements_missing
             FROM return_items i JOIN ({ACCEPTED}) a ON a.return_id = i.return_id
             ORDER BY i.return_id, item_number, element_ordinal"
        );
        let mut item_rows = sqlx::query(&item_sql).bind(code).fetch(&mut *tx);
        while let Some(row) = item_rows.try_next().await? {
            if let Some(&at) = index.get(&row.try_get::<i64, _>("return_id")?) {
                snapshots[at].items.push(item_from_row(&row)?);
            }
        }
        drop(item_rows);
        let requirement_sql = format!(
            "SELECT q.return_id, requirement, fulfilled, evidence, count_value
             FROM return_requirements q JOIN ({ACCEPTED}) a ON a.return_id = q.return_id
             ORDER BY q.return_id, q.id"
        );
        let mut requirement_rows = sqlx::query(&requirement_sql).bind(code).fetch(&mut *tx);
        while let Some(row) = requirement_rows.try_next().await? {
            if let Some(&at) = index.get(&row.try_get::<i64, _>("return_id")?) {
                snapshots[at].requirements.push(requirement_from_row(&row)?);
            }
        }
        drop(requirement_rows);
        tx.commit().await?;
        Ok(snapshots)
    }

    pub(super) async fn returns_file(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT file_name, bytes FROM return_files WHERE return_id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| Ok((r.try_get("file_name")?, r.try_get("bytes")?))).transpose()
    }
}
