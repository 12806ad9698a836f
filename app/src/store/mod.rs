//! The store: all database access, one method per use case, behind the [`Store`] trait.
//!
//! Callers (server functions, API handlers, the CLI) hold an `Arc<dyn Store>` and never see SQL, so a PostgreSQL
//! backend can be added beside [`sqlite::SqliteStore`] without touching them; the backend is chosen by the scheme
//! of `DATABASE_URL` in [`connect`].
//!
//! Rules every backend keeps:
//! - every write runs in one transaction and either lands whole or not at all;
//! - every write appends to the audit log in the same transaction;
//! - SQLite writes go through a single writer connection with `BEGIN IMMEDIATE`, reads through a pool, so no
//!   user ever sees "database is locked".

pub mod sqlite;

use std::sync::Arc;

use analytics::catalog::Catalog;
use analytics::offices::import::ImportPlan;
use analytics::offices::{OfficeCode, OfficeVersion};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::throttle::{Alert, GuessKind, LoginAttempt};
use crate::auth::{DisplayName, Grant, Principal, Username};

/// The most attempts [`Store::recent_login_attempts`] reads per user name and per address.
pub const MAX_ATTEMPTS_READ: i64 = 1000;

/// Errors of the store layer. Internal details are logged, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names a backend this build does not support.
    #[error("不支持的数据库地址“{0}”：请使用 sqlite:// 开头的地址")]
    UnsupportedUrl(String),
    /// The database could not be opened or created.
    #[error("无法打开数据库：{0}")]
    Open(String),
    /// Migrating the schema failed.
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    /// The data changed between reading and writing (another import landed first); read again and retry.
    #[error("机构名录已被其他操作修改，请重新提交")]
    Conflict,
    /// Stored data that the application cannot read back (a bug or a hand-edited database).
    #[error("数据库中的数据无法解析：{0}")]
    Corrupt(String),
    /// A record with the same key already exists, e.g. a user name (the text names it: “用户名“zhangsan””).
    #[error("{0}已存在")]
    AlreadyExists(String),
    /// A record the write refers to does not exist, e.g. the office of a grant.
    #[error("{0}不存在")]
    NotFound(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What installing a catalog version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogInstall {
    /// The version was new and is now stored.
    Installed,
    /// The same version with the same content was already stored.
    Unchanged,
    /// A version with the same code but different content is stored; it was left alone.
    Conflict,
}

/// A stored scoring scheme version ([`Store::scheme_records`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeRecord {
    pub scheme: analytics::assessment::Scheme,
    /// When it was stored (UTC, RFC 3339).
    pub created_at: String,
    /// Who stored it (display name); `None` for the program itself or the command line.
    pub created_by: Option<String>,
}

/// An imported holiday arrangement ([`Store::calendar_years`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYearRecord {
    pub id: i64,
    pub arrangement: analytics::calendar::YearArrangement,
    /// When it was imported (UTC, RFC 3339).
    pub created_at: String,
    /// Who imported it (display name); `None` for the command line.
    pub created_by: Option<String>,
}

/// A rollout record of a direct customs, as [`Store::record_rollout`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolloutRecord {
    /// Its district catalog (关区基层政务公开标准目录) was published (M1).
    CatalogPublished {
        district: OfficeCode,
        title: String,
        document_number: Option<String>,
        published_on: NaiveDate,
        url: Option<String>,
    },
    /// Its implementation plan (实施方案) was filed with the HQ general office (M2).
    PlanFiled { district: OfficeCode, title: String, document_number: Option<String>, filed_on: NaiveDate },
    /// One of its subordinate offices was designated a pilot (M3).
    PilotDesignated { district: OfficeCode, office: OfficeCode, designated_on: NaiveDate },
}

impl RolloutRecord {
    /// The direct customs the record belongs to.
    pub fn district(&self) -> &OfficeCode {
        match self {
            RolloutRecord::CatalogPublished { district, .. }
            | RolloutRecord::PlanFiled { district, .. }
            | RolloutRecord::PilotDesignated { district, .. } => district,
        }
    }
}

/// Who performed a write, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name, or `cli` / `system`.
    pub name: String,
    pub user_id: Option<i64>,
    pub remote_addr: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self { name: "system".into(), user_id: None, remote_addr: None }
    }
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Self { name: format!("cli:{user}"), user_id: None, remote_addr: None }
    }
    /// A signed-in user, from the address of the request.
    pub fn user(user_id: i64, username: &str, remote_addr: Option<&str>) -> Self {
        Self { name: username.to_string(), user_id: Some(user_id), remote_addr: remote_addr.map(str::to_string) }
    }
    /// Someone not signed in (a failed sign-in attempt), from the address of the request.
    pub fn anonymous(remote_addr: Option<&str>) -> Self {
        Self { name: "anonymous".into(), user_id: None, remote_addr: remote_addr.map(str::to_string) }
    }
}

/// An office list ready to be written: a validated plan and where it came from.
#[derive(Debug, Clone)]
pub struct OfficeImport {
    pub source_name: String,
    pub content_sha256: String,
    /// Sample data (示例数据): the demo set.
    pub is_sample: bool,
    pub rows_read: usize,
    pub plan: ImportPlan,
    /// The [`Store::office_generation`] the plan was validated against; the write is refused with
    /// [`StoreError::Conflict`] if another import landed since.
    pub expected_generation: i64,
}

/// What an office import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeImportOutcome {
    pub import_id: i64,
    pub offices_added: usize,
    pub offices_changed: usize,
    pub versions_written: usize,
}

/// A stored catalog version, without its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVersionSummary {
    pub code: String,
    pub title: String,
    pub scope: String,
    pub item_count: i64,
}

/// A new account ready to be written: validated names, the password already hashed, grants already checked
/// against the office list.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: DisplayName,
    /// PHC string made by [`auth::password::hash_password`](crate::auth::password::hash_password).
    pub password_hash: String,
    pub grants: Vec<Grant>,
}

/// An account as signing in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `None` for an account that has no password (it cannot sign in).
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

impl LoginUser {
    /// The signed-in view of this account.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            grants: self.grants.clone(),
        }
    }
}

/// An account in the list of users (administration pages, `gongkai user list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: String,
    pub grants: Vec<Grant>,
    /// Sessions not ended (some may have expired without being seen since).
    pub open_sessions: i64,
}

/// What to look for in the audit log; every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor's user name (exact).
    pub actor: Option<String>,
    /// The office the entry is bound to (`audit_log.office_id`), by code.
    pub office_code: Option<String>,
    /// The entity type (`user`, `session`, `api_token`, `office`, …).
    pub entity_type: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// One audit log entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub office_code: Option<String>,
    pub remote_addr: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A session to store at sign-in. The token itself is never stored, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionRecord {
    pub token_sha256: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    /// Absolute end of the session.
    pub expires_at: DateTime<Utc>,
    pub remote_addr: Option<String>,
    pub user_agent: Option<String>,
}

/// A session not yet ended, with its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub id: i64,
    pub principal: Principal,
    pub user_disabled: bool,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub remote_addr: Option<String>,
    pub user_agent: Option<String>,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    SignedOut,
    Expired,
    PasswordChanged,
    Disabled,
}

impl SessionEnd {
    /// The key stored in `sessions.end_reason`.
    pub fn key(self) -> &'static str {
        match self {
            SessionEnd::SignedOut => "signed_out",
            SessionEnd::Expired => "expired",
            SessionEnd::PasswordChanged => "password_changed",
            SessionEnd::Disabled => "disabled",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SessionEnd::SignedOut => "退出登录",
            SessionEnd::Expired => "会话过期",
            SessionEnd::PasswordChanged => "密码已修改",
            SessionEnd::Disabled => "账户已停用",
        }
    }
}

/// An API token to store. The token itself is never stored, only its digest and readable prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiTokenRecord {
    pub name: String,
    pub token_prefix: String,
    pub token_sha256: String,
    pub grant: Grant,
    pub created_at: DateTime<Utc>,
}

/// A stored API token that is not revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApiToken {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    pub grant: Grant,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// An API token as the administration page lists it (revoked ones too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenSummary {
    pub id: i64,
    pub name: String,
    pub token_prefix: String,
    pub grant: Grant,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

// --- Returns (issue 4) -----------------------------------------------------------------------------------------

/// Where a return came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnSource {
    /// An uploaded workbook.
    Excel,
    /// The web form.
    Web,
    /// The demo data set (generated workbooks imported through the same pipeline).
    Demo,
}

impl ReturnSource {
    pub fn key(self) -> &'static str {
        match self {
            ReturnSource::Excel => "excel",
            ReturnSource::Web => "web",
            ReturnSource::Demo => "demo",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "excel" => ReturnSource::Excel,
            "web" => ReturnSource::Web,
            "demo" => ReturnSource::Demo,
            _ => return None,
        })
    }
}

/// Where a return stands (see migration `0003_returns.sql` for the allowed moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// Parsed and shown as a preview; not yet confirmed by the uploader.
    Draft,
    /// Confirmed by the uploader; waiting for the direct customs.
    Submitted,
    /// Accepted by the direct customs: an immutable snapshot.
    Accepted,
    /// Returned by the direct customs with reasons; the office resubmits.
    Returned,
    /// Replaced by a newer return of the same office and period.
    Superseded,
}

impl ReturnStatus {
    pub fn key(self) -> &'static str {
        match self {
            ReturnStatus::Draft => "draft",
            ReturnStatus::Submitted => "submitted",
            ReturnStatus::Accepted => "accepted",
            ReturnStatus::Returned => "returned",
            ReturnStatus::Superseded => "superseded",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "draft" => ReturnStatus::Draft,
            "submitted" => ReturnStatus::Submitted,
            "accepted" => ReturnStatus::Accepted,
            "returned" => ReturnStatus::Returned,
            "superseded" => ReturnStatus::Superseded,
            _ => return None,
        })
    }

    /// The word the pages use.
    pub fn name_zh(self) -> &'static str {
        match self {
            ReturnStatus::Draft => "待确认",
            ReturnStatus::Submitted => "待审核",
            ReturnStatus::Accepted => "已通过",
            ReturnStatus::Returned => "已退回",
            ReturnStatus::Superseded => "已被替代",
        }
    }
}

/// A parsed return to store as a draft (the preview of an upload or of the web form).
#[derive(Debug, Clone)]
pub struct NewReturnDraft {
    /// The content; `snapshot.office` and `snapshot.period` say whose and when.
    pub snapshot: analytics::returns::ReturnSnapshot,
    /// The catalog version the return answers (its code).
    pub catalog_code: String,
    pub template_version: Option<String>,
    pub source: ReturnSource,
    /// The uploaded file's name, if any.
    pub source_name: Option<String>,
    /// SHA-256 of the uploaded bytes (or of the form's canonical content).
    pub content_sha256: String,
    /// The import's warnings, in Chinese with their cells.
    pub warnings: Vec<String>,
    /// The uploaded workbook, kept as evidence.
    pub file: Option<Vec<u8>>,
}

/// What storing a draft did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftOutcome {
    /// A new draft with this id.
    Created(i64),
    /// The same content for the same office and period is already stored, with this id and status (a draft
    /// uploaded twice is the same draft; anything else is a duplicate the caller refuses).
    Existing(i64, ReturnStatus),
}

/// One return as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnSummary {
    pub id: i64,
    pub office: analytics::offices::OfficeCode,
    pub period: String,
    pub status: ReturnStatus,
    pub source: ReturnSource,
    pub source_name: Option<String>,
    pub catalog_code: String,
    /// User name of the uploader.
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The return this one replaced.
    pub supersedes: Option<i64>,
    /// The last decision of the direct customs, if any.
    pub decided_at: Option<DateTime<Utc>>,
    /// The date (in China) of its `accepted` verification, if it was accepted.
    pub accepted_on: Option<chrono::NaiveDate>,
}

/// One reason a return was sent back, for an item (and element), a requirement, or the whole return.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReturnReason {
    pub item: Option<u32>,
    pub requirement: Option<String>,
    pub reason: String,
}

/// A decision of the direct customs on a submitted return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accepted,
    Returned,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub decision: Decision,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
    pub comment: String,
    pub reasons: Vec<ReturnReason>,
}

/// A whole return: its summary, content and decisions.
#[derive(Debug, Clone)]
pub struct ReturnRecord {
    pub summary: ReturnSummary,
    pub template_version: Option<String>,
    pub warnings: Vec<String>,
    /// `verified_on` is the acceptance date when accepted.
    pub snapshot: analytics::returns::ReturnSnapshot,
    pub verifications: Vec<VerificationRecord>,
}

/// Which returns to list; every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnFilter {
    /// Only these offices (`None`: every office; the caller cuts it to the scope).
    pub offices: Option<Vec<analytics::offices::OfficeCode>>,
    pub statuses: Vec<ReturnStatus>,
    pub period: Option<String>,
}

/// What submitting a draft did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Submitted; the earlier return of the same office and period it replaced, if any.
    Submitted { superseded: Option<i64> },
    /// It was not a draft (already submitted, or discarded).
    NotADraft,
}

/// All database access of Gongkai. One method per use case; see the module docs for the rules.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;

    /// A setting of the installation.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;

    /// Sets a setting of the installation.
    async fn set_setting(&self, key: &str, value: &str, actor: &Actor) -> StoreResult<()>;

    /// Stores a catalog version with all its items, unless the same code is already stored.
    async fn install_catalog(
        &self,
        catalog: &Catalog,
        source_sha256: &str,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall>;

    /// The catalog version with the given code, rebuilt from the database.
    async fn catalog(&self, code: &str) -> StoreResult<Option<Catalog>>;

    /// The newest standard catalog version.
    async fn standard_catalog(&self) -> StoreResult<Option<Catalog>>;

    /// All stored catalog versions.
    async fn catalog_versions(&self) -> StoreResult<Vec<CatalogVersionSummary>>;

    /// Every version of every office.
    async fn office_versions(&self) -> StoreResult<Vec<OfficeVersion>>;

    /// Every version of every office as a directory, shared: stores keep it between office imports, so a
    /// caller that only reads it (scope checks, names) copies nothing.
    async fn office_directory(&self) -> StoreResult<std::sync::Arc<analytics::offices::Directory>> {
        Ok(std::sync::Arc::new(analytics::offices::Directory::new(self.office_versions().await?)))
    }

    /// A number that grows with every office import: read it before `office_versions` to detect, at write time,
    /// that the list changed under a plan.
    async fn office_generation(&self) -> StoreResult<i64>;

    /// Whether any office of sample data (示例数据) is stored.
    async fn has_sample_offices(&self) -> StoreResult<bool>;

    /// Writes a validated office import in one transaction: the versions of every replaced code are swapped for
    /// the plan's, the import is recorded and audited.
    async fn apply_office_import(&self, import: &OfficeImport, actor: &Actor) -> StoreResult<OfficeImportOutcome>;

    // --- Accounts, sessions and API tokens -------------------------------------------------------------------
    // Every write below is audited in its own transaction, except `touch_session`: the time of a session's last
    // request is bookkeeping, written at most once a minute, and auditing it would bury the log; and
    // `begin_login_attempt`, audited when the attempt is finished.

    /// Creates an account with its grants. [`StoreError::AlreadyExists`] if the user name is taken,
    /// [`StoreError::NotFound`] if an office of a grant is not stored.
    async fn create_user(&self, user: &NewUser, actor: &Actor) -> StoreResult<i64>;

    /// Disables (ending every open session of the account) or enables an account; `false` if there is no such
    /// account or it already was in that state.
    async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool>;

    /// Replaces the password hash of an account and, in the same transaction, ends every open session of the
    /// account except `keep_session` (the one that changed its own password). Returns how many sessions ended;
    /// `None` if there is no such account.
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Option<u64>>;

    /// Adds a grant to an account; `false` if the account already holds it. [`StoreError::NotFound`] if the
    /// account or the office does not exist.
    async fn grant_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool>;

    /// Removes a grant from an account; `false` if the account did not hold it.
    async fn revoke_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool>;

    /// The account with this (normalised) user name, with its password hash and grants.
    async fn find_user_for_login(&self, username: &str) -> StoreResult<Option<LoginUser>>;

    /// Records a finished sign-in attempt (and audits it).
    async fn record_login_attempt(&self, attempt: &LoginAttempt, actor: &Actor) -> StoreResult<()>;

    /// Records an attempt about to be verified, as a failure, so that a guess checked meanwhile counts it; not
    /// audited until [`Store::finish_login_attempt`]. Returns its id.
    async fn begin_login_attempt(&self, attempt: &LoginAttempt) -> StoreResult<i64>;

    /// Records how an attempt begun with [`Store::begin_login_attempt`] ended (`attempt.succeeded`) and audits it,
    /// with the alerts it raised, in one transaction. A correct current password (a password change) is not
    /// audited: the change that follows is.
    async fn finish_login_attempt(
        &self,
        id: i64,
        attempt: &LoginAttempt,
        kind: GuessKind,
        alerts: &[Alert],
        actor: &Actor,
    ) -> StoreResult<()>;

    /// The attempts since `since` for this user name or from this address, in the order they were made: what the
    /// throttling rule reads. At most the latest [`MAX_ATTEMPTS_READ`] of each: the rule's delays stop growing
    /// long before, so a flood of attempts cannot make every check read more.
    async fn recent_login_attempts(
        &self,
        username: &str,
        remote_addr: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<LoginAttempt>>;

    /// Stores a new session; returns its id.
    async fn create_session(&self, session: &NewSessionRecord, actor: &Actor) -> StoreResult<i64>;

    /// The open (not ended) session with this token digest, with its user and grants. Expiry is the caller's
    /// to check.
    async fn session_by_token(&self, token_sha256: &str) -> StoreResult<Option<StoredSession>>;

    /// Records that an open session was used at `at` (not audited: bookkeeping, written at most once a minute).
    async fn touch_session(&self, session_id: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// Records that an API token was used at `at` (not audited: bookkeeping, written at most once a minute).
    async fn touch_api_token(&self, token_id: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// Ends an open session; `false` if it was already ended or does not exist.
    async fn end_session(
        &self,
        session_id: i64,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool>;

    /// Ends every open session of an account except `except`; returns how many were ended.
    async fn end_sessions_of_user(
        &self,
        user_id: i64,
        except: Option<i64>,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<u64>;

    /// Stores a new API token; returns its id. [`StoreError::AlreadyExists`] if the digest is already stored.
    async fn create_api_token(&self, token: &NewApiTokenRecord, actor: &Actor) -> StoreResult<i64>;

    /// Revokes an API token; `false` if it was already revoked or does not exist.
    async fn revoke_api_token(&self, token_id: i64, at: DateTime<Utc>, actor: &Actor) -> StoreResult<bool>;

    /// The API token (not revoked) with this digest.
    async fn api_token_by_hash(&self, token_sha256: &str) -> StoreResult<Option<StoredApiToken>>;

    /// Every account with its grants, by user name.
    async fn list_users(&self) -> StoreResult<Vec<UserSummary>>;

    /// Every API token, revoked ones included, newest first.
    async fn list_api_tokens(&self) -> StoreResult<Vec<ApiTokenSummary>>;

    // --- Returns ------------------------------------------------------------------------------------------------
    /// Stores a parsed return as a draft, whole, in one transaction (unless the same content of the same office
    /// and period is already stored: see [`DraftOutcome`]). [`StoreError::NotFound`] for an unknown office or
    /// catalog version.
    async fn create_return_draft(&self, draft: &NewReturnDraft, actor: &Actor) -> StoreResult<DraftOutcome>;

    /// Stores a parsed return and submits it at once ([`Store::create_return_draft`] then
    /// [`Store::submit_return`]), in one transaction: a file of a batch import is stored and submitted whole or not
    /// at all. The submission is `None` when the same content was already stored and is no longer a draft.
    async fn create_and_submit_return(
        &self,
        draft: &NewReturnDraft,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<(DraftOutcome, Option<SubmitOutcome>)>;

    /// A return with its content and decisions.
    async fn return_record(&self, id: i64) -> StoreResult<Option<ReturnRecord>>;

    /// A return's summary row only (office, period, status, dates): what a state change needs to check.
    async fn return_summary(&self, id: i64) -> StoreResult<Option<ReturnSummary>>;

    /// Submits a draft: it becomes the office's return for its period, replacing an earlier submitted or
    /// returned one (which becomes `superseded`; an accepted one stays accepted until this one is accepted).
    async fn submit_return(&self, id: i64, at: DateTime<Utc>, actor: &Actor) -> StoreResult<SubmitOutcome>;

    /// Deletes a draft the uploader did not confirm; `false` if it is not a draft.
    async fn discard_return_draft(&self, id: i64, actor: &Actor) -> StoreResult<bool>;

    /// Returns matching `filter`, newest first.
    async fn list_returns(&self, filter: &ReturnFilter) -> StoreResult<Vec<ReturnSummary>>;

    /// Records the direct customs' decision on a submitted return; `false` if it is not waiting for one. On
    /// acceptance, an earlier accepted return of the same office and period becomes `superseded`.
    async fn decide_return(
        &self,
        id: i64,
        decision: Decision,
        comment: &str,
        reasons: &[ReturnReason],
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool>;

    /// Every return that was ever accepted, with its acceptance date as `verified_on`, in acceptance order: the
    /// input of the assessment and of benchmark completion. `Some(office)`: that office's only.
    async fn accepted_snapshots(
        &self,
        office: Option<&OfficeCode>,
    ) -> StoreResult<Vec<analytics::returns::ReturnSnapshot>>;

    /// Records what a direct customs did for the rollout (M1–M3), audited.
    async fn record_rollout(&self, record: &RolloutRecord, actor: &Actor) -> StoreResult<i64>;

    /// Per direct customs, the rollout records the milestones read: the first publication of its district catalog,
    /// the first filing of its plan, its pilot designations (withdrawn ones left out).
    async fn district_inputs(&self) -> StoreResult<Vec<analytics::rollout::DistrictInput>>;

    /// Stores a scoring scheme version (validated by the caller). Versions never change: the same code with the
    /// same content is `Unchanged`, with other content `Conflict` (and nothing is written).
    async fn install_scheme(
        &self,
        scheme: &analytics::assessment::Scheme,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall>;

    /// Every scoring scheme version, by the date it applies from.
    async fn schemes(&self) -> StoreResult<Vec<analytics::assessment::Scheme>>;

    /// Every scoring scheme version with when and by whom it was stored, by the date it applies from.
    async fn scheme_records(&self) -> StoreResult<Vec<SchemeRecord>>;

    /// Stores a year's holiday arrangement (checked by the caller), audited. The same content as the year's latest
    /// stored arrangement is `Unchanged`; other content is stored as a correction (`Installed`) and wins from then
    /// on. Nothing is ever overwritten.
    async fn import_calendar_year(
        &self,
        arrangement: &analytics::calendar::YearArrangement,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall>;

    /// A number that grows whenever anything the rollout figures read changes (returns and their decisions, the
    /// office list, catalogs, rollout records, scoring schemes, the calendar): the newest audit entry of those
    /// kinds. The dashboards cache their figures under it.
    async fn rollout_generation(&self) -> StoreResult<i64>;

    /// A number unique to this store (and its clones) in this process, for caches kept outside it.
    fn instance(&self) -> u64;

    /// Every imported holiday arrangement, corrections included, by year and import order.
    async fn calendar_years(&self) -> StoreResult<Vec<CalendarYearRecord>>;

    /// The uploaded workbook of a return, with its file name.
    async fn return_file(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>>;

    /// Number of audit log entries (used by tests and the health check).
    async fn audit_count(&self) -> StoreResult<i64>;

    /// The audit log entries matching `filter`, newest first, `limit` of them from `offset`, and how many match.
    async fn search_audit(&self, filter: &AuditFilter, limit: i64, offset: i64) -> StoreResult<(Vec<AuditRow>, i64)>;

    /// Closes all connections, flushing the WAL.
    async fn close(&self);
}

/// Opens the store named by `url` (`sqlite://path` or `sqlite::memory:`), creating the file if missing, and
/// migrates it.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = sqlite::SqliteStore::open(url).await?;
        store.migrate().await?;
        Ok(Arc::new(store))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
