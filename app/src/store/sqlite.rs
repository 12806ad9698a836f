//! The SQLite backend of the [`Store`](super::Store): the embedded default (`data/gongkai.db`).
//!
//! WAL journal, foreign keys on, `synchronous = FULL` (a commit survives power loss). Writes go through a pool of
//! exactly one connection and start with `BEGIN IMMEDIATE`, so two writers never race for the lock inside this
//! process, and another process (the CLI beside a running server) waits on the busy timeout instead of failing.
//! Reads use a separate pool of read-only connections, which WAL lets run beside the writer.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use analytics::catalog::{
    Audience, Basis, Catalog, ChannelCode, ChannelOption, Element, Group, Item, MaybeGapText, Mode, Remark,
    SubjectAssignment, SubjectLevel, TextGap, TimeLimitRule,
};
use analytics::offices::{OfficeCode, OfficeKind, OfficeVersion};
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::{
    Actor, CatalogInstall, CatalogVersionSummary, OfficeImport, OfficeImportOutcome, RolloutRecord, Store, StoreError,
    StoreResult,
};
use super::{
    Decision, DraftOutcome, NewReturnDraft, ReturnFilter, ReturnReason, ReturnRecord, ReturnSummary, SubmitOutcome,
};
use super::{
    LoginUser, NewApiTokenRecord, NewSessionRecord, NewUser, SessionEnd, StoredApiToken, StoredSession, UserSummary,
};
use crate::auth::throttle::{Alert, GuessKind, LoginAttempt};
use crate::auth::Grant;

mod accounts;
mod returns;
mod rollout;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// SQLite store: one writer connection, a pool of readers.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Shared by every clone of the store.
    cache: std::sync::Arc<ReadCache>,
}

/// What nearly every request reads and rarely changes, kept in memory. Stored catalog versions never change (an
/// install with other content under the same code is refused), so a catalog is cached by its code for good. The
/// office list changes only through an import, which adds a row to `office_imports`: the list is cached with that
/// generation and read again when another process (or this one) has imported since; the generation is read before
/// the list, so a cached list is never older than its generation.
#[derive(Debug, Default)]
struct ReadCache {
    catalogs: std::sync::Mutex<std::collections::HashMap<String, Catalog>>,
    offices: std::sync::Mutex<Option<(i64, std::sync::Arc<analytics::offices::Directory>)>>,
    /// This store's number in the process (`Store::instance`).
    instance: u64,
}

/// The number the next opened store gets.
static NEXT_INSTANCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://data/gongkai.db`.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let in_memory = url.contains(":memory:");
        if !in_memory {
            if let Some(parent) = base.get_filename().parent() {
                if !parent.as_os_str().is_empty() && !Path::new(parent).exists() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| StoreError::Open(format!("{}: {e}", parent.display())))?;
                }
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base.clone())
            .await
            .map_err(|e| StoreError::Open(format!("{url}: {e}")))?;
        // An in-memory database exists per connection: readers must share the writer's.
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(base.read_only(true))
                .await
                .map_err(|e| StoreError::Open(format!("{url}: {e}")))?
        };
        let instance = NEXT_INSTANCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Self { writer, reader, cache: std::sync::Arc::new(ReadCache { instance, ..Default::default() }) })
    }

    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// An office version as the audit log records it, before and after a change.
#[derive(Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
struct AuditedVersion {
    name: String,
    kind: String,
    parent: Option<String>,
    valid_from: String,
    valid_to: Option<String>,
    note: String,
}

/// One audit log entry, written in the same transaction as the change it records.
struct AuditEntry<'a> {
    action: &'a str,
    entity_type: &'a str,
    entity_id: Option<&'a str>,
    summary: String,
    before: Option<String>,
    after: Option<String>,
}

async fn audit(tx: &mut sqlx::SqliteConnection, actor: &Actor, entry: AuditEntry<'_>) -> StoreResult<()> {
    write_audit(tx, actor, None, entry).await
}

/// Appends an audit entry, bound to an office (`audit_log.office_id`) when one is given.
async fn write_audit(
    conn: &mut sqlx::SqliteConnection,
    actor: &Actor,
    office: Option<&OfficeCode>,
    entry: AuditEntry<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor, user_id, office_id, remote_addr, action, entity_type, entity_id, summary,
         before, after) VALUES (?, ?, (SELECT id FROM offices WHERE code = ?), ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&actor.name)
    .bind(actor.user_id)
    .bind(office.map(OfficeCode::as_str))
    .bind(&actor.remote_addr)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(&entry.summary)
    .bind(&entry.before)
    .bind(&entry.after)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn parse_date(text: &str, what: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("{what} “{text}”: {e}")))
}

fn kind_key(kind: OfficeKind) -> &'static str {
    match kind {
        OfficeKind::Headquarters => "headquarters",
        OfficeKind::DirectCustoms => "direct_customs",
        OfficeKind::Subordinate => "subordinate",
    }
}

fn kind_from_key(key: &str) -> StoreResult<OfficeKind> {
    match key {
        "headquarters" => Ok(OfficeKind::Headquarters),
        "direct_customs" => Ok(OfficeKind::DirectCustoms),
        "subordinate" => Ok(OfficeKind::Subordinate),
        other => Err(StoreError::Corrupt(format!("office kind “{other}”"))),
    }
}

fn level_key(level: SubjectLevel) -> &'static str {
    match level {
        SubjectLevel::Headquarters => "headquarters",
        SubjectLevel::DirectCustoms => "direct_customs",
        SubjectLevel::Subordinate => "subordinate",
    }
}

fn level_from_key(key: &str) -> StoreResult<SubjectLevel> {
    match key {
        "headquarters" => Ok(SubjectLevel::Headquarters),
        "direct_customs" => Ok(SubjectLevel::DirectCustoms),
        "subordinate" => Ok(SubjectLevel::Subordinate),
        other => Err(StoreError::Corrupt(format!("subject level “{other}”"))),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM app_settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?)
    }

    async fn set_setting(&self, key: &str, value: &str, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT value FROM app_settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO app_settings (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: "update",
                entity_type: "setting",
                entity_id: Some(key),
                summary: format!("设置 {key}"),
                before,
                after: Some(value.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn install_catalog(
        &self,
        catalog: &Catalog,
        source_sha256: &str,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar("SELECT source_sha256 FROM catalog_versions WHERE code = ?")
            .bind(&catalog.code)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(hash) = existing {
            return Ok(if hash == source_sha256 { CatalogInstall::Unchanged } else { CatalogInstall::Conflict });
        }
        let version_id: i64 = sqlx::query_scalar(
            "INSERT INTO catalog_versions (code, title, document_number, issuer, issued_on, scope, status,
             published_on, source_sha256) VALUES (?, ?, ?, ?, ?, 'standard', 'published', ?, ?) RETURNING id",
        )
        .bind(&catalog.code)
        .bind(&catalog.title)
        .bind(&catalog.document_number)
        .bind(&catalog.issuer)
        .bind(catalog.issued_on)
        .bind(catalog.issued_on)
        .bind(source_sha256)
        .fetch_one(&mut *tx)
        .await?;

        let mut basis_ids = BTreeMap::new();
        for basis in &catalog.bases {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO catalog_bases (version_id, number, symbol, title) VALUES (?, ?, ?, ?) RETURNING id",
            )
            .bind(version_id)
            .bind(basis.number)
            .bind(&basis.symbol)
            .bind(&basis.title)
            .fetch_one(&mut *tx)
            .await?;
            basis_ids.insert(basis.number, id);
        }
        for (ordinal, remark) in catalog.remarks.iter().enumerate() {
            sqlx::query("INSERT INTO catalog_remarks (version_id, ordinal, label, text) VALUES (?, ?, ?, ?)")
                .bind(version_id)
                .bind(ordinal as i64 + 1)
                .bind(&remark.label)
                .bind(&remark.text)
                .execute(&mut *tx)
                .await?;
        }
        for group in &catalog.groups {
            let group_id: i64 = sqlx::query_scalar(
                "INSERT INTO catalog_groups (version_id, number, name) VALUES (?, ?, ?) RETURNING id",
            )
            .bind(version_id)
            .bind(group.number)
            .bind(&group.name)
            .fetch_one(&mut *tx)
            .await?;
            for item in &group.items {
                let notes_gap = match item.notes.as_ref().and_then(|n| n.gap.as_ref()) {
                    Some(gap) => Some(to_json(gap)?),
                    None => None,
                };
                let item_id: i64 = sqlx::query_scalar(
                    "INSERT INTO catalog_items (version_id, group_id, number, name, time_limit_text,
                     time_limit_rule, subject_text, audience, modes, notes_text, notes_gap)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(version_id)
                .bind(group_id)
                .bind(item.number)
                .bind(&item.name)
                .bind(&item.time_limit_text)
                .bind(to_json(&item.time_limit)?)
                .bind(&item.subject_text)
                .bind(to_json(&item.audience)?)
                .bind(to_json(&item.modes)?)
                .bind(item.notes.as_ref().map(|n| n.text.clone()))
                .bind(notes_gap)
                .fetch_one(&mut *tx)
                .await?;
                for (ordinal, number) in item.basis.iter().enumerate() {
                    let basis_id = basis_ids.get(number).copied().ok_or_else(|| {
                        StoreError::Corrupt(format!("item {} names unknown basis {number}", item.number))
                    })?;
                    sqlx::query("INSERT INTO catalog_item_bases (item_id, basis_id, ordinal) VALUES (?, ?, ?)")
                        .bind(item_id)
                        .bind(basis_id)
                        .bind(ordinal as i64 + 1)
                        .execute(&mut *tx)
                        .await?;
                }
                for element in &item.elements {
                    let gap = match &element.text.gap {
                        Some(gap) => Some(to_json(gap)?),
                        None => None,
                    };
                    let rule = match &element.time_limit {
                        Some(rule) => Some(to_json(rule)?),
                        None => None,
                    };
                    sqlx::query(
                        "INSERT INTO catalog_elements (item_id, ordinal, text, gap, time_limit_text, time_limit_rule)
                         VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(item_id)
                    .bind(element.ordinal)
                    .bind(&element.text.text)
                    .bind(gap)
                    .bind(&element.time_limit_text)
                    .bind(rule)
                    .execute(&mut *tx)
                    .await?;
                }
                for assignment in &item.subjects {
                    for (ordinal, level) in assignment.levels.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO catalog_item_subjects (item_id, element_ordinal, ordinal, level)
                             VALUES (?, ?, ?, ?)",
                        )
                        .bind(item_id)
                        .bind(assignment.element)
                        .bind(ordinal as i64 + 1)
                        .bind(level_key(*level))
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                for channel in &item.channels {
                    sqlx::query(
                        "INSERT INTO catalog_item_channels (item_id, code, name, recommended, detail)
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(item_id)
                    .bind(channel.code.letter().to_string())
                    .bind(&channel.name)
                    .bind(channel.recommended)
                    .bind(&channel.detail)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let item_count = catalog.items().count();
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: "create",
                entity_type: "catalog_version",
                entity_id: Some(&catalog.code),
                summary: format!("载入目录版本 {}（{} 个二级事项）", catalog.title, item_count),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "code": catalog.code, "items": item_count, "sha256": source_sha256 }),
                )?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CatalogInstall::Installed)
    }

    async fn catalog(&self, code: &str) -> StoreResult<Option<Catalog>> {
        if let Some(catalog) = self.cache.catalogs.lock().ok().and_then(|c| c.get(code).cloned()) {
            return Ok(Some(catalog));
        }
        let catalog = self.catalog_uncached(code).await?;
        if let (Some(catalog), Ok(mut cache)) = (&catalog, self.cache.catalogs.lock()) {
            cache.insert(code.to_string(), catalog.clone());
        }
        Ok(catalog)
    }

    async fn standard_catalog(&self) -> StoreResult<Option<Catalog>> {
        let code: Option<String> = sqlx::query_scalar(
            "SELECT code FROM catalog_versions WHERE scope = 'standard' AND status = 'published'
             ORDER BY issued_on DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.reader)
        .await?;
        match code {
            Some(code) => self.catalog(&code).await,
            None => Ok(None),
        }
    }

    async fn catalog_versions(&self) -> StoreResult<Vec<CatalogVersionSummary>> {
        sqlx::query(
            "SELECT v.code, v.title, v.scope, (SELECT count(*) FROM catalog_items i WHERE i.version_id = v.id) AS n
             FROM catalog_versions v ORDER BY v.issued_on, v.id",
        )
        .fetch_all(&self.reader)
        .await?
        .into_iter()
        .map(|r| {
            Ok(CatalogVersionSummary {
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                scope: r.try_get("scope")?,
                item_count: r.try_get("n")?,
            })
        })
        .collect()
    }

    async fn office_versions(&self) -> StoreResult<Vec<OfficeVersion>> {
        Ok(self.office_directory().await?.versions().to_vec())
    }

    async fn office_directory(&self) -> StoreResult<std::sync::Arc<analytics::offices::Directory>> {
        let generation = self.office_generation().await?;
        if let Some(directory) = self.cache.offices.lock().ok().and_then(|cached| match &*cached {
            Some((at, directory)) if *at == generation => Some(directory.clone()),
            _ => None,
        }) {
            return Ok(directory);
        }
        let directory = std::sync::Arc::new(analytics::offices::Directory::new(self.office_versions_uncached().await?));
        if let Ok(mut cache) = self.cache.offices.lock() {
            *cache = Some((generation, directory.clone()));
        }
        Ok(directory)
    }
    async fn office_generation(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM office_imports").fetch_one(&self.reader).await?)
    }

    async fn has_sample_offices(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM office_versions WHERE is_sample = 1")
            .fetch_one(&self.reader)
            .await?;
        Ok(n > 0)
    }

    async fn apply_office_import(&self, import: &OfficeImport, actor: &Actor) -> StoreResult<OfficeImportOutcome> {
        let mut tx = self.begin_write().await?;
        // The plan was validated against the list as it stood at `expected_generation`; under BEGIN IMMEDIATE no
        // other writer can land between this check and the commit.
        let generation: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM office_imports").fetch_one(&mut *tx).await?;
        if generation != import.expected_generation {
            return Err(StoreError::Conflict);
        }
        let plan = &import.plan;
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO office_imports (source_name, content_sha256, is_sample, rows_read, offices_added,
             offices_changed, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&import.source_name)
        .bind(&import.content_sha256)
        .bind(import.is_sample)
        .bind(import.rows_read as i64)
        .bind(plan.added as i64)
        .bind(plan.changed as i64)
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?;

        // Every code the plan touches gets an offices row first, so parents can be referenced in any order.
        let mut ids: BTreeMap<String, i64> = BTreeMap::new();
        for version in &plan.versions {
            if ids.contains_key(version.code.as_str()) {
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO offices (code, kind) VALUES (?, ?)
                 ON CONFLICT (code) DO UPDATE SET kind = excluded.kind RETURNING id",
            )
            .bind(version.code.as_str())
            .bind(kind_key(version.kind))
            .fetch_one(&mut *tx)
            .await?;
            ids.insert(version.code.as_str().to_string(), id);
        }
        let replaced: std::collections::BTreeSet<&str> = plan.replaced_codes.iter().map(|c| c.as_str()).collect();
        let mut written = 0usize;
        for code in &replaced {
            let office_id = ids
                .get(*code)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("replaced code {code} has no version in the plan")))?;
            // Everything a version holds, so that any change (name, parent, dates, note, kind) is audited.
            let before: Vec<AuditedVersion> = sqlx::query_as(
                "SELECT v.name, o.kind, p.code AS parent, v.valid_from, v.valid_to, v.note
                 FROM office_versions v JOIN offices o ON o.id = v.office_id LEFT JOIN offices p ON p.id = v.parent_id
                 WHERE v.office_id = ? ORDER BY v.valid_from",
            )
            .bind(office_id)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM office_versions WHERE office_id = ?").bind(office_id).execute(&mut *tx).await?;
            let mut after = Vec::new();
            for version in plan.versions.iter().filter(|v| v.code.as_str() == *code) {
                let parent_id =
                    match &version.parent {
                        Some(parent) => Some(ids.get(parent.as_str()).copied().ok_or_else(|| {
                            StoreError::Corrupt(format!("parent {parent} of {code} is not in the plan"))
                        })?),
                        None => None,
                    };
                sqlx::query(
                    "INSERT INTO office_versions (office_id, name, parent_id, valid_from, valid_to, note, is_sample,
                     import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(office_id)
                .bind(&version.name)
                .bind(parent_id)
                .bind(version.valid_from)
                .bind(version.valid_to)
                .bind(&version.note)
                .bind(import.is_sample)
                .bind(import_id)
                .execute(&mut *tx)
                .await?;
                after.push(AuditedVersion {
                    name: version.name.clone(),
                    kind: kind_key(version.kind).to_string(),
                    parent: version.parent.as_ref().map(|p| p.to_string()),
                    valid_from: version.valid_from.to_string(),
                    valid_to: version.valid_to.map(|d| d.to_string()),
                    note: version.note.clone(),
                });
                written += 1;
            }
            if before != after {
                audit(
                    &mut tx,
                    actor,
                    AuditEntry {
                        action: if before.is_empty() { "create" } else { "update" },
                        entity_type: "office",
                        entity_id: Some(code),
                        summary: format!("机构 {code}：{} 个版本", after.len()),
                        before: (!before.is_empty()).then(|| to_json(&before)).transpose()?,
                        after: Some(to_json(&after)?),
                    },
                )
                .await?;
            }
        }
        let import_key = import_id.to_string();
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: "import",
                entity_type: "office_import",
                entity_id: Some(&import_key),
                summary: format!(
                    "导入机构名录“{}”：读取 {} 行，新增 {} 个机构，变更 {} 个机构{}",
                    import.source_name,
                    import.rows_read,
                    plan.added,
                    plan.changed,
                    if import.is_sample { "（示例数据）" } else { "" }
                ),
                before: None,
                after: Some(to_json(&serde_json::json!({ "sha256": import.content_sha256 }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(OfficeImportOutcome {
            import_id,
            offices_added: plan.added,
            offices_changed: plan.changed,
            versions_written: written,
        })
    }

    // Accounts, sessions and API tokens: the SQL is in `sqlite/accounts.rs`.

    async fn create_user(&self, user: &NewUser, actor: &Actor) -> StoreResult<i64> {
        self.accounts_create_user(user, actor).await
    }

    async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.accounts_set_user_disabled(user_id, disabled, at, actor).await
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<Option<u64>> {
        self.accounts_set_password(user_id, password_hash, keep_session, at, actor).await
    }

    async fn grant_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        self.accounts_grant_role(user_id, grant, actor).await
    }

    async fn revoke_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        self.accounts_revoke_role(user_id, grant, actor).await
    }

    async fn find_user_for_login(&self, username: &str) -> StoreResult<Option<LoginUser>> {
        self.accounts_find_user_for_login(username).await
    }

    async fn record_login_attempt(&self, attempt: &LoginAttempt, actor: &Actor) -> StoreResult<()> {
        self.accounts_record_login_attempt(attempt, actor).await
    }

    async fn begin_login_attempt(&self, attempt: &LoginAttempt) -> StoreResult<i64> {
        self.accounts_begin_login_attempt(attempt).await
    }

    async fn finish_login_attempt(
        &self,
        id: i64,
        attempt: &LoginAttempt,
        kind: GuessKind,
        alerts: &[Alert],
        actor: &Actor,
    ) -> StoreResult<()> {
        self.accounts_finish_login_attempt(id, attempt, kind, alerts, actor).await
    }

    async fn recent_login_attempts(
        &self,
        username: &str,
        remote_addr: Option<&str>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<LoginAttempt>> {
        self.accounts_recent_login_attempts(username, remote_addr, since).await
    }

    async fn create_session(&self, session: &NewSessionRecord, actor: &Actor) -> StoreResult<i64> {
        self.accounts_create_session(session, actor).await
    }

    async fn session_by_token(&self, token_sha256: &str) -> StoreResult<Option<StoredSession>> {
        self.accounts_session_by_token(token_sha256).await
    }

    async fn touch_api_token(&self, token_id: i64, at: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
        self.accounts_touch_api_token(token_id, at).await
    }

    async fn touch_session(&self, session_id: i64, at: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
        self.accounts_touch_session(session_id, at).await
    }

    async fn end_session(
        &self,
        session_id: i64,
        reason: SessionEnd,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.accounts_end_session(session_id, reason, at, actor).await
    }

    async fn end_sessions_of_user(
        &self,
        user_id: i64,
        except: Option<i64>,
        reason: SessionEnd,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<u64> {
        self.accounts_end_sessions_of_user(user_id, except, reason, at, actor).await
    }

    async fn create_api_token(&self, token: &NewApiTokenRecord, actor: &Actor) -> StoreResult<i64> {
        self.accounts_create_api_token(token, actor).await
    }

    async fn revoke_api_token(
        &self,
        token_id: i64,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.accounts_revoke_api_token(token_id, at, actor).await
    }

    async fn api_token_by_hash(&self, token_sha256: &str) -> StoreResult<Option<StoredApiToken>> {
        self.accounts_api_token_by_hash(token_sha256).await
    }

    async fn list_users(&self) -> StoreResult<Vec<UserSummary>> {
        self.accounts_list_users().await
    }

    async fn list_api_tokens(&self) -> StoreResult<Vec<super::ApiTokenSummary>> {
        self.accounts_list_api_tokens().await
    }

    async fn create_return_draft(&self, draft: &NewReturnDraft, actor: &Actor) -> StoreResult<DraftOutcome> {
        self.returns_create_draft(draft, actor).await
    }

    async fn create_and_submit_return(
        &self,
        draft: &NewReturnDraft,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<(DraftOutcome, Option<SubmitOutcome>)> {
        self.returns_create_and_submit(draft, at, actor).await
    }

    async fn return_record(&self, id: i64) -> StoreResult<Option<ReturnRecord>> {
        self.returns_record(id).await
    }

    async fn return_summary(&self, id: i64) -> StoreResult<Option<ReturnSummary>> {
        let mut conn = self.reader.acquire().await?;
        Self::summary_in(&mut conn, id).await
    }

    async fn submit_return(
        &self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<SubmitOutcome> {
        self.returns_submit(id, at, actor).await
    }

    async fn discard_return_draft(&self, id: i64, actor: &Actor) -> StoreResult<bool> {
        self.returns_discard(id, actor).await
    }

    async fn list_returns(&self, filter: &ReturnFilter) -> StoreResult<Vec<ReturnSummary>> {
        self.returns_list(filter).await
    }

    async fn decide_return(
        &self,
        id: i64,
        decision: Decision,
        comment: &str,
        reasons: &[ReturnReason],
        at: chrono::DateTime<chrono::Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.returns_decide(id, decision, comment, reasons, at, actor).await
    }

    async fn accepted_snapshots(
        &self,
        office: Option<&OfficeCode>,
    ) -> StoreResult<Vec<analytics::returns::ReturnSnapshot>> {
        self.returns_accepted_snapshots(office).await
    }

    async fn record_rollout(&self, record: &RolloutRecord, actor: &Actor) -> StoreResult<i64> {
        self.rollout_record(record, actor).await
    }

    async fn district_inputs(&self) -> StoreResult<Vec<analytics::rollout::DistrictInput>> {
        self.rollout_district_inputs().await
    }

    async fn install_scheme(
        &self,
        scheme: &analytics::assessment::Scheme,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        self.rollout_install_scheme(scheme, actor).await
    }

    async fn schemes(&self) -> StoreResult<Vec<analytics::assessment::Scheme>> {
        self.rollout_schemes().await
    }

    async fn scheme_records(&self) -> StoreResult<Vec<super::SchemeRecord>> {
        self.rollout_scheme_records().await
    }

    async fn import_calendar_year(
        &self,
        arrangement: &analytics::calendar::YearArrangement,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        self.rollout_import_calendar_year(arrangement, actor).await
    }

    fn instance(&self) -> u64 {
        self.cache.instance
    }

    async fn rollout_generation(&self) -> StoreResult<i64> {
        self.rollout_data_generation().await
    }

    async fn calendar_years(&self) -> StoreResult<Vec<super::CalendarYearRecord>> {
        self.rollout_calendar_years().await
    }

    async fn return_file(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>> {
        self.returns_file(id).await
    }

    async fn audit_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&self.reader).await?)
    }

    async fn search_audit(
        &self,
        filter: &super::AuditFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<super::AuditRow>, i64)> {
        self.accounts_search_audit(filter, limit, offset).await
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

impl SqliteStore {
    async fn catalog_uncached(&self, code: &str) -> StoreResult<Option<Catalog>> {
        let Some(row) = sqlx::query(
            "SELECT id, code, title, document_number, issuer, issued_on FROM catalog_versions WHERE code = ?",
        )
        .bind(code)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let version_id: i64 = row.try_get("id")?;
        let issued_on: String = row.try_get("issued_on")?;

        let bases = sqlx::query("SELECT number, symbol, title FROM catalog_bases WHERE version_id = ? ORDER BY number")
            .bind(version_id)
            .fetch_all(&self.reader)
            .await?
            .into_iter()
            .map(|r| -> StoreResult<Basis> {
                Ok(Basis { number: r.try_get("number")?, symbol: r.try_get("symbol")?, title: r.try_get("title")? })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let remarks = sqlx::query("SELECT label, text FROM catalog_remarks WHERE version_id = ? ORDER BY ordinal")
            .bind(version_id)
            .fetch_all(&self.reader)
            .await?
            .into_iter()
            .map(|r| -> StoreResult<Remark> { Ok(Remark { label: r.try_get("label")?, text: r.try_get("text")? }) })
            .collect::<StoreResult<Vec<_>>>()?;

        // Per-item children, keyed by item id.
        let mut item_bases: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT ib.item_id, b.number FROM catalog_item_bases ib JOIN catalog_bases b ON b.id = ib.basis_id
             WHERE b.version_id = ? ORDER BY ib.item_id, ib.ordinal",
        )
        .bind(version_id)
        .fetch_all(&self.reader)
        .await?
        {
            item_bases.entry(r.try_get("item_id")?).or_default().push(r.try_get("number")?);
        }
        let mut elements: BTreeMap<i64, Vec<Element>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT e.item_id, e.ordinal, e.text, e.gap, e.time_limit_text, e.time_limit_rule
             FROM catalog_elements e JOIN catalog_items i ON i.id = e.item_id
             WHERE i.version_id = ? ORDER BY e.item_id, e.ordinal",
        )
        .bind(version_id)
        .fetch_all(&self.reader)
        .await?
        {
            let gap: Option<String> = r.try_get("gap")?;
            let rule: Option<String> = r.try_get("time_limit_rule")?;
            elements.entry(r.try_get("item_id")?).or_default().push(Element {
                ordinal: r.try_get("ordinal")?,
                text: MaybeGapText {
                    text: r.try_get("text")?,
                    gap: gap.map(|g| from_json::<TextGap>(&g, "element gap")).transpose()?,
                },
                time_limit: rule.map(|g| from_json::<TimeLimitRule>(&g, "element rule")).transpose()?,
                time_limit_text: r.try_get("time_limit_text")?,
            });
        }
        let mut subjects: BTreeMap<i64, Vec<SubjectAssignment>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT s.item_id, s.element_ordinal, s.level FROM catalog_item_subjects s
             JOIN catalog_items i ON i.id = s.item_id
             WHERE i.version_id = ? ORDER BY s.item_id, s.element_ordinal IS NOT NULL, s.element_ordinal, s.ordinal",
        )
        .bind(version_id)
        .fetch_all(&self.reader)
        .await?
        {
            let item_id: i64 = r.try_get("item_id")?;
            let element: Option<u32> = r.try_get("element_ordinal")?;
            let level = level_from_key(&r.try_get::<String, _>("level")?)?;
            let list = subjects.entry(item_id).or_default();
            match list.last_mut() {
                Some(last) if last.element == element => last.levels.push(level),
                _ => list.push(SubjectAssignment { element, levels: vec![level] }),
            }
        }
        let mut channels: BTreeMap<i64, Vec<ChannelOption>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT c.item_id, c.code, c.name, c.recommended, c.detail FROM catalog_item_channels c
             JOIN catalog_items i ON i.id = c.item_id WHERE i.version_id = ? ORDER BY c.item_id, c.code",
        )
        .bind(version_id)
        .fetch_all(&self.reader)
        .await?
        {
            let code: String = r.try_get("code")?;
            let code = code
                .chars()
                .next()
                .and_then(ChannelCode::from_letter)
                .ok_or_else(|| StoreError::Corrupt(format!("channel code “{code}”")))?;
            channels.entry(r.try_get("item_id")?).or_default().push(ChannelOption {
                code,
                name: r.try_get("name")?,
                recommended: r.try_get("recommended")?,
                detail: r.try_get("detail")?,
            });
        }

        let mut groups: Vec<Group> = Vec::new();
        let mut group_index: BTreeMap<i64, usize> = BTreeMap::new();
        for r in sqlx::query("SELECT id, number, name FROM catalog_groups WHERE version_id = ? ORDER BY number")
            .bind(version_id)
            .fetch_all(&self.reader)
            .await?
        {
            group_index.insert(r.try_get("id")?, groups.len());
            groups.push(Group { number: r.try_get("number")?, name: r.try_get("name")?, items: Vec::new() });
        }
        for r in sqlx::query(
            "SELECT id, group_id, number, name, time_limit_text, time_limit_rule, subject_text, audience, modes,
             notes_text, notes_gap FROM catalog_items WHERE version_id = ? ORDER BY number",
        )
        .bind(version_id)
        .fetch_all(&self.reader)
        .await?
        {
            let id: i64 = r.try_get("id")?;
            let group_id: i64 = r.try_get("group_id")?;
            let notes_text: Option<String> = r.try_get("notes_text")?;
            let notes_gap: Option<String> = r.try_get("notes_gap")?;
            let item = Item {
                number: r.try_get("number")?,
                name: r.try_get("name")?,
                elements: elements.remove(&id).unwrap_or_default(),
                basis: item_bases.remove(&id).unwrap_or_default(),
                time_limit_text: r.try_get("time_limit_text")?,
                time_limit: from_json(&r.try_get::<String, _>("time_limit_rule")?, "item rule")?,
                subject_text: r.try_get("subject_text")?,
                subjects: subjects.remove(&id).unwrap_or_default(),
                channels: channels.remove(&id).unwrap_or_default(),
                audience: from_json::<Vec<Audience>>(&r.try_get::<String, _>("audience")?, "audience")?,
                modes: from_json::<Vec<Mode>>(&r.try_get::<String, _>("modes")?, "modes")?,
                notes: match notes_text {
                    Some(text) => Some(MaybeGapText {
                        text,
                        gap: notes_gap.map(|g| from_json::<TextGap>(&g, "notes gap")).transpose()?,
                    }),
                    None => None,
                },
            };
            let index = group_index
                .get(&group_id)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("item {} without its group", item.number)))?;
            groups[index].items.push(item);
        }

        Ok(Some(Catalog {
            code: row.try_get("code")?,
            title: row.try_get("title")?,
            document_number: row.try_get("document_number")?,
            issued_on: parse_date(&issued_on, "issued_on")?,
            issuer: row.try_get("issuer")?,
            bases,
            groups,
            remarks,
        }))
    }
}

impl SqliteStore {
    async fn office_versions_uncached(&self) -> StoreResult<Vec<OfficeVersion>> {
        let rows = sqlx::query(
            "SELECT o.code, o.kind, v.name, p.code AS parent_code, v.valid_from, v.valid_to, v.note
             FROM office_versions v JOIN offices o ON o.id = v.office_id
             LEFT JOIN offices p ON p.id = v.parent_id ORDER BY o.code, v.valid_from",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                let parent: Option<String> = r.try_get("parent_code")?;
                let valid_from: String = r.try_get("valid_from")?;
                let valid_to: Option<String> = r.try_get("valid_to")?;
                Ok(OfficeVersion {
                    code: OfficeCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    name: r.try_get("name")?,
                    kind: kind_from_key(&r.try_get::<String, _>("kind")?)?,
                    parent: parent
                        .map(|p| OfficeCode::parse(&p).map_err(|e| StoreError::Corrupt(e.to_string())))
                        .transpose()?,
                    valid_from: parse_date(&valid_from, "valid_from")?,
                    valid_to: valid_to.map(|d| parse_date(&d, "valid_to")).transpose()?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}
