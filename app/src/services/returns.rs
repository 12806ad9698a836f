//! Returns (填报) as use cases: the template of an office and period, an upload checked and stored as a draft (the
//! preview), its confirmation, and the direct customs' decision. The CLI, the upload handlers and the server
//! functions all go through here.
//!
//! Rules:
//! - Who: a return of an office may be uploaded, confirmed or discarded by whoever may write that office's data
//!   today (its 隶属海关填报员, its 直属海关 administrator, 总署办公厅管理员); verified (accepted or returned) by its
//!   直属海关 administrator or 总署办公厅管理员 ([`Principal::can_verify_office`]); read by whoever may read the office.
//!   An office outside the caller's scope reads exactly like one that does not exist, and a return outside it
//!   takes the same queries to refuse as an unknown id ([`record`]).
//! - What: the file's office and period (from its `_meta` sheet or header cells) must be one the uploader may
//!   submit: an office in scope, a period that has begun. A file with any error is not stored at all; one with
//!   warnings only is stored as a draft and shown with them.
//! - Limits: uploads above [`ReturnLimits::max_upload_bytes`] are refused before parsing; the workbook's own
//!   limits (zip sizes, ratios, entries, rows) are checked by `analytics::sheets` before anything is unpacked.
//!   Parsing and writing workbooks run on the blocking pool.
//! - Stored text is bounded: file names to [`MAX_FILE_NAME_CHARS`] (extension kept); a decision's comment to
//!   [`MAX_COMMENT_CHARS`], its reasons to one per item, requirement or the whole return, only for items and
//!   requirements the return has, each at most [`MAX_REASON_CHARS`]; the web form's fields to their `maxlength`
//!   (`analytics::returns::form`).
//! - Once: the same bytes for the same office and period are recognised by their SHA-256 and never stored twice;
//!   a newer return supersedes the older one, whose history stays (see the store).

use analytics::catalog::Catalog;
use analytics::offices::{Directory, OfficeCode, OfficeKind};
use analytics::returns::form::{parse_form, ReturnForm};
use analytics::returns::{
    self, Change, ParseContext, ParseOutcome, Period, ReturnProblem, ReturnSnapshot, TemplateSpec,
};
use analytics::sheets::SourceFormat;
use chrono::{DateTime, NaiveDate, Utc};

use super::sha256_hex;
use crate::auth::{Hierarchy, Principal};
use crate::store::{
    Actor, Decision, DraftOutcome, NewReturnDraft, ReturnFilter, ReturnReason, ReturnRecord, ReturnSource,
    ReturnStatus, ReturnSummary, Store, StoreError, SubmitOutcome,
};

/// Size limits of uploads, as configured for this deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnLimits {
    /// The largest file accepted (default 20 MB; `GONGKAI_MAX_UPLOAD_MB`).
    pub max_upload_bytes: usize,
    /// The most files in one batch (files of a .zip count one by one).
    pub max_batch_files: usize,
}

impl Default for ReturnLimits {
    fn default() -> Self {
        ReturnLimits { max_upload_bytes: 20 * 1024 * 1024, max_batch_files: 1000 }
    }
}

/// The longest file name stored with a return, in characters; a longer one is cut, keeping its extension.
pub const MAX_FILE_NAME_CHARS: usize = 255;
/// The longest reason of a decision, in characters (the decision form's `maxlength`).
pub const MAX_REASON_CHARS: usize = 500;
/// The longest comment of a decision, in characters (the decision form's `maxlength`).
pub const MAX_COMMENT_CHARS: usize = 2000;

/// `name` cut to [`MAX_FILE_NAME_CHARS`] characters with `…` where it was cut, its extension (up to 16 characters
/// after the last dot) kept, so the file type is still recognised.
pub fn bounded_file_name(name: &str) -> String {
    let length = name.chars().count();
    if length <= MAX_FILE_NAME_CHARS {
        return name.to_string();
    }
    let extension = name.rfind('.').map(|at| &name[at..]).filter(|ext| ext.chars().count() <= 16).unwrap_or("");
    let keep = MAX_FILE_NAME_CHARS - 1 - extension.chars().count();
    let stem: String = name.chars().take(keep).collect();
    format!("{stem}…{extension}")
}

/// Why a returns use case was refused or failed. The messages are what the pages show.
#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    /// The office or return is outside the caller's scope, or does not exist.
    #[error("填报或机构不存在")]
    NotFound,
    /// The caller may read but not do this (a viewer uploading, a filer verifying).
    #[error("当前角色无权执行此操作")]
    Forbidden,
    #[error("文件过大：上限为 {limit_mb} MB")]
    TooLarge { limit_mb: usize },
    #[error("不支持的文件类型“{0}”：请上传 .xlsx、.xlsm、.xls 或 .ods 文件")]
    UnknownFormat(String),
    /// The file has errors; nothing was stored. Every problem, errors first, in Chinese with its cell.
    #[error("文件有 {} 处错误，未保存任何内容", errors.len())]
    Invalid { errors: Vec<String>, warnings: Vec<String> },
    /// The file names an office the uploader may not submit for.
    #[error("文件中的填报单位“{0}”不在您的报送范围内")]
    OfficeNotAllowed(String),
    /// The file's period has not begun.
    #[error("报送期间“{0}”尚未开始，不能报送")]
    FuturePeriod(String),
    /// The same content was already uploaded for this office and period.
    #[error("该文件已上传过（第 {id} 号填报，{}），未重复保存", status.name_zh())]
    Duplicate { id: i64, status: ReturnStatus },
    /// The return is not in the state the action needs (confirming a submitted one, deciding an accepted one).
    #[error("该填报当前状态为“{}”，不能执行此操作", .0.name_zh())]
    WrongState(ReturnStatus),
    /// Returning a return needs at least one reason.
    #[error("退回修改时必须至少填写一条原因")]
    ReasonsRequired,
    /// A reason longer than [`MAX_REASON_CHARS`] (named by what it is for: `事项 7`, `基本要求 training`, `整体`).
    #[error("{target}的退回原因不能超过 {limit} 个字符（现有 {length} 个）")]
    ReasonTooLong { target: String, limit: usize, length: usize },
    /// A decision's comment longer than [`MAX_COMMENT_CHARS`].
    #[error("审核意见不能超过 {limit} 个字符（现有 {length} 个）")]
    CommentTooLong { limit: usize, length: usize },
    /// A reason for an item or requirement the return does not have.
    #[error("本填报中没有{0}，不能针对它填写退回原因")]
    ReasonUnknown(String),
    /// A second reason for the same item, requirement or the whole return.
    #[error("{0}只能填写一条退回原因")]
    ReasonTwice(String),
    /// No catalog is installed (a database that was never prepared).
    #[error("尚未安装标准目录")]
    NoCatalog,
    #[error("无效的报送期间：{0}")]
    Period(String),
    #[error("生成模板失败：{0}")]
    Template(String),
    #[error("后台任务异常中止：{0}")]
    Worker(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReturnError {
    /// HTTP status: 404, 403, 413, 400/422 for input to correct, 409 for a duplicate, 500 otherwise.
    pub fn status_code(&self) -> u16 {
        match self {
            ReturnError::NotFound => 404,
            ReturnError::Forbidden | ReturnError::OfficeNotAllowed(_) => 403,
            ReturnError::TooLarge { .. } => 413,
            ReturnError::UnknownFormat(_)
            | ReturnError::Period(_)
            | ReturnError::ReasonsRequired
            | ReturnError::ReasonTooLong { .. }
            | ReturnError::CommentTooLong { .. }
            | ReturnError::ReasonUnknown(_)
            | ReturnError::ReasonTwice(_) => 400,
            ReturnError::Invalid { .. } | ReturnError::FuturePeriod(_) => 422,
            ReturnError::Duplicate { .. } | ReturnError::WrongState(_) => 409,
            ReturnError::NoCatalog | ReturnError::Template(_) | ReturnError::Worker(_) | ReturnError::Store(_) => 500,
        }
    }
}

/// The office tree as of `today`, for scope checks and names.
async fn directory(store: &dyn Store) -> Result<std::sync::Arc<Directory>, ReturnError> {
    Ok(store.office_directory().await?)
}

/// The catalog returns answer (the standard catalog until district catalogs exist).
async fn catalog(store: &dyn Store) -> Result<Catalog, ReturnError> {
    store.standard_catalog().await?.ok_or(ReturnError::NoCatalog)
}

/// Parses a period as a page or the command line gives it (`2022Q3`, `2022年第三季度`).
pub fn parse_period(raw: &str) -> Result<Period, ReturnError> {
    Period::parse(raw).map_err(|e| ReturnError::Period(e.to_string()))
}

/// The template of `office` for `period`: file name and bytes. Anyone who may read the office may download it.
pub async fn template(
    store: &dyn Store,
    principal: &Principal,
    office: &OfficeCode,
    period: Period,
    today: NaiveDate,
) -> Result<(String, Vec<u8>), ReturnError> {
    let directory = directory(store).await?;
    let hierarchy = Hierarchy::new(&directory, today);
    let version = hierarchy.office(office).filter(|v| v.kind == OfficeKind::Subordinate);
    let Some(version) = version.filter(|_| principal.can_read_office(office, &hierarchy)) else {
        return Err(ReturnError::NotFound);
    };
    let district_name =
        version.parent.as_ref().and_then(|p| hierarchy.office(p)).map(|p| p.name.clone()).unwrap_or_default();
    let catalog = catalog(store).await?;
    let spec = TemplateSpec {
        office: office.clone(),
        office_name: version.name.clone(),
        district_name,
        period,
        catalog_version: catalog.code.clone(),
        catalog,
    };
    let file_name = format!("{}-{}-{}填报表.xlsx", office, version.name, period.code());
    let bytes = tokio::task::spawn_blocking(move || returns::write_template(&spec))
        .await
        .map_err(|e| ReturnError::Worker(e.to_string()))?
        .map_err(|e| ReturnError::Template(e.to_string()))?;
    Ok((file_name, bytes))
}

/// An upload as a handler receives it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The office and period the upload is for, when the page asked for one; the file must agree.
    pub expected_office: Option<OfficeCode>,
    pub expected_period: Option<Period>,
    pub source: ReturnSource,
}

/// What an accepted upload became: a draft to confirm (with its warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub id: i64,
    pub office: OfficeCode,
    pub period: String,
    pub warnings: Vec<String>,
    /// The same file was uploaded before and its draft is still waiting: this is that draft.
    pub existing_draft: bool,
}

/// A principal with 总署办公厅管理员 rights for the command line and the demo loader (`name` in the audit log).
pub fn system_principal(name: &str, display_name: &str) -> Result<Principal, ReturnError> {
    let corrupt = |e: String| ReturnError::Store(StoreError::Corrupt(e));
    let hq = OfficeCode::parse("0000").map_err(|e| corrupt(e.to_string()))?;
    let grant = crate::auth::Grant::new(crate::auth::Role::HqAdmin, hq, OfficeKind::Headquarters)
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(Principal { user_id: 0, username: name.into(), display_name: display_name.into(), grants: vec![grant] })
}

/// What a checked upload would record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub office: OfficeCode,
    pub period: String,
    pub warnings: Vec<String>,
}

/// Checks an upload as [`upload`] does, storing nothing (the command line's `--dry-run`).
pub async fn check(
    store: &dyn Store,
    principal: &Principal,
    upload: Upload,
    limits: ReturnLimits,
    today: NaiveDate,
) -> Result<Checked, ReturnError> {
    let draft = prepare(store, principal, upload, limits, today).await?;
    Ok(Checked { office: draft.snapshot.office, period: draft.snapshot.period, warnings: draft.warnings })
}

/// Checks an upload and stores it as a draft (nothing at all when it has an error). See the module rules.
pub async fn upload(
    store: &dyn Store,
    principal: &Principal,
    upload: Upload,
    limits: ReturnLimits,
    today: NaiveDate,
    actor: &Actor,
) -> Result<Uploaded, ReturnError> {
    let draft = prepare(store, principal, upload, limits, today).await?;
    store_draft(store, draft, actor).await
}

/// Stores an admitted draft (one transaction), or recognises the same file stored before.
async fn store_draft(store: &dyn Store, draft: NewReturnDraft, actor: &Actor) -> Result<Uploaded, ReturnError> {
    let outcome = store.create_return_draft(&draft, actor).await?;
    let NewReturnDraft { snapshot, warnings, .. } = draft;
    match outcome {
        DraftOutcome::Created(id) => {
            Ok(Uploaded { id, office: snapshot.office, period: snapshot.period, warnings, existing_draft: false })
        }
        DraftOutcome::Existing(id, ReturnStatus::Draft) => {
            Ok(Uploaded { id, office: snapshot.office, period: snapshot.period, warnings, existing_draft: true })
        }
        DraftOutcome::Existing(id, status) => Err(ReturnError::Duplicate { id, status }),
    }
}

/// What a batch does with each file that passes the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchAction {
    /// Check only and store nothing (the command line's `--dry-run`).
    Check,
    /// Store it as a draft to confirm (the upload page).
    Draft,
    /// Store it and submit it at once (at the time it is stored), as [`upload`] then [`confirm`] would
    /// (`gongkai returns import`).
    Submit,
}

/// What became of one file of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchStored {
    Checked(Checked),
    Drafted(Uploaded),
    Submitted(Uploaded),
}

/// One file of a batch and its outcome, in the order the files were given.
#[derive(Debug)]
pub struct BatchFile {
    pub file_name: String,
    pub outcome: Result<BatchStored, ReturnError>,
}

/// The number of files a batch parses at once: one per core.
pub fn batch_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Many uploads at once (a .zip of a direct customs, `gongkai returns import`), each checked exactly as [`upload`]
/// checks one, with `action` done to those that pass. The files are parsed on [`batch_workers`] blocking threads
/// at a time while the ones already parsed are stored, each file in its own transactions in the order given, so
/// one bad file never affects another and a refused file stores nothing. The catalog and the office tree are read
/// once for the whole batch. `on_file` sees each file's outcome as soon as it is known (a progress bar).
///
/// Fails as a whole only when the batch cannot start (no catalog, the office tree unreadable).
#[allow(clippy::too_many_arguments)]
pub async fn upload_batch(
    store: &dyn Store,
    principal: &Principal,
    uploads: Vec<Upload>,
    limits: ReturnLimits,
    today: NaiveDate,
    actor: &Actor,
    action: BatchAction,
    mut on_file: impl FnMut(&BatchFile),
) -> Result<Vec<BatchFile>, ReturnError> {
    use futures::StreamExt;

    let catalog = std::sync::Arc::new(catalog(store).await?);
    let directory = directory(store).await?;
    let hierarchy = Hierarchy::new(&directory, today);
    let mut known = KnownCatalogs::with_standard(&catalog.code);
    let mut parsed = futures::stream::iter(uploads.into_iter().map(|upload| {
        let catalog = std::sync::Arc::clone(&catalog);
        let upload = Upload { file_name: bounded_file_name(&upload.file_name), ..upload };
        async move {
            let file_name = upload.file_name.clone();
            let parsed = match upload_format(&upload, limits) {
                Ok(format) => tokio::task::spawn_blocking(move || parse_upload(upload, format, &catalog, today))
                    .await
                    .unwrap_or_else(|e| Err(ReturnError::Worker(e.to_string()))),
                Err(e) => Err(e),
            };
            (file_name, parsed)
        }
    }))
    .buffered(batch_workers());
    let mut files = Vec::new();
    while let Some((file_name, parsed)) = parsed.next().await {
        let outcome = match parsed {
            Ok(draft) => match admit(store, principal, draft, &hierarchy, today, &mut known).await {
                Ok(draft) => store_batch_file(store, draft, actor, action).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        let file = BatchFile { file_name, outcome };
        on_file(&file);
        files.push(file);
    }
    Ok(files)
}

/// Does `action` to an admitted draft of a batch.
async fn store_batch_file(
    store: &dyn Store,
    draft: NewReturnDraft,
    actor: &Actor,
    action: BatchAction,
) -> Result<BatchStored, ReturnError> {
    match action {
        BatchAction::Check => {
            let NewReturnDraft { snapshot, warnings, .. } = draft;
            return Ok(BatchStored::Checked(Checked { office: snapshot.office, period: snapshot.period, warnings }));
        }
        BatchAction::Draft => return Ok(BatchStored::Drafted(store_draft(store, draft, actor).await?)),
        BatchAction::Submit => {}
    }
    // The uploader may write the office (just checked as of today), which is what confirming needs. One
    // transaction: the file is stored and submitted, or nothing is.
    let outcome = store.create_and_submit_return(&draft, Utc::now(), actor).await?;
    let NewReturnDraft { snapshot, warnings, .. } = draft;
    match outcome {
        (DraftOutcome::Created(id), Some(SubmitOutcome::Submitted { .. })) => Ok(BatchStored::Submitted(Uploaded {
            id,
            office: snapshot.office,
            period: snapshot.period,
            warnings,
            existing_draft: false,
        })),
        (DraftOutcome::Existing(id, ReturnStatus::Draft), Some(SubmitOutcome::Submitted { .. })) => {
            Ok(BatchStored::Submitted(Uploaded {
                id,
                office: snapshot.office,
                period: snapshot.period,
                warnings,
                existing_draft: true,
            }))
        }
        (DraftOutcome::Existing(id, status), None) => Err(ReturnError::Duplicate { id, status }),
        (DraftOutcome::Created(_) | DraftOutcome::Existing(..), _) => Err(ReturnError::WrongState(ReturnStatus::Draft)),
    }
}

/// The checks of an upload (module rules) and the draft it would become.
async fn prepare(
    store: &dyn Store,
    principal: &Principal,
    upload: Upload,
    limits: ReturnLimits,
    today: NaiveDate,
) -> Result<NewReturnDraft, ReturnError> {
    let upload = Upload { file_name: bounded_file_name(&upload.file_name), ..upload };
    let format = upload_format(&upload, limits)?;
    let catalog = catalog(store).await?;
    let mut known = KnownCatalogs::with_standard(&catalog.code);
    let draft = tokio::task::spawn_blocking(move || parse_upload(upload, format, &catalog, today))
        .await
        .map_err(|e| ReturnError::Worker(e.to_string()))??;
    let directory = directory(store).await?;
    admit(store, principal, draft, &Hierarchy::new(&directory, today), today, &mut known).await
}

/// The checks made before a file is parsed: its size and its type (by name).
fn upload_format(upload: &Upload, limits: ReturnLimits) -> Result<SourceFormat, ReturnError> {
    if upload.bytes.len() > limits.max_upload_bytes {
        return Err(ReturnError::TooLarge { limit_mb: limits.max_upload_bytes / (1024 * 1024) });
    }
    SourceFormat::from_file_name(&upload.file_name)
        .filter(|f| *f != SourceFormat::Csv)
        .ok_or_else(|| ReturnError::UnknownFormat(upload.file_name.clone()))
}

/// Parses and validates an upload (CPU only: call it off the async runtime): the draft it becomes once its office
/// and period are admitted.
fn parse_upload(
    upload: Upload,
    format: SourceFormat,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<NewReturnDraft, ReturnError> {
    let content_sha256 = sha256_hex(&upload.bytes);
    let Upload { file_name, bytes, expected_office, expected_period, source } = upload;
    let mut ctx = ParseContext::new(today, catalog);
    ctx.expected_office = expected_office.as_ref();
    ctx.expected_period = expected_period;
    let outcome = returns::parse_return(&bytes, format, &ctx);
    if outcome.accepted().is_none() && outcome.errors().next().is_none() {
        let warnings = outcome.warnings().map(ToString::to_string).collect();
        return Err(ReturnError::Invalid { errors: vec!["文件无法识别为填报表".to_string()], warnings });
    }
    draft_from_outcome(outcome, source, Some(file_name), content_sha256, Some(bytes))
}

/// The draft a return read without error becomes (any source: a workbook, the web form), before its office and
/// period are admitted; the problems when it has errors.
fn draft_from_outcome(
    outcome: ParseOutcome,
    source: ReturnSource,
    source_name: Option<String>,
    content_sha256: String,
    file: Option<Vec<u8>>,
) -> Result<NewReturnDraft, ReturnError> {
    let warnings: Vec<String> = outcome.warnings().map(ToString::to_string).collect();
    let Some(snapshot) = outcome.accepted().cloned() else {
        return Err(ReturnError::Invalid { errors: outcome.errors().map(ToString::to_string).collect(), warnings });
    };
    Ok(NewReturnDraft {
        catalog_code: outcome.meta.catalog_version.clone().unwrap_or_else(|| "std-2021-23".into()),
        template_version: outcome.meta.template_version.clone(),
        source,
        source_name,
        content_sha256,
        warnings,
        file,
        snapshot,
    })
}

/// Whether catalog versions named by files are stored, as learnt so far (a batch asks the store once per version).
struct KnownCatalogs(std::collections::HashMap<String, bool>);

impl KnownCatalogs {
    /// Knowing that the standard catalog (just read from the store) is stored.
    fn with_standard(code: &str) -> Self {
        KnownCatalogs(std::collections::HashMap::from([(code.to_string(), true)]))
    }

    async fn contains(&mut self, store: &dyn Store, code: &str) -> Result<bool, ReturnError> {
        if let Some(known) = self.0.get(code) {
            return Ok(*known);
        }
        let known = store.catalog(code).await?.is_some();
        self.0.insert(code.to_string(), known);
        Ok(known)
    }
}

/// The checks of a parsed upload against the office tree as of `today` (module rules), and the draft it becomes.
async fn admit(
    store: &dyn Store,
    principal: &Principal,
    draft: NewReturnDraft,
    hierarchy: &Hierarchy<'_>,
    today: NaiveDate,
    known: &mut KnownCatalogs,
) -> Result<NewReturnDraft, ReturnError> {
    let office = &draft.snapshot.office;
    let is_subordinate = hierarchy.office(office).is_some_and(|v| v.kind == OfficeKind::Subordinate);
    if !is_subordinate || !principal.can_write_office(office, hierarchy) {
        return Err(ReturnError::OfficeNotAllowed(office.to_string()));
    }
    let period = parse_period(&draft.snapshot.period)?;
    if period.first_day() > today {
        return Err(ReturnError::FuturePeriod(period.name_zh()));
    }
    // The file's catalog version must be one this server knows; otherwise it answers the standard catalog.
    if known.contains(store, &draft.catalog_code).await? {
        Ok(draft)
    } else {
        Ok(NewReturnDraft { catalog_code: catalog_code(store).await?, ..draft })
    }
}

async fn catalog_code(store: &dyn Store) -> Result<String, ReturnError> {
    Ok(catalog(store).await?.code)
}

/// What a web form submitted for a return became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// Read without error: a draft to preview and confirm, exactly as an upload.
    Drafted(Uploaded),
    /// Errors: nothing was stored. Every problem (errors and warnings), located at its template cell, which
    /// `analytics::returns::form::FormField::of` maps back to the field.
    Invalid(Vec<ReturnProblem>),
}

/// The name of `office` when the caller may file its returns today; [`ReturnError::Forbidden`] when it may only
/// read it, [`ReturnError::NotFound`] when it is out of scope or no subordinate office.
async fn writable_office(
    store: &dyn Store,
    principal: &Principal,
    office: &OfficeCode,
    today: NaiveDate,
) -> Result<String, ReturnError> {
    let directory = directory(store).await?;
    let hierarchy = Hierarchy::new(&directory, today);
    match hierarchy.office(office).filter(|v| v.kind == OfficeKind::Subordinate) {
        Some(v) if principal.can_write_office(office, &hierarchy) => Ok(v.name.clone()),
        Some(_) if principal.can_read_office(office, &hierarchy) => Err(ReturnError::Forbidden),
        _ => Err(ReturnError::NotFound),
    }
}

/// The content hash of a web form: SHA-256 of its canonical serialisation (rows in template order, every field as
/// typed), so that the same submission twice is recognised as an upload of the same bytes is.
pub fn form_sha256(form: &ReturnForm) -> String {
    let mut bytes = b"gongkai-web-form-1\n".to_vec();
    // Serialising plain strings, sets and numbers cannot fail; an empty body would still be a stable hash.
    bytes.extend(serde_json::to_vec(form).unwrap_or_default());
    sha256_hex(&bytes)
}

/// Checks a web form with the workbook import's rules and, without error, stores it as a draft (source `web`, no
/// file) exactly as [`upload`] does. The office must be one the caller may file for, the period one that has begun.
pub async fn submit_form(
    store: &dyn Store,
    principal: &Principal,
    form: ReturnForm,
    today: NaiveDate,
    actor: &Actor,
) -> Result<FormOutcome, ReturnError> {
    writable_office(store, principal, &form.office, today).await?;
    if form.period.first_day() > today {
        return Err(ReturnError::FuturePeriod(form.period.name_zh()));
    }
    let catalog = catalog(store).await?;
    let content_sha256 = form_sha256(&form);
    let outcome = tokio::task::spawn_blocking(move || {
        let mut ctx = ParseContext::new(today, &catalog);
        ctx.expected_office = Some(&form.office);
        ctx.expected_period = Some(form.period);
        parse_form(&form, &ctx)
    })
    .await
    .map_err(|e| ReturnError::Worker(e.to_string()))?;
    if outcome.has_errors() {
        return Ok(FormOutcome::Invalid(outcome.problems));
    }
    let draft = draft_from_outcome(outcome, ReturnSource::Web, Some("在线填报".into()), content_sha256, None)?;
    let directory = directory(store).await?;
    let mut known = KnownCatalogs(std::collections::HashMap::new());
    let draft = admit(store, principal, draft, &Hierarchy::new(&directory, today), today, &mut known).await?;
    let (snapshot, warnings) = (draft.snapshot.clone(), draft.warnings.clone());
    let uploaded = |id, existing_draft| Uploaded {
        id,
        office: snapshot.office.clone(),
        period: snapshot.period.clone(),
        warnings: warnings.clone(),
        existing_draft,
    };
    match store.create_return_draft(&draft, actor).await? {
        DraftOutcome::Created(id) => Ok(FormOutcome::Drafted(uploaded(id, false))),
        DraftOutcome::Existing(id, ReturnStatus::Draft) => Ok(FormOutcome::Drafted(uploaded(id, true))),
        DraftOutcome::Existing(id, status) => Err(ReturnError::Duplicate { id, status }),
    }
}

/// The web form of an office and period as it opens: what to prefill it with, and the catalog it follows.
#[derive(Debug, Clone)]
pub struct FormStart {
    pub form: ReturnForm,
    pub office_name: String,
    /// The return the form was filled from (id, status), if any.
    pub filled_from: Option<(i64, ReturnStatus, String)>,
    pub catalog: Catalog,
}

/// The web form of `office` for `period`, for a caller who may file it: prefilled from the latest draft, submitted
/// or returned return of that period, else from the office's last accepted return, else empty (the catalog's rows).
pub async fn form_start(
    store: &dyn Store,
    principal: &Principal,
    office: &OfficeCode,
    period: Period,
    today: NaiveDate,
) -> Result<FormStart, ReturnError> {
    let office_name = writable_office(store, principal, office, today).await?;
    let catalog = catalog(store).await?;
    let filter = ReturnFilter {
        offices: Some(vec![office.clone()]),
        statuses: vec![ReturnStatus::Draft, ReturnStatus::Submitted, ReturnStatus::Returned],
        period: Some(period.code()),
    };
    let latest = store.list_returns(&filter).await?.into_iter().max_by_key(|r| (r.created_at, r.id));
    let record = match latest {
        Some(summary) => store.return_record(summary.id).await?,
        None => latest_accepted(store, office).await?,
    };
    let (form, filled_from) = match record {
        Some(record) => (
            ReturnForm::from_snapshot(office.clone(), period, &catalog, &record.snapshot),
            Some((record.summary.id, record.summary.status, record.summary.period.clone())),
        ),
        None => (ReturnForm::blank(office.clone(), period, &catalog), None),
    };
    Ok(FormStart { form, office_name, filled_from, catalog })
}

/// A return the caller may read, or [`ReturnError::NotFound`].
pub async fn record(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<(ReturnRecord, Access), ReturnError> {
    let (_, access) = summary_access(store, principal, id, today).await?;
    // Read only once the caller may: an unknown and an out-of-scope return have done the same work by now.
    let record = store.return_record(id).await?.ok_or(ReturnError::NotFound)?;
    Ok((record, access))
}

/// A return as a workbook to download: see [`download`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDownload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The uploaded file itself (HQ's archive), not a copy made from what was recorded.
    pub original: bool,
}

/// A return as a workbook, for whoever may read it. Reviewers get a copy regenerated from what was recorded (the
/// template filled from the snapshot, every text written as text), never the filer's own file: that could carry
/// live formulas (`=cmd|' /C calc'!A0`, `=HYPERLINK(…)`) or other content the import did not read. The uploaded
/// file is kept as HQ's archive and only HQ's administrator downloads it.
pub async fn download(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<ReturnDownload, ReturnError> {
    let (record, _) = record(store, principal, id, today).await?;
    if principal.is_hq_admin() {
        if let Some((file_name, bytes)) = store.return_file(id).await? {
            return Ok(ReturnDownload { file_name, bytes, original: true });
        }
    }
    let period = parse_period(&record.summary.period)?;
    let directory = directory(store).await?;
    let office = record.snapshot.office.clone();
    // The names as the directory last knows them (an office closed since still has its last name).
    let latest = |code: &OfficeCode| directory.versions().iter().rev().find(|v| &v.code == code);
    let office_name = latest(&office).map(|v| v.name.clone()).unwrap_or_default();
    let district_name =
        latest(&office).and_then(|v| v.parent.as_ref()).and_then(latest).map(|v| v.name.clone()).unwrap_or_default();
    let catalog = catalog(store).await?;
    let spec = TemplateSpec {
        office: office.clone(),
        office_name: office_name.clone(),
        district_name,
        period,
        catalog_version: catalog.code.clone(),
        catalog,
    };
    let snapshot = record.snapshot;
    let bytes = tokio::task::spawn_blocking(move || returns::write_filled(&spec, &snapshot))
        .await
        .map_err(|e| ReturnError::Worker(e.to_string()))?
        .map_err(|e| ReturnError::Template(e.to_string()))?;
    let file_name = format!("{office}-{office_name}-{}填报表-第{id}号（据记录生成）.xlsx", period.code());
    Ok(ReturnDownload { file_name, bytes, original: false })
}

/// A return's summary and what the caller may do with it, without its content (for a state change).
///
/// An unknown return and one outside the caller's scope do the same work, so that neither the answer nor its
/// time tells them apart (issue 13): one query for the summary (its office), the office tree, and the scope check
/// (on a placeholder office for an unknown id) on both paths.
async fn summary_access(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<(ReturnSummary, Access), ReturnError> {
    let summary = store.return_summary(id).await?;
    let directory = directory(store).await?;
    let hierarchy = Hierarchy::new(&directory, today);
    let office = match &summary {
        Some(summary) => summary.office.clone(),
        None => OfficeCode::parse("0000").map_err(|e| ReturnError::Store(StoreError::Corrupt(e.to_string())))?,
    };
    let access = access_in(principal, &office, &hierarchy);
    match (summary, access) {
        (Some(summary), Some(access)) => Ok((summary, access)),
        _ => Err(ReturnError::NotFound),
    }
}

/// What the caller may do with the returns of `office`; `None` out of its scope.
fn access_in(principal: &Principal, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> Option<Access> {
    principal.can_read_office(office, hierarchy).then(|| Access {
        submit: principal.can_write_office(office, hierarchy),
        verify: principal.can_verify_office(office, hierarchy),
    })
}

/// What the caller may do with a return it can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Confirm or discard a draft.
    pub submit: bool,
    /// Accept or return a submitted return.
    pub verify: bool,
}

/// The office's most recently accepted return (of any period): what a new web form starts from.
async fn latest_accepted(store: &dyn Store, office: &OfficeCode) -> Result<Option<ReturnRecord>, ReturnError> {
    let accepted = accepted_returns(store, office).await?;
    match accepted.iter().max_by_key(|r| (r.decided_at, r.id)) {
        Some(last) => Ok(store.return_record(last.id).await?),
        None => Ok(None),
    }
}

/// Every return of the office that was accepted (still in force or superseded since).
async fn accepted_returns(store: &dyn Store, office: &OfficeCode) -> Result<Vec<ReturnSummary>, ReturnError> {
    let filter = ReturnFilter {
        offices: Some(vec![office.clone()]),
        statuses: vec![ReturnStatus::Accepted, ReturnStatus::Superseded],
        period: None,
    };
    Ok(store.list_returns(&filter).await?.into_iter().filter(|r| r.accepted_on.is_some()).collect())
}

/// Where a return stands in its office's history: its period (`2022Q3` codes sort in time order), then when it was
/// accepted (a return not accepted comes after every accepted return of its period), then its number.
type HistoryKey<'a> = (&'a str, Option<DateTime<Utc>>, i64);

fn history_key(summary: &ReturnSummary) -> HistoryKey<'_> {
    let accepted_at = if summary.accepted_on.is_some() { summary.decided_at } else { None };
    (summary.period.as_str(), accepted_at, summary.id)
}

/// The accepted return that comes last before `this` in the office's history (by period, then acceptance), if any.
fn accepted_before<'a>(this: HistoryKey<'_>, accepted: impl IntoIterator<Item = HistoryKey<'a>>) -> Option<i64> {
    // `None` (not accepted) must sort after every acceptance time of the same period.
    let rank = |(period, at, id): HistoryKey<'_>| (period.to_string(), at.is_none(), at, id);
    let this_rank = rank(this);
    accepted
        .into_iter()
        .filter(|key| key.2 != this.2 && rank(*key) < this_rank)
        .max_by_key(|key| rank(*key))
        .map(|k| k.2)
}

/// The accepted return before `summary` in its office's history (see [`accepted_before`]) and what changed from it
/// to `snapshot`; `None` for an office's first return.
pub async fn changes_since_accepted(
    store: &dyn Store,
    summary: &ReturnSummary,
    snapshot: &ReturnSnapshot,
) -> Result<Option<(ReturnSummary, Vec<Change>)>, ReturnError> {
    let accepted = accepted_returns(store, &snapshot.office).await?;
    let Some(previous) = accepted_before(history_key(summary), accepted.iter().map(history_key)) else {
        return Ok(None);
    };
    Ok(store
        .return_record(previous)
        .await?
        .map(|previous| (previous.summary.clone(), returns::diff(&previous.snapshot, snapshot))))
}

/// Confirms a draft: it is submitted to the direct customs. Returns the earlier return it replaced, if any.
pub async fn confirm(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
    actor: &Actor,
) -> Result<Option<i64>, ReturnError> {
    let (summary, access) = summary_access(store, principal, id, today).await?;
    if !access.submit {
        return Err(ReturnError::Forbidden);
    }
    match store.submit_return(id, now, actor).await? {
        SubmitOutcome::Submitted { superseded } => Ok(superseded),
        SubmitOutcome::NotADraft => Err(ReturnError::WrongState(summary.status)),
    }
}

/// Discards a draft the uploader does not want to submit.
pub async fn discard(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    today: NaiveDate,
    actor: &Actor,
) -> Result<(), ReturnError> {
    let (summary, access) = summary_access(store, principal, id, today).await?;
    if !access.submit {
        return Err(ReturnError::Forbidden);
    }
    if store.discard_return_draft(id, actor).await? {
        Ok(())
    } else {
        Err(ReturnError::WrongState(summary.status))
    }
}

/// Accepts a submitted return, or returns it with at least one reason.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &dyn Store,
    principal: &Principal,
    id: i64,
    decision: Decision,
    comment: &str,
    reasons: Vec<ReturnReason>,
    now: DateTime<Utc>,
    today: NaiveDate,
    actor: &Actor,
) -> Result<(), ReturnError> {
    let (record, access) = record(store, principal, id, today).await?;
    if !access.verify {
        return Err(ReturnError::Forbidden);
    }
    let reasons: Vec<ReturnReason> = reasons
        .into_iter()
        .map(|r| ReturnReason { reason: r.reason.trim().to_string(), ..r })
        .filter(|r| !r.reason.is_empty())
        .collect();
    check_decision_text(&record.snapshot, comment.trim(), &reasons)?;
    if decision == Decision::Returned && reasons.is_empty() {
        return Err(ReturnError::ReasonsRequired);
    }
    if store.decide_return(id, decision, comment.trim(), &reasons, now, actor).await? {
        Ok(())
    } else {
        Err(ReturnError::WrongState(record.summary.status))
    }
}

/// The bounds of what a decision stores: a comment of at most [`MAX_COMMENT_CHARS`], reasons only for items and
/// requirements of the return (or the whole return), at most one for each, each at most [`MAX_REASON_CHARS`].
fn check_decision_text(snapshot: &ReturnSnapshot, comment: &str, reasons: &[ReturnReason]) -> Result<(), ReturnError> {
    let length = comment.chars().count();
    if length > MAX_COMMENT_CHARS {
        return Err(ReturnError::CommentTooLong { limit: MAX_COMMENT_CHARS, length });
    }
    let mut seen = std::collections::HashSet::new();
    for reason in reasons {
        let target = match (reason.item, &reason.requirement) {
            (Some(item), _) => {
                let target = format!("事项 {item}");
                if snapshot.item(item).is_none() {
                    return Err(ReturnError::ReasonUnknown(target));
                }
                target
            }
            (None, Some(code)) => {
                // The code as typed may be anything: only a short one is named back.
                let target = format!("基本要求 {}", code.chars().take(40).collect::<String>());
                if snapshot.requirement(code).is_none() {
                    return Err(ReturnError::ReasonUnknown(target));
                }
                target
            }
            (None, None) => "整体".to_string(),
        };
        let length = reason.reason.chars().count();
        if length > MAX_REASON_CHARS {
            return Err(ReturnError::ReasonTooLong { target, limit: MAX_REASON_CHARS, length });
        }
        if !seen.insert((reason.item, reason.requirement.clone())) {
            return Err(ReturnError::ReasonTwice(target));
        }
    }
    Ok(())
}

/// The returns the caller may read that match `filter` (cut to the caller's scope as of `today`).
pub async fn list(
    store: &dyn Store,
    principal: &Principal,
    mut filter: ReturnFilter,
    today: NaiveDate,
) -> Result<Vec<ReturnSummary>, ReturnError> {
    // HQ reads every office: no list of ~700 codes to send to the database.
    if principal.has_role(crate::auth::Role::HqAdmin) || principal.has_role(crate::auth::Role::HqViewer) {
        return Ok(store.list_returns(&filter).await?);
    }
    let directory = directory(store).await?;
    let hierarchy = Hierarchy::new(&directory, today);
    let in_scope: Vec<OfficeCode> = directory
        .in_force_on(today)
        .filter(|v| v.kind == OfficeKind::Subordinate && principal.can_read_office(&v.code, &hierarchy))
        .map(|v| v.code.clone())
        .collect();
    filter.offices = Some(match filter.offices.take() {
        Some(asked) => asked.into_iter().filter(|o| in_scope.contains(o)).collect(),
        None => in_scope,
    });
    Ok(store.list_returns(&filter).await?)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2023, 1, day, 9, 0, 0).single()
    }

    #[test]
    fn a_return_is_compared_with_the_accepted_return_before_it_by_period_then_acceptance_never_a_later_one() {
        // 2022Q2 (#1) and 2022Q3 (#2) accepted; 2022Q3 filed again (#3), accepted after #2.
        let accepted = [("2022Q2", at(1), 1), ("2022Q3", at(2), 2), ("2022Q3", at(5), 3)];
        // An office's first accepted return has nothing before it, however many came later.
        assert_eq!(accepted_before(("2022Q2", at(1), 1), accepted), None);
        // A later quarter's return is compared with the quarter before, not with itself or a later one.
        assert_eq!(accepted_before(("2022Q3", at(2), 2), accepted), Some(1));
        // A refiling of the same quarter accepted later comes after the first acceptance of that quarter.
        assert_eq!(accepted_before(("2022Q3", at(5), 3), accepted), Some(2));
        // A returned (never accepted) 2022Q2 return filed after the 2022Q3 ones is compared with 2022Q2's accepted
        // return, not with the later quarter's.
        assert_eq!(accepted_before(("2022Q2", None, 9), accepted), Some(1));
        // A draft of a new quarter is compared with the latest accepted return before it.
        assert_eq!(accepted_before(("2022Q4", None, 10), accepted), Some(3));
        // A draft of an earlier quarter than any accepted return has nothing to compare with.
        assert_eq!(accepted_before(("2022Q1", None, 11), accepted), None);
    }

    #[test]
    fn a_long_file_name_is_cut_to_255_characters_keeping_its_extension() {
        assert_eq!(bounded_file_name("新港海关.xlsx"), "新港海关.xlsx");
        let cut = bounded_file_name(&format!("{}.xlsx", "新".repeat(40_000)));
        assert_eq!(cut.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cut.ends_with("….xlsx"));
        let no_extension = bounded_file_name(&"a".repeat(300));
        assert_eq!(no_extension.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(no_extension.ends_with('…'));
        let long_extension = bounded_file_name(&format!("a.{}", "b".repeat(300)));
        assert_eq!(long_extension.chars().count(), MAX_FILE_NAME_CHARS, "a 'extension' of 300 characters is not kept");
    }
}
