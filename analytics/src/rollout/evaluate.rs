//! [`evaluate`]: the milestones of every district as of a date (rules in the module docs of [`super`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::projection::project;
use super::{
    AtRisk, DistrictInput, DistrictReport, MilestoneResult, MilestoneStatus, MilestoneTally, NationalSummary,
    PilotStatus, RolloutInput, RolloutReport,
};
use crate::calendar::written;
use crate::milestones::{Milestone, MilestoneTarget};
use crate::offices::{OfficeCode, OfficeKind, OfficeVersion};

/// What an office's history says as of the date.
#[derive(Debug, Clone, Copy, Default)]
struct OfficeState {
    /// First date complete, on or before `as_of`.
    first: Option<NaiveDate>,
    /// Complete on `as_of`.
    now: bool,
}

/// Evaluates milestones M1–M5 for every direct customs that existed on or before `as_of`, and the national roll-up.
///
/// Never fails: input that cannot be used (an entry for an unknown district, a pilot that never belonged to its
/// district, a duplicate entry) is left out and named in [`RolloutReport::notes`].
pub fn evaluate(input: &RolloutInput, as_of: NaiveDate) -> RolloutReport {
    let mut notes = Vec::new();
    let states = office_states(input, as_of, &mut notes);

    // Direct customs that existed on or before as_of, with the name they had last.
    let mut district_names: BTreeMap<&OfficeCode, &OfficeVersion> = BTreeMap::new();
    let mut subordinates: HashMap<&OfficeCode, Vec<&OfficeVersion>> = HashMap::new();
    let mut names: HashMap<&OfficeCode, &OfficeVersion> = HashMap::new();
    for v in input.directory.versions().iter().filter(|v| v.valid_from <= as_of) {
        let latest = names.entry(&v.code).or_insert(v);
        if v.valid_from > latest.valid_from {
            *latest = v;
        }
        match v.kind {
            OfficeKind::DirectCustoms => {
                let entry = district_names.entry(&v.code).or_insert(v);
                if v.valid_from > entry.valid_from {
                    *entry = v;
                }
            }
            OfficeKind::Subordinate => {
                if let Some(parent) = &v.parent {
                    subordinates.entry(parent).or_default().push(v);
                }
            }
            OfficeKind::Headquarters => {}
        }
    }

    let mut inputs: HashMap<&OfficeCode, &DistrictInput> = HashMap::new();
    for entry in &input.districts {
        if !district_names.contains_key(&entry.district) {
            notes.push(format!(
                "直属海关{}不在机构名录中（或截至{}尚未设立），其填报情况未计入",
                entry.district,
                written(as_of)
            ));
        } else if inputs.contains_key(&entry.district) {
            notes.push(format!("直属海关{}有多条填报记录，仅采用第一条", entry.district));
        } else {
            inputs.insert(&entry.district, entry);
        }
    }

    let milestones: Vec<&Milestone> = input.district_milestones().collect();
    let empty = Vec::new();
    let districts: Vec<DistrictReport> = district_names
        .iter()
        .map(|(code, version)| {
            let district = District {
                versions: subordinates.get(code).unwrap_or(&empty),
                states: &states,
                input: inputs.get(code).copied(),
                as_of,
            };
            district.report(code, &version.name, &milestones, &names, &mut notes)
        })
        .collect();

    let national = national(&districts, &milestones);
    RolloutReport { as_of, districts, national, notes }
}

/// Each office's first completion and current state as of the date, from its history.
fn office_states<'a>(
    input: &'a RolloutInput,
    as_of: NaiveDate,
    notes: &mut Vec<String>,
) -> HashMap<&'a OfficeCode, OfficeState> {
    let mut states: HashMap<&OfficeCode, OfficeState> = HashMap::new();
    for history in &input.offices {
        if states.contains_key(&history.office) {
            notes.push(format!("隶属海关{}有多条完成情况记录，仅采用第一条", history.office));
            continue;
        }
        let mut changes: Vec<(NaiveDate, bool)> =
            history.changes.iter().filter(|c| c.on <= as_of).map(|c| (c.on, c.complete)).collect();
        // Stable: changes on the same day keep their given order, the last one is the state of the day.
        changes.sort_by_key(|(on, _)| *on);
        let state = OfficeState {
            first: changes.iter().find(|(_, complete)| *complete).map(|(on, _)| *on),
            now: changes.last().is_some_and(|(_, complete)| *complete),
        };
        states.insert(&history.office, state);
    }
    states
}

/// One district's data, borrowed from the input.
struct District<'a> {
    /// Every version of a subordinate office under this district, valid from on or before `as_of`.
    versions: &'a [&'a OfficeVersion],
    states: &'a HashMap<&'a OfficeCode, OfficeState>,
    input: Option<&'a DistrictInput>,
    as_of: NaiveDate,
}

impl<'a> District<'a> {
    /// The subordinate offices of the district in force on `date`.
    fn offices_on(&self, date: NaiveDate) -> BTreeSet<&'a OfficeCode> {
        self.versions.iter().filter(|v| v.in_force_on(date)).map(|v| &v.code).collect()
    }

    fn first_completed(&self, office: &OfficeCode) -> Option<NaiveDate> {
        self.states.get(office).and_then(|s| s.first)
    }

    /// Pilots designated on or before `as_of` that were ever subordinate offices of the district, each with its
    /// earliest designation, by code.
    fn pilots(&self) -> Vec<(&'a OfficeCode, NaiveDate)> {
        let mut pilots: BTreeMap<&'a OfficeCode, NaiveDate> = BTreeMap::new();
        let designations = self.input.map(|i| i.pilots.as_slice()).unwrap_or_default();
        for p in designations.iter().filter(|p| p.designated_on <= self.as_of) {
            if self.versions.iter().any(|v| v.code == p.office) {
                let on = pilots.entry(&p.office).or_insert(p.designated_on);
                *on = (*on).min(p.designated_on);
            }
        }
        pilots.into_iter().collect()
    }

    /// The days on which a count requirement can start to hold: openings, closures and moves, first completions and
    /// designations, up to `as_of`, in order.
    fn change_days(&self) -> Vec<NaiveDate> {
        let mut days = BTreeSet::new();
        for v in self.versions {
            days.insert(v.valid_from);
            if let Some(end) = v.valid_to {
                days.insert(end);
            }
            if let Some(first) = self.first_completed(&v.code) {
                days.insert(first);
            }
        }
        for (_, designated) in self.pilots() {
            days.insert(designated);
        }
        days.into_iter().filter(|d| *d <= self.as_of).collect()
    }

    /// `(offices, required, achieved)` of a count target on `date`.
    fn counts(&self, target: &MilestoneTarget, date: NaiveDate) -> (usize, Option<usize>, Option<usize>) {
        let offices = self.offices_on(date);
        let n = offices.len();
        let achieved = match target {
            MilestoneTarget::PilotsCompleted { .. } => Some(
                self.pilots()
                    .iter()
                    .filter(|(office, designated)| {
                        offices.contains(office)
                            && self.first_completed(office).is_some_and(|first| first.max(*designated) <= date)
                    })
                    .count(),
            ),
            MilestoneTarget::ShareCompleted { .. } => {
                Some(offices.iter().filter(|o| self.first_completed(o).is_some_and(|first| first <= date)).count())
            }
            _ => None,
        };
        (n, target.required_count(n), achieved)
    }

    /// Whether a count requirement holds on `date`: the district has a subordinate office in force and enough of
    /// them (or of its pilots) had completed.
    fn holds(&self, target: &MilestoneTarget, date: NaiveDate) -> bool {
        match self.counts(target, date) {
            (n, Some(required), Some(achieved)) => n > 0 && achieved >= required,
            _ => false,
        }
    }

    /// When a count requirement holds on `end`: the first day of the unbroken run of days up to `end` on which it
    /// held (the counts only change on [`Self::change_days`]); `None` when it does not hold on `end`.
    fn held_since(&self, target: &MilestoneTarget, end: NaiveDate) -> Option<NaiveDate> {
        if !self.holds(target, end) {
            return None;
        }
        let mut since = None;
        for day in self.change_days().into_iter().filter(|d| *d <= end) {
            match (self.holds(target, day), since) {
                (true, None) => since = Some(day),
                (false, _) => since = None,
                (true, Some(_)) => {}
            }
        }
        since
    }

    /// The day a milestone was met as of `as_of`, judged on its due date (rules in the module docs of [`super`]):
    /// M1 and M2 on their publication or filing date; a count milestone on the first day of the run in which it held
    /// on the due date (or on `as_of`, before the due date), else on the first later day on which it held.
    fn met_on(&self, milestone: &Milestone) -> Option<NaiveDate> {
        let within = |d: Option<NaiveDate>| d.filter(|d| *d <= self.as_of);
        match milestone.target {
            MilestoneTarget::DistrictCatalogPublished => within(self.input.and_then(|i| i.catalog_published_on)),
            MilestoneTarget::PlanFiled => within(self.input.and_then(|i| i.plan_filed_on)),
            MilestoneTarget::PilotsCompleted { .. } | MilestoneTarget::ShareCompleted { .. } => {
                let due = milestone.deadline;
                let target = &milestone.target;
                self.held_since(target, due.min(self.as_of))
                    .or_else(|| self.change_days().into_iter().filter(|d| *d > due).find(|d| self.holds(target, *d)))
            }
            MilestoneTarget::Qualitative => None,
        }
    }

    fn report(
        &self,
        code: &OfficeCode,
        name: &str,
        milestones: &[&Milestone],
        names: &HashMap<&OfficeCode, &OfficeVersion>,
        notes: &mut Vec<String>,
    ) -> DistrictReport {
        let now = self.offices_on(self.as_of);
        let first_dates: Vec<NaiveDate> = now.iter().filter_map(|o| self.first_completed(o)).collect();
        let completed_now = now.iter().filter(|o| self.states.get(*o).is_some_and(|s| s.now)).count();

        if let Some(input) = self.input {
            for p in input.pilots.iter().filter(|p| p.designated_on <= self.as_of) {
                if !self.versions.iter().any(|v| v.code == p.office) {
                    notes.push(format!("{}的试点隶属海关{}不属于该关区，未计入", code, p.office));
                }
            }
        }
        let pilots = self
            .pilots()
            .into_iter()
            .map(|(office, designated_on)| PilotStatus {
                office: office.clone(),
                name: names.get(office).map(|v| v.name.clone()).unwrap_or_default(),
                designated_on,
                completed_on: self.first_completed(office),
                complete_now: self.states.get(office).is_some_and(|s| s.now),
                in_district: now.contains(office),
            })
            .collect();

        let milestones = milestones.iter().map(|m| self.milestone(m, &first_dates)).collect();
        DistrictReport {
            district: code.clone(),
            name: name.to_string(),
            offices: now.len(),
            completed_ever: first_dates.len(),
            completed_now,
            pilots,
            milestones,
            projected_all_complete_on: project(&first_dates, now.len(), self.as_of),
        }
    }

    fn milestone(&self, milestone: &Milestone, first_dates: &[NaiveDate]) -> MilestoneResult {
        let due = milestone.deadline;
        let as_of = self.as_of;
        let evaluated_on = due.min(as_of);
        let (offices, required, achieved) = self.counts(&milestone.target, evaluated_on);
        let counted = required.is_some();
        let met_on = self.met_on(milestone);
        let days = |from: NaiveDate, to: NaiveDate| u32::try_from((to - from).num_days()).unwrap_or(0);

        let mut note_zh = None;
        let status = match met_on {
            Some(met_on) if met_on <= due => MilestoneStatus::MetOnTime { met_on },
            _ if counted && offices == 0 => {
                note_zh = Some(format!("{}该关区无隶属海关，本项不适用", written(evaluated_on)));
                MilestoneStatus::NoOffices
            }
            _ if as_of < due => {
                let (status, note) = self.outlook(milestone, first_dates, required.unwrap_or(0), achieved);
                note_zh = note;
                status
            }
            Some(met_on) => MilestoneStatus::MetLate { met_on, days_late: days(due, met_on) },
            None if as_of == due => {
                note_zh = Some(match (required, achieved) {
                    (Some(required), Some(achieved)) => {
                        format!("今日到期，目前完成{achieved}个，要求{required}个（共{offices}个隶属海关）")
                    }
                    _ if milestone.target == MilestoneTarget::DistrictCatalogPublished => {
                        "今日到期，尚未对外公开关区目录".to_string()
                    }
                    _ => "今日到期，尚未函报总署办公厅备案".to_string(),
                });
                MilestoneStatus::DueToday
            }
            None => {
                note_zh = Some(match (required, achieved) {
                    (Some(required), Some(achieved)) => format!(
                        "期限{}已过，届时完成{achieved}个，要求{required}个（共{offices}个隶属海关）",
                        written(due)
                    ),
                    _ if milestone.target == MilestoneTarget::DistrictCatalogPublished => {
                        format!("期限{}已过，尚未对外公开关区目录", written(due))
                    }
                    _ => format!("期限{}已过，尚未函报总署办公厅备案", written(due)),
                });
                MilestoneStatus::Missed { days_overdue: days(due, as_of) }
            }
        };
        MilestoneResult {
            code: milestone.code.clone(),
            due,
            evaluated_on,
            offices,
            required,
            achieved,
            met_on: status.met_on(),
            status,
            note_zh,
        }
    }

    /// The status of an open milestone: on track or at risk by projection, with the reason.
    fn outlook(
        &self,
        milestone: &Milestone,
        first_dates: &[NaiveDate],
        required: usize,
        achieved: Option<usize>,
    ) -> (MilestoneStatus, Option<String>) {
        let due = milestone.deadline;
        match milestone.target {
            MilestoneTarget::ShareCompleted { .. } => {
                let projected_on = project(first_dates, required, self.as_of);
                let k = achieved.unwrap_or(0);
                match projected_on {
                    Some(p) if p > due => (
                        MilestoneStatus::NotYetDue { on_track: false, projected_on },
                        Some(format!(
                            "按目前进度（已完成{k}个，要求{required}个），预计{}达到要求，晚于期限{}",
                            written(p),
                            written(due)
                        )),
                    ),
                    Some(_) => (MilestoneStatus::NotYetDue { on_track: true, projected_on }, None),
                    None => (
                        MilestoneStatus::NotYetDue { on_track: true, projected_on },
                        Some(format!("尚无隶属海关完成对标，无法预测（要求{required}个）")),
                    ),
                }
            }
            MilestoneTarget::PilotsCompleted { .. } => {
                let now = self.offices_on(self.as_of);
                let designated = self.pilots().iter().filter(|(o, _)| now.contains(o)).count();
                if designated < required {
                    (
                        MilestoneStatus::NotYetDue { on_track: false, projected_on: None },
                        Some(format!("已确定试点隶属海关{designated}个，少于要求的{required}个")),
                    )
                } else {
                    (MilestoneStatus::NotYetDue { on_track: true, projected_on: None }, None)
                }
            }
            _ => (MilestoneStatus::NotYetDue { on_track: true, projected_on: None }, None),
        }
    }
}

fn national(districts: &[DistrictReport], milestones: &[&Milestone]) -> NationalSummary {
    let mut tallies: Vec<MilestoneTally> = milestones
        .iter()
        .map(|m| MilestoneTally { code: m.code.clone(), due: m.deadline, ..MilestoneTally::default() })
        .collect();
    let mut at_risk = Vec::new();
    for district in districts {
        for (tally, result) in tallies.iter_mut().zip(&district.milestones) {
            match result.status {
                MilestoneStatus::MetOnTime { .. } => tally.met_on_time += 1,
                MilestoneStatus::MetLate { .. } => tally.met_late += 1,
                MilestoneStatus::Missed { .. } => tally.missed += 1,
                MilestoneStatus::DueToday => tally.due_today += 1,
                MilestoneStatus::NotYetDue { on_track, .. } => {
                    tally.not_yet_due += 1;
                    if !on_track {
                        tally.at_risk += 1;
                        at_risk.push(AtRisk {
                            district: district.district.clone(),
                            code: result.code.clone(),
                            reason_zh: format!(
                                "{}{}：{}",
                                district.name,
                                result.code,
                                result.note_zh.clone().unwrap_or_default()
                            ),
                        });
                    }
                }
                MilestoneStatus::NoOffices => tally.no_offices += 1,
            }
        }
    }
    NationalSummary {
        milestones: tallies,
        offices: districts.iter().map(|d| d.offices).sum(),
        completed_ever: districts.iter().map(|d| d.completed_ever).sum(),
        completed_now: districts.iter().map(|d| d.completed_now).sum(),
        at_risk,
    }
}
