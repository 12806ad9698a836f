//! Loading the demo rollout history (issue 4 §8): every filing of `analytics::returns::demo::history` becomes a
//! workbook (`write_filled`) and goes through the real pipeline — upload (parse and checks, as of the day it was
//! filed), confirmation, and the direct customs' decision, each dated as the history says.
//!
//! It runs once per database (the setting [`DEMO_HISTORY_KEY`] records it) and is resumable: a filing already
//! stored is recognised by its content hash and skipped, so an interrupted load continues where it stopped.

use analytics::offices::Directory;
use analytics::returns::demo::{history, national_history, DemoDecision};
use analytics::returns::{write_filled, Period, TemplateSpec};
use chrono::{NaiveDate, TimeZone, Utc};

use super::returns::{self as service, ReturnError, ReturnLimits, Upload};
use crate::store::{Actor, Decision, ReturnReason, ReturnSource, Store};

/// Set to `true` once the demo history is loaded.
pub const DEMO_HISTORY_KEY: &str = "demo_history_loaded";

/// What loading the history did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySummary {
    pub filed: usize,
    pub accepted: usize,
    pub returned: usize,
    /// Filings already stored by an earlier, interrupted load.
    pub skipped: usize,
}

/// The last day of the history: the end of 2024, or today when that is earlier.
pub fn history_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default().min(super::today_in_china())
}

/// The last day of the national-scale history: the acceptance of the returns of 2024年第四季度 in January 2025, or
/// today when that is earlier.
pub fn national_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 31).unwrap_or_default().min(super::today_in_china())
}

/// 10:00 in China on `day`, as an instant.
fn morning(day: NaiveDate) -> chrono::DateTime<Utc> {
    let local = day.and_hms_opt(2, 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&local)
}

/// How much history the demo data set gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DemoScale {
    /// The rollout as it happened: one to three returns per office (`analytics::returns::demo::history`).
    #[default]
    Standard,
    /// Besides, a return for every quarter of 2022–2024 for every office: about 8,500 returns, for load tests
    /// (`analytics::returns::demo::national_history`).
    National,
}

impl DemoScale {
    /// The value of [`DEMO_HISTORY_KEY`] once this scale is loaded.
    fn marker(self) -> &'static str {
        match self {
            DemoScale::Standard => "true",
            DemoScale::National => "national",
        }
    }
}

/// Loads the demo history up to `until` unless it was loaded before; `progress(done, total)` is called as it goes.
pub async fn load_demo_history(
    store: &dyn Store,
    until: NaiveDate,
    progress: impl FnMut(usize, usize),
) -> Result<HistorySummary, ReturnError> {
    load_demo_history_at(store, DemoScale::Standard, until, progress).await
}

/// [`load_demo_history`] at a scale. The national scale may follow the standard one: the returns already stored
/// are recognised and skipped.
pub async fn load_demo_history_at(
    store: &dyn Store,
    scale: DemoScale,
    until: NaiveDate,
    mut progress: impl FnMut(usize, usize),
) -> Result<HistorySummary, ReturnError> {
    let loaded = store.setting(DEMO_HISTORY_KEY).await?;
    if loaded.as_deref() == Some(scale.marker()) || loaded.as_deref() == Some(DemoScale::National.marker()) {
        return Ok(HistorySummary::default());
    }
    let directory = Directory::new(store.office_versions().await?);
    let catalog = store.standard_catalog().await?.ok_or(ReturnError::NoCatalog)?;
    let filings = {
        let (directory, catalog) = (directory.clone(), catalog.clone());
        tokio::task::spawn_blocking(move || match scale {
            DemoScale::Standard => history(&directory, &catalog, until),
            DemoScale::National => national_history(&directory, &catalog, until.max(national_until())),
        })
        .await
        .map_err(|e| ReturnError::Worker(e.to_string()))?
    };
    let principal = service::system_principal("demo", "演示数据")?;
    let actor = Actor::system();
    let actor = Actor { name: "demo".into(), ..actor };
    let limits = ReturnLimits::default();
    let mut summary = HistorySummary::default();
    let total = filings.len();
    for (done, filing) in filings.into_iter().enumerate() {
        progress(done, total);
        let office = filing.snapshot.office.clone();
        let on = filing.submitted_on;
        let Some(version) = directory.versions().iter().find(|v| v.code == office && v.in_force_on(on)) else {
            continue;
        };
        let district_name = version
            .parent
            .as_ref()
            .and_then(|p| directory.versions().iter().find(|v| &v.code == p && v.in_force_on(on)))
            .map(|v| v.name.clone())
            .unwrap_or_default();
        let period = service::parse_period(&filing.snapshot.period)?;
        let spec = TemplateSpec {
            office: office.clone(),
            office_name: version.name.clone(),
            district_name,
            period,
            catalog_version: catalog.code.clone(),
            catalog: catalog.clone(),
        };
        let snapshot = filing.snapshot.clone();
        let bytes = tokio::task::spawn_blocking(move || write_filled(&spec, &snapshot))
            .await
            .map_err(|e| ReturnError::Worker(e.to_string()))?
            .map_err(|e| ReturnError::Template(e.to_string()))?;
        let upload = Upload {
            file_name: format!("{}-{}-{}.xlsx", office, version.name, Period::code(period)),
            bytes,
            expected_office: Some(office.clone()),
            expected_period: Some(period),
            source: ReturnSource::Demo,
        };
        let id = match service::upload(store, &principal, upload, limits, on, &actor).await {
            Ok(uploaded) => uploaded.id,
            Err(ReturnError::Duplicate { .. }) => {
                summary.skipped += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        service::confirm(store, &principal, id, morning(on), on, &actor).await?;
        summary.filed += 1;
        if let Some((decision, day)) = filing.decision {
            let (decision, reasons) = match decision {
                DemoDecision::Accept => (Decision::Accepted, Vec::new()),
                DemoDecision::Return { item, reason } => {
                    (Decision::Returned, vec![ReturnReason { item: Some(item), requirement: None, reason }])
                }
            };
            service::decide(store, &principal, id, decision, "", reasons, morning(day), day, &actor).await?;
            match decision {
                Decision::Accepted => summary.accepted += 1,
                Decision::Returned => summary.returned += 1,
            }
        }
    }
    progress(total, total);
    store.set_setting(DEMO_HISTORY_KEY, scale.marker(), &actor).await?;
    Ok(summary)
}
