//! The demo rollout history (issue 4 §8): for every demo subordinate office, the returns it filed from 2022 to
//! 2024 and how its direct customs decided on them. The server turns each filing into a workbook with
//! [`super::write_filled`] and imports it through the same upload, confirmation and verification as a real one.
//!
//! The rules of the history, all deterministic (no randomness beyond a hash of the codes):
//! - Each direct customs has a [`Pace`]: 天津 (the district of the demo accounts) and most others meet the
//!   milestones on time; some meet them late; a few miss the last one. The pace decides when each of its
//!   offices completes benchmarking, by the office's rank (by code) among the district's offices:
//!   - on time: the first two (the pilots) complete in August 2022, the first 40 % by mid-December 2022, all by
//!     November 2023;
//!   - late: pilots in October 2022, a third by April 2023, all by May 2024;
//!   - missing: pilots in November 2022, a third by June 2023, 70 % by the end of 2024, the rest never.
//! - An office files a first, incomplete return (two to four items 否) in the quarter before it completes
//!   (accepted ten days after submission), then the complete one, submitted ten days before its completion date
//!   and accepted on it. Every fifth office is first sent back with a reason and resubmits five days later.
//! - Offices file only while they exist: an office opened in 2023 starts then, a closed one stops, and nothing is
//!   filed after `until`.
//! - Dates inside a return are on or before its submission, so the import's "no future dates" rule holds when the
//!   import is run as of the submission date.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::template::template_rows;
use super::{guide_requirements, Disclosed, ItemReport, Period, RequirementReport, ReturnSnapshot};
use crate::catalog::{Catalog, ChannelCode};
use crate::offices::{Directory, OfficeCode, OfficeKind};
use crate::rollout::{DistrictInput, PilotDesignation};

/// How a district moves through the milestones in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pace {
    OnTime,
    Late,
    Missing,
}

/// A stable hash of a code (FNV-1a), for choices that must not change between runs.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The pace of a direct customs: 天津 on time; of the others about six in ten on time, three late, one missing.
pub fn pace_of(district: &OfficeCode) -> Pace {
    if district.as_str() == "0200" {
        return Pace::OnTime;
    }
    match hash(district.as_str()) % 10 {
        0..=5 => Pace::OnTime,
        6..=8 => Pace::Late,
        _ => Pace::Missing,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Linear interpolation between two dates by `t` in 0..=1.
fn between(from: NaiveDate, to: NaiveDate, t: f64) -> NaiveDate {
    let days = (to - from).num_days() as f64;
    from + Duration::days((days * t.clamp(0.0, 1.0)).round() as i64)
}

/// When the office of rank `rank` (0-based) among `count` completes under `pace`; `None`: never (by the end of
/// 2024).
pub fn completion_date(pace: Pace, rank: usize, count: usize) -> Option<NaiveDate> {
    let share = if count <= 1 { 0.0 } else { rank as f64 / (count - 1) as f64 };
    let pilot = rank < 2;
    Some(match pace {
        Pace::OnTime if pilot => date(2022, 8, 10) + Duration::days(rank as i64 * 7),
        Pace::OnTime if share <= 0.4 => between(date(2022, 9, 5), date(2022, 12, 15), share / 0.4),
        Pace::OnTime => between(date(2023, 2, 1), date(2023, 11, 30), (share - 0.4) / 0.6),
        Pace::Late if pilot => date(2022, 10, 12) + Duration::days(rank as i64 * 9),
        Pace::Late if share <= 0.34 => between(date(2022, 11, 1), date(2023, 4, 20), share / 0.34),
        Pace::Late => between(date(2023, 5, 10), date(2024, 5, 28), (share - 0.34) / 0.66),
        Pace::Missing if pilot => date(2022, 11, 8) + Duration::days(rank as i64 * 11),
        Pace::Missing if share <= 0.34 => between(date(2022, 12, 1), date(2023, 6, 20), share / 0.34),
        Pace::Missing if share <= 0.7 => between(date(2023, 7, 1), date(2024, 12, 20), (share - 0.34) / 0.36),
        Pace::Missing => return None,
    })
}

/// The direct customs' decision on a demo filing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoDecision {
    Accept,
    /// Returned with a reason for one item.
    Return {
        item: u32,
        reason: String,
    },
}

/// One return of the demo history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFiling {
    pub snapshot: ReturnSnapshot,
    /// The day it was uploaded and confirmed.
    pub submitted_on: NaiveDate,
    /// The decision and its day (`None`: still waiting).
    pub decision: Option<(DemoDecision, NaiveDate)>,
}

/// A return of `office` for the period of `on`: every row of the catalog disclosed through its recommended
/// channels with dates within the period up to `on`, every requirement met; except the items in `missing`.
pub fn demo_snapshot(catalog: &Catalog, office: &OfficeCode, on: NaiveDate, missing: &BTreeSet<u32>) -> ReturnSnapshot {
    let period = Period::containing(on);
    let published = on.max(period.first_day());
    let formed = (published - Duration::days(5)).max(period.first_day() - Duration::days(60));
    let items = template_rows(catalog)
        .into_iter()
        .filter_map(|row| {
            let item = catalog.item(row.item)?;
            if missing.contains(&row.item) {
                return Some(ItemReport {
                    element: row.element,
                    disclosed: Disclosed::No,
                    note: Some("正在整理，下一季度公开".into()),
                    ..ItemReport::disclosed(row.item, [])
                });
            }
            let channels: BTreeSet<ChannelCode> =
                item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
            let channels = if channels.is_empty() { BTreeSet::from([ChannelCode::A]) } else { channels };
            let mut report = ItemReport::disclosed(row.item, channels.iter().copied());
            report.element = row.element;
            if channels.contains(&ChannelCode::H) {
                report.other_channel = Some("海关总署网站".into());
            }
            report.location = Some(format!("http://customs.gov.cn/{}/zfxxgk/{}", office, row.item));
            report.formed_on = Some(formed);
            report.published_on = Some(published);
            Some(report)
        })
        .collect();
    let requirements = guide_requirements()
        .into_iter()
        .map(|r| RequirementReport {
            evidence: Some(format!("{}：见本关{}年工作台账", r.title_zh, on.format("%Y"))),
            count: r.min_count.map(|min| min + 1),
            fulfilled: Disclosed::Yes,
            code: r.code,
        })
        .collect();
    ReturnSnapshot { office: office.clone(), period: period.code(), verified_on: None, items, requirements }
}

/// Each subordinate office once, with its district as of its first version and its life span.
type OfficeSpans = BTreeMap<OfficeCode, (OfficeCode, NaiveDate, Option<NaiveDate>)>;

fn office_spans(directory: &Directory) -> OfficeSpans {
    let mut offices: OfficeSpans = BTreeMap::new();
    for version in directory.versions().iter().filter(|v| v.kind == OfficeKind::Subordinate) {
        let Some(parent) = version.parent.clone() else { continue };
        let entry = offices.entry(version.code.clone()).or_insert((parent, version.valid_from, version.valid_to));
        entry.1 = entry.1.min(version.valid_from);
        entry.2 = match (entry.2, version.valid_to) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    offices
}

/// The subordinate offices of each district by code: the rank of an office is its place in its district's list.
fn ranked_by_district(offices: &OfficeSpans) -> BTreeMap<OfficeCode, Vec<OfficeCode>> {
    let mut by_district: BTreeMap<OfficeCode, Vec<OfficeCode>> = BTreeMap::new();
    for (code, (district, _, _)) in offices {
        by_district.entry(district.clone()).or_default().push(code.clone());
    }
    by_district
}

/// What each direct customs of the demo did itself, by its [`Pace`]: when it published its district catalog (M1)
/// and filed its plan (M2), both due 2022年4月30日, and which offices it designated pilots (M3), namely the first
/// two of its offices by code, which complete first in [`history`].
/// - on time: catalog in mid-April 2022, plan a few days later, pilots designated in June 2022;
/// - late: catalog in May 2022, plan in June, pilots in August (the pilots complete in October);
/// - missing: catalog in June 2022, plan in July, pilots in September.
pub fn district_records(directory: &Directory) -> Vec<DistrictInput> {
    let offices = office_spans(directory);
    let mut records = Vec::new();
    for (district, codes) in ranked_by_district(&offices) {
        let h = hash(district.as_str()) as i64;
        let (catalog, plan, pilots) = match pace_of(&district) {
            Pace::OnTime => (date(2022, 4, 12), date(2022, 4, 20), date(2022, 6, 15)),
            Pace::Late => (date(2022, 5, 9), date(2022, 6, 6), date(2022, 8, 8)),
            Pace::Missing => (date(2022, 6, 13), date(2022, 7, 11), date(2022, 9, 5)),
        };
        let shift = Duration::days(h.rem_euclid(7));
        let pilots = codes
            .iter()
            .take(2)
            .map(|office| {
                let opened = offices[office].1;
                PilotDesignation { office: office.clone(), designated_on: (pilots + shift).max(opened) }
            })
            .collect();
        records.push(DistrictInput {
            district,
            catalog_published_on: Some(catalog + shift),
            plan_filed_on: Some(plan + shift),
            pilots,
        });
    }
    records
}

/// The filings of every subordinate office of `directory` until `until` (see the module rules), in submission
/// order.
pub fn history(directory: &Directory, catalog: &Catalog, until: NaiveDate) -> Vec<DemoFiling> {
    let offices = office_spans(directory);
    let by_district = ranked_by_district(&offices);
    let item_numbers: Vec<u32> = catalog.groups.iter().flat_map(|g| g.items.iter().map(|i| i.number)).collect();
    let mut filings = Vec::new();
    for (district, codes) in &by_district {
        let pace = pace_of(district);
        for (rank, code) in codes.iter().enumerate() {
            let (_, opened, closed) = offices[code];
            let Some(completed) = completion_date(pace, rank, codes.len()) else {
                // Never completes: one incomplete return in 2023, accepted.
                let on = date(2023, 9, 10).max(opened + Duration::days(20));
                push_incomplete(&mut filings, catalog, code, on, &item_numbers, until, closed);
                continue;
            };
            // An office opened after its planned date completes 60 days after opening.
            let completed = completed.max(opened + Duration::days(60));
            let submitted = completed - Duration::days(10);
            let first = (submitted - Duration::days(90)).max(opened + Duration::days(10));
            if first < submitted - Duration::days(20) {
                push_incomplete(&mut filings, catalog, code, first, &item_numbers, until, closed);
            }
            if submitted > until || closed.is_some_and(|c| submitted >= c) {
                continue;
            }
            let snapshot = demo_snapshot(catalog, code, submitted, &BTreeSet::new());
            if hash(code.as_str()).is_multiple_of(5) {
                let item = item_numbers[(hash(code.as_str()) as usize / 5) % item_numbers.len().max(1)];
                let returned_on = submitted + Duration::days(3);
                filings.push(DemoFiling {
                    snapshot: demo_snapshot(catalog, code, submitted - Duration::days(5), &BTreeSet::from([item])),
                    submitted_on: submitted - Duration::days(5),
                    decision: Some((
                        DemoDecision::Return {
                            item, reason: format!("事项{item}尚未公开，请公开后重新报送")
                        },
                        returned_on,
                    )),
                });
            }
            let decision = (completed <= until).then_some((DemoDecision::Accept, completed));
            filings.push(DemoFiling { snapshot, submitted_on: submitted, decision });
        }
    }
    filings.sort_by(|a, b| (a.submitted_on, &a.snapshot.office).cmp(&(b.submitted_on, &b.snapshot.office)));
    filings
}

/// The national-scale history (`gongkai demo --scale national`, issue 6's load test): [`history`], and besides
/// it one return per quarter from 2022年第一季度 to 2024年第四季度 for every office while it exists — twelve per
/// office — for the quarters the history has no return of. A quarterly return is submitted ten days after its
/// quarter ends and accepted ten days later; it is complete once the office's completion date (by its pace) has
/// passed, and lacks two to four items before, so the milestones are those of [`history`]. The last quarter's
/// return is accepted on 2025年1月20日: pass an `until` of at least that day for all twelve.
pub fn national_history(directory: &Directory, catalog: &Catalog, until: NaiveDate) -> Vec<DemoFiling> {
    let mut filings = history(directory, catalog, until);
    let filed: BTreeSet<(OfficeCode, String)> =
        filings.iter().map(|f| (f.snapshot.office.clone(), f.snapshot.period.clone())).collect();
    let offices = office_spans(directory);
    let by_district = ranked_by_district(&offices);
    let item_numbers: Vec<u32> = catalog.groups.iter().flat_map(|g| g.items.iter().map(|i| i.number)).collect();
    for (district, codes) in &by_district {
        let pace = pace_of(district);
        for (rank, code) in codes.iter().enumerate() {
            let (_, opened, closed) = offices[code];
            let completed = completion_date(pace, rank, codes.len()).map(|c| c.max(opened + Duration::days(60)));
            let mut period = Period::containing(date(2022, 1, 1));
            for _ in 0..12 {
                let (first, last) = (period.first_day(), period.last_day());
                let submitted = last + Duration::days(10);
                let quarter = period;
                period = period.next();
                if filed.contains(&(code.clone(), quarter.code()))
                    || opened > first
                    || submitted > until
                    || closed.is_some_and(|c| submitted >= c)
                {
                    continue;
                }
                let missing: BTreeSet<u32> = if completed.is_some_and(|c| c <= submitted) {
                    BTreeSet::new()
                } else {
                    let h = hash(code.as_str()) as usize + quarter.quarter() as usize;
                    (0..2 + h % 3).map(|k| item_numbers[(h / 7 + k * 5) % item_numbers.len().max(1)]).collect()
                };
                let accepted = submitted + Duration::days(10);
                filings.push(DemoFiling {
                    snapshot: demo_snapshot(catalog, code, last, &missing),
                    submitted_on: submitted,
                    decision: (accepted <= until).then_some((DemoDecision::Accept, accepted)),
                });
            }
        }
    }
    filings.sort_by(|a, b| (a.submitted_on, &a.snapshot.office).cmp(&(b.submitted_on, &b.snapshot.office)));
    filings
}

fn push_incomplete(
    filings: &mut Vec<DemoFiling>,
    catalog: &Catalog,
    code: &OfficeCode,
    on: NaiveDate,
    items: &[u32],
    until: NaiveDate,
    closed: Option<NaiveDate>,
) {
    if on > until || closed.is_some_and(|c| on >= c) || items.is_empty() {
        return;
    }
    let h = hash(code.as_str()) as usize;
    let count = 2 + h % 3;
    let missing: BTreeSet<u32> = (0..count).map(|k| items[(h / 7 + k * 5) % items.len()]).collect();
    let accepted = on + Duration::days(10);
    filings.push(DemoFiling {
        snapshot: demo_snapshot(catalog, code, on, &missing),
        submitted_on: on,
        decision: (accepted <= until).then_some((DemoDecision::Accept, accepted)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::{is_complete, Applicability, CompletionDefinition};
    use crate::offices::demo::demo_offices;

    fn catalog() -> Catalog {
        crate::catalog::standard_catalog().unwrap()
    }

    #[test]
    fn completion_dates_follow_the_pace_and_pilots_come_first() {
        assert!(completion_date(Pace::OnTime, 0, 30).unwrap() <= date(2022, 8, 31));
        assert!(completion_date(Pace::OnTime, 11, 30).unwrap() <= date(2022, 12, 31), "40 % by the end of 2022");
        assert!(completion_date(Pace::OnTime, 29, 30).unwrap() <= date(2023, 12, 31));
        assert!(completion_date(Pace::Late, 0, 30).unwrap() > date(2022, 8, 31));
        assert!(completion_date(Pace::Late, 29, 30).unwrap() > date(2023, 12, 31));
        assert_eq!(completion_date(Pace::Missing, 29, 30), None);
        assert_eq!(pace_of(&OfficeCode::parse("0200").unwrap()), Pace::OnTime);
    }

    #[test]
    fn a_demo_snapshot_is_complete_unless_items_are_missing() {
        let catalog = catalog();
        let office = OfficeCode::parse("0201").unwrap();
        let complete = demo_snapshot(&catalog, &office, date(2022, 8, 1), &BTreeSet::new());
        let applicability = Applicability::all_applicable();
        let verified = ReturnSnapshot { verified_on: Some(date(2022, 8, 10)), ..complete.clone() };
        assert!(is_complete(&verified, &catalog, &applicability, &CompletionDefinition::default()).complete);
        let partial = ReturnSnapshot {
            verified_on: Some(date(2022, 8, 10)),
            ..demo_snapshot(&catalog, &office, date(2022, 8, 1), &BTreeSet::from([7]))
        };
        assert!(!is_complete(&partial, &catalog, &applicability, &CompletionDefinition::default()).complete);
        assert_eq!(complete.period, "2022Q3");
        assert!(complete.items.iter().all(|i| i.published_on <= Some(date(2022, 8, 1))));
    }

    #[test]
    fn the_history_covers_every_district_with_each_pace_and_is_the_same_every_run() {
        let directory = Directory::new(demo_offices().unwrap());
        let catalog = catalog();
        let until = date(2024, 12, 31);
        let filings = history(&directory, &catalog, until);
        assert_eq!(filings, history(&directory, &catalog, until), "deterministic");
        let districts: BTreeSet<String> =
            filings.iter().map(|f| f.snapshot.office.district_prefix().to_string()).collect();
        assert!(districts.len() >= 40, "{} districts file", districts.len());
        let paces: BTreeSet<Pace> =
            districts.iter().filter_map(|p| OfficeCode::parse(&format!("{p}00")).ok()).map(|d| pace_of(&d)).collect();
        assert_eq!(paces.len(), 3, "on time, late and missing districts");
        assert!(filings.iter().all(|f| f.submitted_on <= until));
        assert!(filings.iter().any(|f| matches!(f.decision, Some((DemoDecision::Return { .. }, _)))));
        assert!(filings.windows(2).all(|w| w[0].submitted_on <= w[1].submitted_on));
    }

    /// The demo's rollout as the engine judges it from the accepted filings and the district records, as of a
    /// date: what the server computes from the database once the history is loaded.
    fn demo_rollout(as_of: NaiveDate) -> crate::rollout::RolloutReport {
        use crate::assessment::completion_history;
        use crate::rollout::{evaluate, OfficeHistory, RolloutInput};
        let directory = Directory::new(demo_offices().unwrap());
        let catalog = catalog();
        let mut accepted: BTreeMap<OfficeCode, Vec<ReturnSnapshot>> = BTreeMap::new();
        for filing in history(&directory, &catalog, date(2024, 12, 31)) {
            if let Some((DemoDecision::Accept, on)) = filing.decision {
                let snapshot = ReturnSnapshot { verified_on: Some(on), ..filing.snapshot };
                accepted.entry(snapshot.office.clone()).or_default().push(snapshot);
            }
        }
        let applicability = Applicability::all_applicable();
        let offices = accepted
            .into_iter()
            .map(|(office, snapshots)| OfficeHistory {
                office,
                changes: completion_history(&snapshots, &catalog, &applicability, &CompletionDefinition::default()),
            })
            .collect();
        let districts = district_records(&directory);
        evaluate(&RolloutInput::new(directory, districts, offices), as_of)
    }

    #[test]
    fn every_district_of_the_demo_has_records_and_two_pilots_in_its_district() {
        let directory = Directory::new(demo_offices().unwrap());
        let records = district_records(&directory);
        assert_eq!(records, district_records(&directory), "deterministic");
        assert!(records.len() >= 40);
        for record in &records {
            assert!(record.catalog_published_on.is_some() && record.plan_filed_on.is_some());
            assert_eq!(record.pilots.len(), 2, "{}", record.district);
            for pilot in &record.pilots {
                assert_eq!(pilot.office.district_prefix(), record.district.district_prefix());
            }
        }
    }

    #[test]
    fn the_demo_districts_meet_the_milestones_on_time_late_or_not_as_their_pace_says() {
        let report = demo_rollout(date(2024, 12, 31));
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        let status = |district: &str, milestone: &str| {
            let code = OfficeCode::parse(district).unwrap();
            report.district(&code).unwrap().milestone(milestone).unwrap().status
        };
        use crate::rollout::MilestoneStatus::*;
        for milestone in ["M1", "M2", "M3", "M4", "M5"] {
            assert!(matches!(status("0200", milestone), MetOnTime { .. }), "天津 {milestone}");
        }
        let late = report.districts.iter().find(|d| pace_of(&d.district) == Pace::Late).unwrap();
        assert!(matches!(late.milestone("M1").unwrap().status, MetLate { .. }));
        assert!(matches!(late.milestone("M3").unwrap().status, MetLate { .. }));
        assert!(matches!(late.milestone("M5").unwrap().status, MetLate { .. }));
        let missing = report.districts.iter().find(|d| pace_of(&d.district) == Pace::Missing).unwrap();
        assert!(matches!(missing.milestone("M5").unwrap().status, Missed { .. }));
        let national = &report.national;
        let m5 = national.milestones.iter().find(|m| m.code == "M5").unwrap();
        assert!(m5.met_on_time > 0 && m5.met_late > 0 && m5.missed > 0, "{m5:?}");
    }

    #[test]
    fn as_of_the_end_of_2022_the_pilots_of_the_on_time_districts_are_done_and_others_are_late() {
        let report = demo_rollout(date(2022, 12, 31));
        let tianjin = report.district(&OfficeCode::parse("0200").unwrap()).unwrap();
        assert!(matches!(tianjin.milestone("M4").unwrap().status, crate::rollout::MilestoneStatus::MetOnTime { .. }));
        assert!(tianjin.pilots.iter().all(|p| p.completed_on.is_some_and(|d| d <= date(2022, 8, 31))));
        let m3 = report.national.milestones.iter().find(|m| m.code == "M3").unwrap();
        assert!(m3.met_on_time > 0 && m3.met_late + m3.missed > 0, "{m3:?}");
    }

    #[test]
    fn the_national_history_gives_every_office_twelve_quarterly_returns_and_keeps_the_milestones_of_the_demo() {
        let directory = Directory::new(demo_offices().unwrap());
        let catalog = catalog();
        // The return of 2024年第四季度 is submitted and accepted in January 2025.
        let until = date(2025, 1, 31);
        let base = history(&directory, &catalog, until);
        let national = national_history(&directory, &catalog, until);
        assert!(national.len() > base.len() * 4, "{} vs {}", national.len(), base.len());
        let mut periods: BTreeMap<&OfficeCode, BTreeSet<&str>> = BTreeMap::new();
        for f in &national {
            periods.entry(&f.snapshot.office).or_default().insert(f.snapshot.period.as_str());
        }
        let offices_open_all_along = office_spans(&directory)
            .into_iter()
            .filter(|(_, (_, opened, closed))| *opened <= date(2022, 1, 1) && closed.is_none())
            .count();
        let with_twelve = periods.values().filter(|p| p.iter().filter(|q| q.contains('Q')).count() >= 12).count();
        assert!(with_twelve >= offices_open_all_along, "{with_twelve} of {offices_open_all_along}");
        // Completion is first met on the same day as in the demo history, office by office.
        let first_complete = |filings: &[DemoFiling]| {
            let applicability = crate::assessment::Applicability::all_applicable();
            let mut first: BTreeMap<OfficeCode, NaiveDate> = BTreeMap::new();
            for f in filings {
                if let Some((DemoDecision::Accept, on)) = &f.decision {
                    if is_complete(
                        &f.snapshot,
                        &catalog,
                        &applicability,
                        &CompletionDefinition { require_verified: false, ..CompletionDefinition::default() },
                    )
                    .complete
                    {
                        let entry = first.entry(f.snapshot.office.clone()).or_insert(*on);
                        *entry = (*entry).min(*on);
                    }
                }
            }
            first
        };
        assert_eq!(first_complete(&national), first_complete(&base));
    }
}
