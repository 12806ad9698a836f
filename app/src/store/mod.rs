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
use analytics::offices::OfficeVersion;
use async_trait::async_trait;

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

    /// A number that grows with every office import: read it before `office_versions` to detect, at write time,
    /// that the list changed under a plan.
    async fn office_generation(&self) -> StoreResult<i64>;

    /// Whether any office of sample data (示例数据) is stored.
    async fn has_sample_offices(&self) -> StoreResult<bool>;

    /// Writes a validated office import in one transaction: the versions of every replaced code are swapped for
    /// the plan's, the import is recorded and audited.
    async fn apply_office_import(&self, import: &OfficeImport, actor: &Actor) -> StoreResult<OfficeImportOutcome>;

    /// Number of audit log entries (used by tests and the health check).
    async fn audit_count(&self) -> StoreResult<i64>;

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
