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
    /// The SVG, drawn on the server, served by the chart's route (the page shows it from there). It is not part
    /// of the page's data.
    #[serde(skip, default)]
    pub svg: std::sync::Arc<str>,
    /// The size the chart is drawn at, in CSS pixels (the image's `width` and `height`, so the page does not jump
    /// while it loads).
    pub width: u32,
    pub height: u32,
    pub table: TableView,
    /// The id of the table elsewhere on the page that already carries this chart's numbers (the progress table
    /// carries those of the milestone matrix and the ranking); the page then refers to it instead of repeating the
    /// numbers under the chart. The download of the chart's own table is unaffected.
    #[serde(default)]
    pub described_by: Option<String>,
    /// A shorter table for the page when the chart's own is long (the burn-up's by month instead of by day); the
    /// download keeps the chart's own. Not sent: [`NationalDashboard::for_page`] puts it in `table`.
    #[serde(skip)]
    pub summary: Option<TableView>,
    /// The page's table is the summary by month (the page says so and points to the download).
    #[serde(default)]
    pub by_month: bool,
}

impl ChartView {
    /// The chart as a page carries it: the summary table in place of its own, or no table when another table of
    /// the page carries its numbers.
    pub fn for_page(&self) -> ChartView {
        let (table, by_month) = match (&self.described_by, &self.summary) {
            (Some(_), _) => (TableView::default(), false),
            (None, Some(summary)) => (summary.clone(), true),
            (None, None) => (self.table.clone(), false),
        };
        ChartView {
            name: self.name.clone(),
            title: self.title.clone(),
            svg: self.svg.clone(),
            width: self.width,
            height: self.height,
            table,
            described_by: self.described_by.clone(),
            summary: None,
            by_month,
        }
    }
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
    /// The direct customs by progress (completed share, then mean score), as the page shows and the workbook
    /// holds them; its rows lead to the districts' dashboards.
    pub progress_table: TableView,
    /// The colour of each milestone cell of `progress_table`, row by row (`ok`, `late`, `missed`, `open`, `risk`
    /// or `none`: the cell's class).
    pub progress_tones: Vec<Vec<String>>,
    /// Milestones at risk or missed, with the reason.
    pub at_risk: TableView,
}

impl NationalDashboard {
    /// What the page carries: the charts as [`ChartView::for_page`] has them.
    pub fn for_page(&self) -> NationalDashboard {
        let chart = ChartView::for_page;
        NationalDashboard {
            as_of: self.as_of,
            today: self.today,
            sample: self.sample,
            offices: self.offices,
            completed: self.completed,
            pilots_designated: self.pilots_designated,
            pilots_completed: self.pilots_completed,
            districts: self.districts,
            districts_on_track: self.districts_on_track,
            assessed: self.assessed,
            burn_up: chart(&self.burn_up),
            matrix: chart(&self.matrix),
            ranking: chart(&self.ranking),
            scores: chart(&self.scores),
            progress_table: self.progress_table.clone(),
            progress_tones: self.progress_tones.clone(),
            at_risk: self.at_risk.clone(),
        }
    }
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

impl DistrictDashboard {
    /// What the page carries: the charts as [`ChartView::for_page`] has them.
    pub fn for_page(self) -> DistrictDashboard {
        DistrictDashboard { burn_up: self.burn_up.for_page(), heatmap: self.heatmap.for_page(), ..self }
    }
}

/// The national dashboard (headquarters only); `as_of` is `YYYY-MM-DD`, empty for today in China.
#[server(prefix = "/api/fn", endpoint = "national_dashboard", client = crate::functions::client::CsrfClient)]
pub async fn get_national_dashboard(as_of: Option<String>) -> Result<NationalDashboard, AppError> {
    let principal = super::require_hq()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_as_of(as_of.as_deref(), today)?;
    let mut view =
        crate::services::dashboard::national(state.store.as_ref(), &principal, as_of, today).await?.for_page();
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
    let as_of = super::parse_as_of(as_of.as_deref(), today)?;
    Ok(crate::services::dashboard::district(state.store.as_ref(), &principal, &code, as_of, today)
        .await?
        .map(DistrictDashboard::for_page))
}
