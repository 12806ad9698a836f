//! Server functions of the dashboards (issue 6): the national dashboard of headquarters (`/`) and the dashboard of
//! one direct customs (on its page `/offices/{code}`), both as of a date.
//!
//! The charts are drawn on the server (`analytics::charts`) and travel as SVG text with their text tables; the
//! downloads (`/dashboard/charts/{name}.svg|png`, `/dashboard/tables/{name}.xlsx`) are built from the same views
//! (`services::dashboard`), so a download always shows what the page shows.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A table as the page shows it and the workbook holds it: a header row and text cells. `links[i]`, when set, is
/// where row `i` leads (its cell `link_column` becomes a link).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableView {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    #[serde(default)]
    pub links: Vec<Option<String>>,
    #[serde(default)]
    pub link_column: usize,
}

/// A chart drawn on the server: its download name, title, SVG document and text table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartView {
    /// The name in the download routes (`burn-up`, `matrix`, `ranking`, `scores`, `heatmap`).
    pub name: String,
    pub title: String,
    /// The SVG, drawn on the server and put inline in the page the server renders. It is not sent to the browser a
    /// second time in the hydration data (the page already holds it, and hydration keeps the server's markup); a
    /// view built in the browser (after a client-side navigation) shows the same SVG through its download route.
    #[serde(skip, default)]
    pub svg: String,
    pub table: TableView,
}

/// One milestone of a direct customs in the progress table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCell {
    pub code: String,
    /// The status in Chinese (`按期完成`, `逾期12日完成` …).
    pub status_zh: String,
    /// `ok`, `late`, `missed`, `open`, `risk` or `none`: the cell's class.
    pub tone: String,
}

/// One direct customs in the national progress table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictLine {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub offices: usize,
    pub completed: usize,
    /// Completed share in percent.
    pub share: f64,
    /// Mean score of its offices' latest accepted returns; `None` without any.
    pub mean_score: Option<f64>,
    pub milestones: Vec<MilestoneCell>,
    /// No milestone missed or at risk.
    pub on_track: bool,
}

/// The national dashboard as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalDashboard {
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub sample: bool,
    /// Subordinate offices in force on `as_of`, and of those completed at least once.
    pub offices: usize,
    pub completed: usize,
    pub pilots_designated: usize,
    pub pilots_completed: usize,
    pub districts: usize,
    pub districts_on_track: usize,
    /// Offices with an accepted return by `as_of` (what the score distribution counts).
    pub assessed: usize,
    pub burn_up: ChartView,
    pub matrix: ChartView,
    pub ranking: ChartView,
    pub scores: ChartView,
    /// The direct customs by progress (completed share, then mean score).
    pub progress: Vec<DistrictLine>,
    /// The progress table as downloaded (same rows as `progress`).
    pub progress_table: TableView,
    /// Milestones at risk or missed, with the reason.
    pub at_risk: TableView,
}

/// The dashboard of one direct customs as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictDashboard {
    pub code: String,
    pub name: String,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub offices: usize,
    pub completed: usize,
    pub pilots_designated: usize,
    pub pilots_completed: usize,
    pub projected_all_complete_on: Option<NaiveDate>,
    /// Its milestones: milestone, deadline, status, met on, required / achieved, note (projection).
    pub milestones: TableView,
    /// Its subordinate offices: completion, pilot mark, latest score and grade.
    pub office_table: TableView,
    pub burn_up: ChartView,
    pub heatmap: ChartView,
}

/// The national dashboard (headquarters only); `as_of` is `YYYY-MM-DD`, empty for today in China.
#[server(prefix = "/api/fn", endpoint = "national_dashboard", client = crate::functions::client::CsrfClient)]
pub async fn get_national_dashboard(as_of: Option<String>) -> Result<NationalDashboard, AppError> {
    let principal = super::require_hq()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_date_param(as_of.as_deref(), "as_of", today)?;
    let mut view = crate::services::dashboard::national(state.store.as_ref(), &principal, as_of, today).await?;
    view.sample = crate::services::setup::is_demo(state.store.as_ref()).await?;
    Ok(view)
}

/// The dashboard of direct customs `code`: headquarters any, a direct customs role its own; `None` when `code` is
/// not a direct customs (a subordinate office's page has none); 404 outside the caller's scope.
#[server(prefix = "/api/fn", endpoint = "district_dashboard", client = crate::functions::client::CsrfClient)]
pub async fn get_district_dashboard(
    code: String,
    as_of: Option<String>,
) -> Result<Option<DistrictDashboard>, AppError> {
    let principal = super::require_principal()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_date_param(as_of.as_deref(), "as_of", today)?;
    Ok(crate::services::dashboard::district(state.store.as_ref(), &principal, &code, as_of, today).await?)
}
