//! The rollout and the assessments as of a date, from the database: milestones M1–M5 per direct customs and
//! nationally, and one subordinate office's score, explanation and benchmark completion.
//!
//! Rules:
//! - **One path.** The API, the command line and the pages read the same [`RolloutData`] (offices, the catalog
//!   returns answer, every accepted return, the direct customs' rollout records) and hand it to the pure engine
//!   (`analytics::rollout::evaluate`, `analytics::assessment`) on the blocking pool.
//! - **As of a date.** Everything dated after `as_of` is ignored: returns accepted later, records dated later.
//! - **Scope.** The national roll-up is for headquarters only; a direct customs role sees the direct customs it
//!   may read (hierarchy as of today); a subordinate office's filer is refused (403): milestones are a district's. An office's assessment is read by whoever may read
//!   the office; outside the scope it is the same 404 as an unknown office.
//! - **Applicability.** Until district catalogs are edited in the product, every item of the standard catalog
//!   applies (no 不适用 marks).
//! - **Scheme versions.** Headquarters stores scoring schemes as versions ([`install_scheme`]; the bundled
//!   default is stored on first start). A version never changes (the database refuses it). A return is scored
//!   under the version in force on the day it was accepted (the latest `valid_from` on or before that day; the
//!   earliest version for a return accepted before any), so a new version changes no past assessment. The same
//!   version decides what counts as benchmark completion (its `[completion]` definition) and the clocks' settings
//!   (its `[clocks]`, e.g. the "as needed" staleness window).
//! - **Calendar.** The clocks count working days with the bundled arrangements and the years headquarters
//!   imported ([`crate::services::calendar::working_calendar`]).

use std::collections::BTreeMap;

use analytics::assessment::{
    completion_history_by, is_complete, parse_scheme, score, Applicability, Assessment, CompletionChange,
    CompletionDefinition, Scheme,
};
use analytics::calendar::WorkingCalendar;
use analytics::catalog::Catalog;
use analytics::offices::{Directory, OfficeCode, OfficeKind};
use analytics::returns::ReturnSnapshot;
use analytics::rollout::{
    evaluate, DistrictInput, DistrictReport, NationalSummary, OfficeHistory, RolloutInput, RolloutReport,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::{Hierarchy, Principal};
use crate::error::AppError;
use crate::store::{CatalogInstall, Store, StoreError};

/// The scheme version in force on `day`: the latest that applies from it or before, else the earliest.
pub fn scheme_in_force(schemes: &[Scheme], day: NaiveDate) -> Option<&Scheme> {
    schemes
        .iter()
        .filter(|s| s.valid_from <= day)
        .max_by_key(|s| s.valid_from)
        .or_else(|| schemes.iter().min_by_key(|s| s.valid_from))
}

/// The completion definition of the scheme version in force on `day` (the default without any version).
pub fn completion_definition_on(schemes: &[Scheme], day: NaiveDate) -> CompletionDefinition {
    scheme_in_force(schemes, day).map(|s| s.completion).unwrap_or_default()
}

/// Stores a scoring scheme version given as TOML (the format of the bundled default), after validating it.
pub async fn install_scheme(
    store: &dyn Store,
    toml_text: &str,
    actor: &crate::store::Actor,
) -> Result<(Scheme, CatalogInstall), RolloutError> {
    let scheme = parse_scheme(toml_text).map_err(|e| RolloutError::Scheme(e.to_string()))?;
    let outcome = store.install_scheme(&scheme, actor).await?;
    if outcome == CatalogInstall::Conflict {
        return Err(RolloutError::SchemeExists(scheme.code));
    }
    Ok((scheme, outcome))
}

/// The fields of a new scheme version that headquarters sets on the administration page: everything else (weights,
/// deductions, bonuses, vetoes, grades) is taken from the version in force.
pub use crate::functions::settings::SchemeFormValues as SchemeSettingsForm;

/// Stores a new scheme version: the version in force on `today` with the code, title, first day, completion
/// definition and staleness window of `form`. Each field is checked with a message naming it; nothing is stored
/// unless all pass and the code is new.
pub async fn store_scheme_settings(
    store: &dyn Store,
    form: &SchemeSettingsForm,
    today: NaiveDate,
    actor: &crate::store::Actor,
) -> Result<Scheme, RolloutError> {
    let field = |name: &str, message: String| RolloutError::Scheme(format!("{name}：{message}"));
    let code = form.code.trim();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(field("方案编码", "应为1至40个英文字母、数字或 - _ .，例如 default-2027".into()));
    }
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(field("方案名称", "不能为空，且不超过100个字".into()));
    }
    let valid_from = analytics::sheets::parse_date_text(&form.valid_from)
        .ok_or_else(|| field("适用起始日期", format!("“{}”不是日期，应写成 2027-01-01", form.valid_from.trim())))?;
    if valid_from < today {
        return Err(field(
            "适用起始日期",
            format!(
                "{}早于今天（{}）：新版本不能改变已审核确认的填报表的考核结果",
                analytics::calendar::written(valid_from),
                analytics::calendar::written(today)
            ),
        ));
    }
    let staleness_days: u32 = form
        .staleness_days
        .trim()
        .parse()
        .map_err(|_| field("“根据需要”类事项更新期限", format!("“{}”不是整数天数", form.staleness_days.trim())))?;
    let schemes = store.schemes().await?;
    let mut scheme = scheme_in_force(&schemes, today).cloned().ok_or(RolloutError::NoScheme)?;
    if schemes.iter().any(|s| s.code == code) {
        return Err(RolloutError::SchemeExists(code.to_string()));
    }
    scheme.code = code.to_string();
    scheme.title = title.to_string();
    scheme.valid_from = valid_from;
    scheme.completion = CompletionDefinition {
        require_verified: form.require_verified,
        require_disclosed: form.require_disclosed,
        require_channel: form.require_channel,
        require_mandatory_requirements: form.require_mandatory_requirements,
    };
    scheme.clocks.staleness_days = staleness_days;
    analytics::assessment::validate_scheme(&scheme).map_err(|e| RolloutError::Scheme(e.to_string()))?;
    if store.install_scheme(&scheme, actor).await? == CatalogInstall::Conflict {
        return Err(RolloutError::SchemeExists(scheme.code));
    }
    Ok(scheme)
}

/// Why a rollout figure could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    /// The office is outside the caller's scope, not a subordinate office, or unknown.
    #[error("机构不存在或不在您的范围内")]
    NotFound,
    /// The caller reads no direct customs (a subordinate office's filer).
    #[error("里程碑按直属海关统计，仅供总署与直属海关查看")]
    Forbidden,
    #[error("系统中没有标准目录")]
    NoCatalog,
    #[error("评分方案无效：{0}")]
    Scheme(String),
    #[error("评分方案“{0}”已存在且内容不同：方案一经保存不可修改，请以新的编码保存新版本")]
    SchemeExists(String),
    #[error("系统中没有评分方案")]
    NoScheme,
    #[error("工作日历无法读取：{0}")]
    Calendar(String),
    #[error("计算任务失败：{0}")]
    Worker(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<RolloutError> for AppError {
    fn from(e: RolloutError) -> Self {
        match e {
            RolloutError::NotFound => AppError::not_found("机构", "office"),
            RolloutError::Forbidden => AppError::Forbidden,
            other => AppError::internal(other),
        }
    }
}

/// Everything the engine reads, loaded once.
#[derive(Debug, Clone)]
pub struct RolloutData {
    pub directory: Directory,
    pub catalog: Catalog,
    /// Every accepted return, with its verification date.
    pub accepted: Vec<ReturnSnapshot>,
    pub districts: Vec<DistrictInput>,
    /// Every scoring scheme version (completion definition and clock settings included).
    pub schemes: Vec<Scheme>,
    /// The working-day calendar: bundled years and imported ones.
    pub calendar: WorkingCalendar,
}

impl RolloutData {
    pub async fn load(store: &dyn Store) -> Result<Self, RolloutError> {
        let catalog = store.standard_catalog().await?.ok_or(RolloutError::NoCatalog)?;
        Ok(RolloutData {
            directory: Directory::new(store.office_versions().await?),
            catalog,
            accepted: store.accepted_snapshots(None).await?,
            districts: store.district_inputs().await?,
            schemes: store.schemes().await?,
            calendar: crate::services::calendar::working_calendar(store)
                .await
                .map_err(|e| RolloutError::Calendar(e.to_string()))?,
        })
    }

    /// The accepted returns of each office, in verification order.
    fn by_office(&self) -> BTreeMap<&OfficeCode, Vec<&ReturnSnapshot>> {
        let mut by_office: BTreeMap<&OfficeCode, Vec<&ReturnSnapshot>> = BTreeMap::new();
        for snapshot in &self.accepted {
            by_office.entry(&snapshot.office).or_default().push(snapshot);
        }
        by_office
    }

    /// The engine's report as of a date (pure, CPU-bound: call on the blocking pool).
    pub fn report(&self, as_of: NaiveDate) -> RolloutReport {
        let applicability = Applicability::all_applicable();
        let definition_on = |day: NaiveDate| completion_definition_on(&self.schemes, day);
        let offices = self
            .by_office()
            .into_iter()
            .map(|(office, snapshots)| OfficeHistory {
                office: office.clone(),
                changes: completion_history_by(&snapshots, &self.catalog, &applicability, definition_on),
            })
            .collect();
        evaluate(&RolloutInput::new(self.directory.clone(), self.districts.clone(), offices), as_of)
    }
}

/// The milestones as of a date, as the caller may see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestonesView {
    pub as_of: NaiveDate,
    /// The direct customs the caller may read, by code.
    pub districts: Vec<DistrictReport>,
    /// The national roll-up (headquarters only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national: Option<NationalSummary>,
    /// Input the engine ignored, in Chinese (headquarters only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The milestones of every direct customs the caller may read, as of `as_of`.
pub async fn milestones(
    store: &dyn Store,
    principal: &Principal,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<MilestonesView, RolloutError> {
    let hq = crate::functions::is_hq(principal);
    if !hq && principal.districts().is_empty() {
        return Err(RolloutError::Forbidden);
    }
    let data = RolloutData::load(store).await?;
    let directory = data.directory.clone();
    let report = tokio::task::spawn_blocking(move || data.report(as_of))
        .await
        .map_err(|e| RolloutError::Worker(e.to_string()))?;
    let hierarchy = Hierarchy::new(&directory, today);
    let RolloutReport { districts, national, notes, .. } = report;
    Ok(MilestonesView {
        as_of,
        districts: districts.into_iter().filter(|d| hq || principal.can_read_office(&d.district, &hierarchy)).collect(),
        national: hq.then_some(national),
        notes: if hq { notes } else { Vec::new() },
    })
}

/// The return an assessment was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedReturn {
    pub period: String,
    pub verified_on: NaiveDate,
}

/// Benchmark completion of an office as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionView {
    /// Whether its latest accepted return completes benchmarking.
    pub complete: bool,
    /// What its latest accepted return lacks, in Chinese (empty when complete or without a return).
    pub missing: Vec<String>,
    /// The first date it completed (what the milestones count), even when it was lost later.
    pub first_completed_on: Option<NaiveDate>,
    /// Every change of state up to `as_of`: met, lost, met again.
    pub history: Vec<CompletionChange>,
}

/// One subordinate office's assessment as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeAssessment {
    pub office: OfficeCode,
    pub name: String,
    pub district: Option<OfficeCode>,
    pub as_of: NaiveDate,
    /// The latest return accepted on or before `as_of`; `None`: nothing to assess yet.
    #[serde(rename = "return")]
    pub assessed_return: Option<AssessedReturn>,
    /// Score, grade and every line that produced them; `None` without an accepted return.
    pub assessment: Option<Assessment>,
    pub completion: CompletionView,
}

/// The assessment of `office` as of `as_of`: its latest return accepted by then, scored under the scheme version
/// in force on the day it was accepted, and its benchmark completion.
pub async fn office_assessment(
    store: &dyn Store,
    principal: &Principal,
    office: &OfficeCode,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<OfficeAssessment, RolloutError> {
    Ok(assess_office(store, principal, office, as_of, today).await?.0)
}

/// What an assessment was made with: the catalog, the return assessed and the scheme version it was scored under
/// (`None` without an accepted return), for a page that lays the assessment out beside the return.
#[derive(Debug, Clone)]
pub struct AssessedWith {
    pub catalog: Catalog,
    pub snapshot: Option<ReturnSnapshot>,
    pub scheme: Option<Scheme>,
}

/// [`office_assessment`] with what it was made with (read once, for the scorecard).
pub async fn assess_office(
    store: &dyn Store,
    principal: &Principal,
    office: &OfficeCode,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(OfficeAssessment, AssessedWith), RolloutError> {
    let directory = Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    if !principal.can_read_office(office, &hierarchy) {
        return Err(RolloutError::NotFound);
    }
    // The office as it stood on `as_of`, or else as it was last known (a closed office keeps its history).
    let version = directory
        .in_force_on(as_of)
        .find(|v| &v.code == office)
        .or_else(|| directory.versions().iter().rev().find(|v| &v.code == office))
        .filter(|v| v.kind == OfficeKind::Subordinate)
        .ok_or(RolloutError::NotFound)?;
    let (name, district) = (version.name.clone(), version.parent.clone());
    let catalog = store.standard_catalog().await?.ok_or(RolloutError::NoCatalog)?;
    let schemes = store.schemes().await?;
    let calendar =
        crate::services::calendar::working_calendar(store).await.map_err(|e| RolloutError::Calendar(e.to_string()))?;
    let mut snapshots: Vec<ReturnSnapshot> = store
        .accepted_snapshots(Some(office))
        .await?
        .into_iter()
        .filter(|s| s.verified_on.is_some_and(|d| d <= as_of))
        .collect();
    snapshots.sort_by_key(|s| s.verified_on);
    let office = office.clone();
    tokio::task::spawn_blocking(move || {
        let applicability = Applicability::all_applicable();
        let refs: Vec<&ReturnSnapshot> = snapshots.iter().collect();
        let history =
            completion_history_by(&refs, &catalog, &applicability, |day| completion_definition_on(&schemes, day));
        let first_completed_on = history.iter().find(|c| c.complete).map(|c| c.on);
        let latest = snapshots.last();
        let (assessment, completion) = match latest {
            None => (None, None),
            Some(snapshot) => {
                let accepted_on = snapshot.verified_on.unwrap_or(as_of);
                let scheme = scheme_in_force(&schemes, accepted_on).ok_or(RolloutError::NoScheme)?;
                let assessment = score(snapshot, &catalog, &applicability, scheme, &calendar, scheme.clocks, as_of)
                    .map_err(|e| RolloutError::Scheme(e.to_string()))?;
                (Some(assessment), Some(is_complete(snapshot, &catalog, &applicability, &scheme.completion)))
            }
        };
        let view = OfficeAssessment {
            office,
            name,
            district,
            as_of,
            assessed_return: latest.and_then(|s| {
                s.verified_on.map(|verified_on| AssessedReturn { period: s.period.clone(), verified_on })
            }),
            assessment,
            completion: CompletionView {
                complete: completion.as_ref().is_some_and(|c| c.complete),
                missing: completion.map(|c| c.missing).unwrap_or_default(),
                first_completed_on,
                history,
            },
        };
        let scheme = latest.and_then(|s| scheme_in_force(&schemes, s.verified_on.unwrap_or(as_of)).cloned());
        let snapshot = snapshots.pop();
        Ok((view, AssessedWith { catalog, snapshot, scheme }))
    })
    .await
    .map_err(|e| RolloutError::Worker(e.to_string()))?
}
