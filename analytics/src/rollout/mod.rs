//! The rollout of 署办发〔2021〕23号 as of any date: milestones M1–M5 judged per direct customs and rolled up
//! nationally, with a projection of when each district will finish.
//!
//! [`evaluate`] takes plain data ([`RolloutInput`]: the office [`Directory`], per district the dates its catalog
//! was published and its plan filed and its pilot designations, per subordinate office its completion history from
//! [`completion_history`](crate::assessment::completion_history)) and returns a [`RolloutReport`]. The rules:
//!
//! - **Nothing after `as_of` exists.** Completions, losses, designations, publications and filings dated after
//!   `as_of` are ignored, so a report as of a past date is what could have been known that day.
//! - **Completion counts the first date.** An office counts towards a milestone from the first date it completed
//!   benchmarking; a later loss does not undo a milestone (the notice asks that the work be *done* by the
//!   deadline). The current state after losses is shown beside it ([`DistrictReport::completed_now`]).
//! - **The requirement of a count milestone holds on a day `d`** when the district has at least one subordinate
//!   office in force on `d` and, among the offices in force in the district on `d`, at least
//!   [`required_count`](crate::milestones::MilestoneTarget::required_count)`(N(d))` had first completed on or before
//!   `d` (for M3: had been designated pilots on or before `d` and first completed on or before `d`, a pilot counting
//!   from the later of the two dates). Offices are counted as they stood that day: an office that moved counts for
//!   the district it was in on that day, an office opened later is not yet owed, a closed one is no longer owed.
//! - **A count milestone is judged on its due date**, with N = the offices in force on that date (the notice: "by
//!   2022-12-31, no less than one third"): it is met on time when its requirement holds on the due date (dated from
//!   the first day of the unbroken run of days, up to the due date, on which it held); otherwise it is met late on
//!   the first later day on which it holds. A day before the due date on which a smaller N was reached does not make
//!   it met on time. Before the due date, a milestone whose requirement holds on `as_of` is shown met on time (dated
//!   the same way); this is provisional: an office opened before the due date can make it open again. From the due
//!   date on, the result is final (a met milestone never reverts, a missed one only becomes late). M1 is met on the
//!   day the district catalog was published, M2 on the day the plan was filed, and both stay met.
//! - **Status** ([`MilestoneStatus`]): met on or before the deadline is `MetOnTime`; met after it is `MetLate` with
//!   the delay in **calendar days** (the notice's deadlines are month ends, not working-day periods); not met on the
//!   due date itself is `DueToday` — the day is not over, nothing is missed yet; not met once the deadline has passed
//!   is `Missed` (it becomes `MetLate` if the requirement later holds); not met before the deadline is `NotYetDue`. A
//!   count milestone of a district with no subordinate office on the date evaluated is `NoOffices` (nothing is owed,
//!   it is neither met nor missed; once the deadline has passed this stays so, even if offices open later).
//! - **One vocabulary.** Every page, chart, table and download words a status with [`MilestoneStatus::label_zh`]
//!   / [`MilestoneStatus::label_en`] (or the `short_` forms where a cell is narrow); [`status_label_en`] gives the
//!   English of a Chinese label in a table that travels in Chinese.
//! - **The date evaluated** for the counts shown ([`MilestoneResult::offices`], `required`, `achieved`) is the
//!   deadline for a milestone whose deadline has passed, and `as_of` otherwise.
//! - **Projection** ([`projection`]): the rate since the district's first completion, i.e. completed offices divided
//!   by the calendar days from the first completion to `as_of` (both counted), extended linearly to the target; none
//!   without a completion (such an open milestone is reported on track, with a note that nothing can be projected
//!   yet). A `NotYetDue` count milestone is **at risk** (`on_track: false`, with a Chinese reason) when
//!   its projection lands after the deadline; M3 is at risk when fewer pilots are designated than required; M1 and
//!   M2 have no trend and are on track until their deadline.
//! - **Pilots** count for M3 only while they are subordinate offices of the district (a pilot that moved away no
//!   longer counts from the day it left); repeated designations of one office keep the earliest date.
//! - **National roll-up** ([`NationalSummary`]): per milestone, how many districts met it on time, late, missed it,
//!   have it due today, have it open (and how many of those are at risk) or have no offices; offices and completed
//!   offices nationally.
//!
//! With the `national` feature, [`national`] recomputes every office's score and the district aggregates with polars,
//! and [`synthetic`] generates the deterministic national data set it is benchmarked on.

mod evaluate;
#[cfg(feature = "national")]
pub mod national;
pub mod projection;
#[cfg(feature = "national")]
pub mod synthetic;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod props;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assessment::CompletionChange;
use crate::milestones::{notice_milestones, Milestone, MilestoneScope};
use crate::offices::{Directory, OfficeCode};

pub use evaluate::evaluate;

/// Everything [`evaluate`] reads: plain data, no database.
#[derive(Debug, Clone, Default)]
pub struct RolloutInput {
    /// All office versions (openings, closures, moves).
    pub directory: Directory,
    /// The milestones to judge; those binding each direct customs are evaluated (M1–M5 of the notice by default).
    pub milestones: Vec<Milestone>,
    /// What each direct customs did itself; a district without an entry has done nothing yet.
    pub districts: Vec<DistrictInput>,
    /// The completion history of each subordinate office; an office without an entry never completed.
    pub offices: Vec<OfficeHistory>,
}

impl RolloutInput {
    /// An input judged against the notice's milestones.
    pub fn new(directory: Directory, districts: Vec<DistrictInput>, offices: Vec<OfficeHistory>) -> Self {
        RolloutInput { directory, milestones: notice_milestones(), districts, offices }
    }

    /// The milestones that bind each direct customs (M1–M5), in the given order.
    pub fn district_milestones(&self) -> impl Iterator<Item = &Milestone> {
        self.milestones.iter().filter(|m| m.scope == MilestoneScope::EachDirectCustoms)
    }
}

/// What one direct customs reported doing itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictInput {
    /// The direct customs (`XX00`).
    pub district: OfficeCode,
    /// The day its district catalog (关区基层政务公开标准事项目录) was published (M1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_published_on: Option<NaiveDate>,
    /// The day its implementation plan was filed with the HQ general office (M2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_filed_on: Option<NaiveDate>,
    /// Its pilot subordinate offices (M3).
    #[serde(default)]
    pub pilots: Vec<PilotDesignation>,
}

impl DistrictInput {
    /// A district that has done nothing yet.
    pub fn new(district: OfficeCode) -> Self {
        DistrictInput { district, catalog_published_on: None, plan_filed_on: None, pilots: Vec::new() }
    }
}

/// A subordinate office designated as a pilot (试点隶属海关).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotDesignation {
    pub office: OfficeCode,
    pub designated_on: NaiveDate,
}

/// The completion history of one subordinate office, as [`completion_history`](crate::assessment::completion_history)
/// returns it (changes of state in date order; the first `complete: true` is the first date met).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHistory {
    pub office: OfficeCode,
    pub changes: Vec<CompletionChange>,
}

impl OfficeHistory {
    /// A history of completion dates and losses: `(date, complete)`; the period and reasons are left empty.
    pub fn from_dates(office: OfficeCode, changes: &[(NaiveDate, bool)]) -> Self {
        OfficeHistory {
            office,
            changes: changes
                .iter()
                .map(|&(on, complete)| CompletionChange { on, complete, period: String::new(), missing: Vec::new() })
                .collect(),
        }
    }
}

/// The burn-up series of completions: `(date, offices completed on or before it)`, one point per distinct date in
/// `first_completed` (each office's first completion date, any order) up to `as_of`, cumulative and in date order.
/// Dates after `as_of` are left out, so the last count is the number of offices completed by `as_of`.
pub fn completion_curve(first_completed: &[NaiveDate], as_of: NaiveDate) -> Vec<(NaiveDate, usize)> {
    let mut dates: Vec<NaiveDate> = first_completed.iter().copied().filter(|d| *d <= as_of).collect();
    dates.sort();
    let mut curve: Vec<(NaiveDate, usize)> = Vec::new();
    for (i, d) in dates.into_iter().enumerate() {
        match curve.last_mut() {
            Some(last) if last.0 == d => last.1 = i + 1,
            _ => curve.push((d, i + 1)),
        }
    }
    curve
}

/// The rollout as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutReport {
    pub as_of: NaiveDate,
    /// One per direct customs that existed on or before `as_of`, by code.
    pub districts: Vec<DistrictReport>,
    pub national: NationalSummary,
    /// Input that was ignored, in Chinese (an entry for an unknown district, a pilot outside its district …).
    pub notes: Vec<String>,
}

impl RolloutReport {
    /// The report of one direct customs.
    pub fn district(&self, code: &OfficeCode) -> Option<&DistrictReport> {
        self.districts.iter().find(|d| &d.district == code)
    }
}

/// One direct customs as of the date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictReport {
    pub district: OfficeCode,
    pub name: String,
    /// Subordinate offices in force on `as_of`.
    pub offices: usize,
    /// Of those, how many had completed benchmarking at least once by `as_of` (the milestones' count).
    pub completed_ever: usize,
    /// Of those, how many are complete on `as_of` (after any loss).
    pub completed_now: usize,
    pub pilots: Vec<PilotStatus>,
    pub milestones: Vec<MilestoneResult>,
    /// When every office in force on `as_of` is projected to have completed: the actual date when they all have,
    /// `None` without a trend (see [`projection`]).
    pub projected_all_complete_on: Option<NaiveDate>,
}

impl DistrictReport {
    /// The result of one milestone (`M1` … `M5`).
    pub fn milestone(&self, code: &str) -> Option<&MilestoneResult> {
        self.milestones.iter().find(|m| m.code == code)
    }
}

/// A pilot as of the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotStatus {
    pub office: OfficeCode,
    pub name: String,
    pub designated_on: NaiveDate,
    /// The first date it completed benchmarking, if it has by `as_of`.
    pub completed_on: Option<NaiveDate>,
    /// Whether it is complete on `as_of`.
    pub complete_now: bool,
    /// Whether it is a subordinate office of the district on `as_of` (a pilot that moved or closed is still listed).
    pub in_district: bool,
}

/// One milestone for one district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneResult {
    /// `M1` … `M5`.
    pub code: String,
    pub due: NaiveDate,
    /// The date the counts below are taken on: the deadline once it has passed, `as_of` before.
    pub evaluated_on: NaiveDate,
    /// Subordinate offices in force in the district on `evaluated_on`.
    pub offices: usize,
    /// Completed offices (M4, M5) or completed pilots (M3) needed on `evaluated_on`; `None` for M1 and M2.
    pub required: Option<usize>,
    /// Completed offices (first date, M4, M5) or completed pilots (M3) on `evaluated_on`; `None` for M1 and M2.
    pub achieved: Option<usize>,
    pub status: MilestoneStatus,
    /// The day the milestone was met, if it was by `as_of` (the same date as in `status`, for readers that only
    /// want the date).
    pub met_on: Option<NaiveDate>,
    /// Why the milestone is at risk, missed or projected as it is, in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_zh: Option<String>,
}

/// Where a milestone stands for a district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Met on or before the deadline.
    MetOnTime { met_on: NaiveDate },
    /// Met after the deadline, `days_late` calendar days after it.
    MetLate { met_on: NaiveDate, days_late: u32 },
    /// The deadline has passed and the requirement has not held yet (`days_overdue` ≥ 1).
    Missed { days_overdue: u32 },
    /// The deadline is today and the requirement has not held yet: not missed until the day is over.
    DueToday,
    /// Before the deadline and not met yet; `on_track` is false when the projection lands after the deadline.
    NotYetDue { on_track: bool, projected_on: Option<NaiveDate> },
    /// A count milestone of a district with no subordinate office on the date evaluated: nothing is owed.
    NoOffices,
}

impl MilestoneStatus {
    pub fn met_on(&self) -> Option<NaiveDate> {
        match *self {
            MilestoneStatus::MetOnTime { met_on } | MilestoneStatus::MetLate { met_on, .. } => Some(met_on),
            _ => None,
        }
    }

    /// Whether the status is at risk (open and projected to miss).
    pub fn at_risk(&self) -> bool {
        matches!(self, MilestoneStatus::NotYetDue { on_track: false, .. })
    }

    /// The status in Chinese, as a list or table shows it: the product's one wording of each status.
    pub fn label_zh(&self) -> String {
        match self {
            MilestoneStatus::NotYetDue { on_track: false, .. } => "未到期（有逾期风险）".into(),
            MilestoneStatus::NoOffices => "无隶属海关，不适用".into(),
            _ => self.short_zh(),
        }
    }

    /// The status in Chinese where a cell is narrow (the matrix, the progress table): the same words, shortened
    /// only where [`Self::label_zh`] says more.
    pub fn short_zh(&self) -> String {
        match self {
            MilestoneStatus::MetOnTime { .. } => "按期完成".into(),
            MilestoneStatus::MetLate { days_late, .. } => format!("逾期{days_late}日完成"),
            MilestoneStatus::Missed { days_overdue } => format!("逾期{days_overdue}日未完成"),
            MilestoneStatus::DueToday => "今日到期".into(),
            MilestoneStatus::NotYetDue { on_track: true, .. } => "未到期".into(),
            MilestoneStatus::NotYetDue { on_track: false, .. } => "有逾期风险".into(),
            MilestoneStatus::NoOffices => "不适用".into(),
        }
    }

    /// [`Self::label_zh`] in English.
    pub fn label_en(&self) -> String {
        match self {
            MilestoneStatus::NotYetDue { on_track: false, .. } => "not yet due (at risk)".into(),
            MilestoneStatus::NoOffices => "no offices, not applicable".into(),
            _ => self.short_en(),
        }
    }

    /// [`Self::short_zh`] in English.
    pub fn short_en(&self) -> String {
        match self {
            MilestoneStatus::MetOnTime { .. } => "met on time".into(),
            MilestoneStatus::MetLate { days_late, .. } => format!("met {days_late} days late"),
            MilestoneStatus::Missed { days_overdue } => format!("missed ({days_overdue} days overdue)"),
            MilestoneStatus::DueToday => "due today".into(),
            MilestoneStatus::NotYetDue { on_track: true, .. } => "not yet due".into(),
            MilestoneStatus::NotYetDue { on_track: false, .. } => "at risk".into(),
            MilestoneStatus::NoOffices => "not applicable".into(),
        }
    }
}

/// The English of a status label written by [`MilestoneStatus::label_zh`] or [`MilestoneStatus::short_zh`] (for
/// tables that travel in Chinese); `None` for any other text.
pub fn status_label_en(zh: &str) -> Option<String> {
    let number = |t: &str| t.parse::<u32>().ok();
    let day = NaiveDate::MIN;
    if let Some(days_late) = zh.strip_prefix("逾期").and_then(|r| r.strip_suffix("日完成")).and_then(number) {
        return Some(MilestoneStatus::MetLate { met_on: day, days_late }.short_en());
    }
    if let Some(days_overdue) = zh.strip_prefix("逾期").and_then(|r| r.strip_suffix("日未完成")).and_then(number)
    {
        return Some(MilestoneStatus::Missed { days_overdue }.short_en());
    }
    [
        MilestoneStatus::MetOnTime { met_on: day },
        MilestoneStatus::DueToday,
        MilestoneStatus::NotYetDue { on_track: true, projected_on: None },
        MilestoneStatus::NotYetDue { on_track: false, projected_on: None },
        MilestoneStatus::NoOffices,
    ]
    .iter()
    .find_map(|s| {
        if s.label_zh() == zh {
            Some(s.label_en())
        } else if s.short_zh() == zh {
            Some(s.short_en())
        } else {
            None
        }
    })
}

/// The national roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalSummary {
    pub milestones: Vec<MilestoneTally>,
    /// Subordinate offices in force on `as_of`, all districts.
    pub offices: usize,
    /// Of those, completed at least once by `as_of`.
    pub completed_ever: usize,
    /// Of those, complete on `as_of`.
    pub completed_now: usize,
    /// Every open milestone at risk: district, milestone code and the reason.
    pub at_risk: Vec<AtRisk>,
}

/// How the districts stand on one milestone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MilestoneTally {
    pub code: String,
    pub due: NaiveDate,
    pub met_on_time: usize,
    pub met_late: usize,
    pub missed: usize,
    /// Due today and not met yet (not missed until the day is over).
    #[serde(default)]
    pub due_today: usize,
    pub not_yet_due: usize,
    /// Of `not_yet_due`, how many are at risk.
    pub at_risk: usize,
    pub no_offices: usize,
}

/// An open milestone projected to miss its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRisk {
    pub district: OfficeCode,
    pub code: String,
    pub reason_zh: String,
}
