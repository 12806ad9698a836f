//! Importing the office list: parse (CSV or Excel), plan against what is stored, write in one transaction.
//!
//! The whole file is validated before anything is written; any problem (with its line and field) means nothing
//! is written at all.

use analytics::offices::import::{self, ImportProblem, SourceFormat};

use super::sha256_hex;
use crate::store::{Actor, OfficeImport, OfficeImportOutcome, Store, StoreError};

/// Why an office import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum OfficeImportError {
    #[error("无法识别文件类型“{0}”：请使用 .csv、.xlsx、.xlsm、.xls 或 .ods 文件")]
    UnknownFormat(String),
    #[error("文件有 {} 处问题，未导入任何数据", .0.len())]
    Invalid(Vec<ImportProblem>),
    #[error("解析任务异常中止：{0}")]
    Worker(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a successful import did, for the summary shown to the administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows_read: usize,
    pub outcome: OfficeImportOutcome,
    pub unchanged: usize,
}

/// Serialises office imports within this process.
static IMPORT_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Parses, validates and writes an office list file. `is_sample` marks the demo data set (示例数据).
///
/// The file is parsed once; the plan is validated against the stored list and written only if no other import
/// landed in between (otherwise it is planned again against the new list, a few times at most).
pub async fn import_offices(
    store: &dyn Store,
    file_name: &str,
    bytes: Vec<u8>,
    is_sample: bool,
    actor: &Actor,
) -> Result<ImportSummary, OfficeImportError> {
    const ATTEMPTS: usize = 5;
    let format =
        SourceFormat::from_file_name(file_name).ok_or_else(|| OfficeImportError::UnknownFormat(file_name.into()))?;
    let hash = sha256_hex(&bytes);
    let rows = std::sync::Arc::new(
        tokio::task::spawn_blocking(move || import::parse(&bytes, format))
            .await
            .map_err(|e| OfficeImportError::Worker(e.to_string()))?
            .map_err(OfficeImportError::Invalid)?,
    );
    // Imports in this process take turns, so they never invalidate each other's plan; the generation check in the
    // store still catches one from another process (the CLI beside a running server), and then we plan again.
    let _turn = IMPORT_TURN.lock().await;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let generation = store.office_generation().await?;
        let existing = store.office_versions().await?;
        let planned_rows = rows.clone();
        let plan = tokio::task::spawn_blocking(move || import::plan(&planned_rows, &existing))
            .await
            .map_err(|e| OfficeImportError::Worker(e.to_string()))?
            .map_err(OfficeImportError::Invalid)?;
        let unchanged = plan.unchanged;
        let import = OfficeImport {
            source_name: file_name.into(),
            content_sha256: hash.clone(),
            is_sample,
            rows_read: rows.len(),
            plan,
            expected_generation: generation,
        };
        match store.apply_office_import(&import, actor).await {
            Ok(outcome) => return Ok(ImportSummary { rows_read: rows.len(), outcome, unchanged }),
            Err(StoreError::Conflict) if attempt < ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// What an import would do, without writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCheck {
    pub rows_read: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Parses and validates an office list file against the stored offices, writing nothing (`--dry-run`).
pub async fn check_offices(
    store: &dyn Store,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportCheck, OfficeImportError> {
    let format =
        SourceFormat::from_file_name(file_name).ok_or_else(|| OfficeImportError::UnknownFormat(file_name.into()))?;
    let existing = store.office_versions().await?;
    tokio::task::spawn_blocking(move || {
        let rows = import::parse(&bytes, format)?;
        let plan = import::plan(&rows, &existing)?;
        Ok::<_, Vec<ImportProblem>>(ImportCheck {
            rows_read: rows.len(),
            added: plan.added,
            changed: plan.changed,
            unchanged: plan.unchanged,
        })
    })
    .await
    .map_err(|e| OfficeImportError::Worker(e.to_string()))?
    .map_err(OfficeImportError::Invalid)
}
