//! Property tests of [`evaluate`] over small random worlds, and of [`crate::assessment::score`] over arbitrary
//! returns.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::tests::{c, d, version};
use super::*;
use crate::offices::{OfficeKind, OfficeVersion};

const DISTRICTS: [&str; 3] = ["0100", "0200", "0300"];

/// Days after 2021-06-01: the random events fall in 2021-06 … 2025-08, around all the notice's deadlines.
fn day(offset: u16) -> NaiveDate {
    d("2021-06-01") + Days::new(u64::from(offset))
}

/// One random subordinate office: its district, opening, optional closing and optional move.
#[derive(Debug, Clone)]
struct RandomOffice {
    district: usize,
    opened: Option<u16>,
    lifetime: Option<u16>,
    moved: Option<(u16, usize)>,
    history: Vec<(u16, bool)>,
}

#[derive(Debug, Clone)]
struct RandomDistrict {
    catalog: Option<u16>,
    plan: Option<u16>,
    pilots: Vec<(usize, u16)>,
}

fn office() -> impl Strategy<Value = RandomOffice> {
    (
        0..DISTRICTS.len(),
        proptest::option::of(0u16..1500),
        proptest::option::of(1u16..900),
        proptest::option::of((0u16..1500, 0..DISTRICTS.len())),
        proptest::collection::vec((0u16..1550, any::<bool>()), 0..4),
    )
        .prop_map(|(district, opened, lifetime, moved, history)| RandomOffice {
            district,
            opened,
            lifetime,
            moved,
            history,
        })
}

fn district() -> impl Strategy<Value = RandomDistrict> {
    (
        proptest::option::of(0u16..1500),
        proptest::option::of(0u16..1500),
        proptest::collection::vec((0usize..8, 0u16..1500), 0..3),
    )
        .prop_map(|(catalog, plan, pilots)| RandomDistrict { catalog, plan, pilots })
}

fn world() -> impl Strategy<Value = (Vec<RandomOffice>, Vec<RandomDistrict>)> {
    (proptest::collection::vec(office(), 0..8), proptest::collection::vec(district(), DISTRICTS.len()))
}

fn office_code(i: usize) -> String {
    format!("{:04}", 5001 + i)
}

fn build(offices: &[RandomOffice], districts: &[RandomDistrict]) -> RolloutInput {
    let mut versions = vec![version("0000", OfficeKind::Headquarters, None, "1949-10-25", None)];
    for code in DISTRICTS {
        versions.push(version(code, OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None));
    }
    let mut histories = Vec::new();
    for (i, o) in offices.iter().enumerate() {
        let code = office_code(i);
        let from = o.opened.map_or(d("2000-01-01"), day);
        let to = o.lifetime.map(|l| from + Days::new(u64::from(l)));
        let sub = |parent: usize, from: NaiveDate, to: Option<NaiveDate>| OfficeVersion {
            code: c(&code),
            name: code.clone(),
            kind: OfficeKind::Subordinate,
            parent: Some(c(DISTRICTS[parent])),
            valid_from: from,
            valid_to: to,
            note: String::new(),
        };
        match o.moved.map(|(at, to_district)| (from + Days::new(u64::from(at) + 1), to_district)) {
            Some((at, to_district)) if to.is_none_or(|end| at < end) => {
                versions.push(sub(o.district, from, Some(at)));
                versions.push(sub(to_district, at, to));
            }
            _ => versions.push(sub(o.district, from, to)),
        }
        let changes: Vec<(NaiveDate, bool)> = o.history.iter().map(|&(on, complete)| (day(on), complete)).collect();
        histories.push(OfficeHistory::from_dates(c(&code), &changes));
    }
    let inputs = districts
        .iter()
        .zip(DISTRICTS)
        .map(|(r, code)| DistrictInput {
            district: c(code),
            catalog_published_on: r.catalog.map(day),
            plan_filed_on: r.plan.map(day),
            pilots: r
                .pilots
                .iter()
                .filter(|(i, _)| *i < offices.len())
                .map(|&(i, on)| PilotDesignation { office: c(&office_code(i)), designated_on: day(on) })
                .collect(),
        })
        .collect();
    RolloutInput::new(Directory::new(versions), inputs, histories)
}

/// Every status of the report, by district and milestone.
fn statuses(report: &RolloutReport) -> Vec<(OfficeCode, String, NaiveDate, MilestoneStatus)> {
    report
        .districts
        .iter()
        .flat_map(|r| r.milestones.iter().map(|m| (r.district.clone(), m.code.clone(), m.due, m.status)))
        .collect()
}

/// Whether a status as of `early` may be followed by another as of a later date.
fn may_follow(before: MilestoneStatus, after: MilestoneStatus, early: NaiveDate, due: NaiveDate) -> bool {
    use MilestoneStatus::*;
    match (before, after) {
        // Met before the due date is provisional (a count milestone is judged on its due date).
        (MetOnTime { .. }, _) if early < due => true,
        // From the due date on, met is final, with its date.
        (MetOnTime { .. } | MetLate { .. }, _) => before == after,
        // Due today and not met: missed or met late from the next day.
        (DueToday, DueToday | Missed { .. } | MetLate { .. }) => true,
        (DueToday, _) => false,
        // Missed stays missed, or is met late.
        (Missed { .. }, Missed { .. } | MetLate { .. }) => true,
        (Missed { .. }, _) => false,
        // Nothing owed at a deadline that has passed stays so.
        (NoOffices, _) if early >= due => before == after,
        (NotYetDue { .. } | NoOffices, _) => true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn adding_a_verified_completion_never_lowers_a_completed_count(
        (offices, districts) in world(),
        extra in (0usize..8, 0u16..1550),
        as_of in 0u16..1550,
    ) {
        let as_of = day(as_of);
        let mut input = build(&offices, &districts);
        let before = evaluate(&input, as_of);
        if let Some(history) = input.offices.get_mut(extra.0) {
            let more = OfficeHistory::from_dates(history.office.clone(), &[(day(extra.1), true)]);
            history.changes.extend(more.changes);
        }
        let after = evaluate(&input, as_of);
        for (b, a) in before.districts.iter().zip(&after.districts) {
            prop_assert!(a.completed_ever >= b.completed_ever);
            prop_assert!(a.completed_now >= b.completed_now);
            for (mb, ma) in b.milestones.iter().zip(&a.milestones) {
                prop_assert!(ma.achieved >= mb.achieved, "{} {}", b.district, mb.code);
                if let Some(met) = mb.met_on {
                    prop_assert!(ma.met_on.is_some_and(|m| m <= met), "{} {}", b.district, mb.code);
                }
            }
        }
        prop_assert!(after.national.completed_ever >= before.national.completed_ever);
        prop_assert!(after.national.completed_now >= before.national.completed_now);
    }

    #[test]
    fn an_as_of_date_before_all_events_meets_nothing((offices, districts) in world()) {
        let input = build(&offices, &districts);
        let first_event = input
            .offices
            .iter()
            .flat_map(|h| h.changes.iter().map(|c| c.on))
            .chain(input.districts.iter().flat_map(|r| r.catalog_published_on.into_iter().chain(r.plan_filed_on)))
            .chain(input.districts.iter().flat_map(|r| r.pilots.iter().map(|p| p.designated_on)))
            .min()
            .unwrap_or(d("2026-01-01"));
        let report = evaluate(&input, first_event - Days::new(1));
        for (district, code, _, status) in statuses(&report) {
            prop_assert!(status.met_on().is_none(), "{district} {code} {status:?}");
        }
        prop_assert_eq!(report.national.completed_ever, 0);
        prop_assert!(report.national.milestones.iter().all(|t| t.met_on_time + t.met_late == 0));
    }

    #[test]
    fn status_transitions_are_monotone_and_a_missed_milestone_is_never_unmissed(
        (offices, districts) in world(),
        a in 0u16..1550,
        b in 0u16..1550,
    ) {
        let (early, late) = (day(a.min(b)), day(a.max(b)));
        let input = build(&offices, &districts);
        let before = statuses(&evaluate(&input, early));
        let after = statuses(&evaluate(&input, late));
        prop_assert_eq!(before.len(), after.len());
        for ((district, code, due, s1), (_, _, _, s2)) in before.into_iter().zip(after) {
            prop_assert!(may_follow(s1, s2, early, due), "{district} {code}: {s1:?} at {early}, then {s2:?} at {late}");
        }
    }
}

#[cfg(feature = "national")]
mod scores {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::day;
    use crate::assessment::{default_scheme, score, Applicability};
    use crate::calendar::WorkingCalendar;
    use crate::catalog::{standard_catalog, ChannelCode};
    use crate::clocks::ClockSettings;
    use crate::offices::OfficeCode;
    use crate::returns::{guide_requirements, Disclosed, ItemReport, RequirementReport, ReturnSnapshot};

    fn disclosed() -> impl Strategy<Value = Disclosed> {
        prop_oneof![Just(Disclosed::Yes), Just(Disclosed::No), Just(Disclosed::NotApplicable)]
    }

    prop_compose! {
        fn item_report(item: u32, element: Option<u32>)(
            disclosed in disclosed(),
            channels in proptest::collection::btree_set(proptest::sample::select(ChannelCode::ALL.to_vec()), 0..4),
            formed_on in proptest::option::of(0u16..1700),
            published_on in proptest::option::of(0u16..1700),
            elements_missing in proptest::collection::vec(1u32..6, 0..3),
        ) -> ItemReport {
            ItemReport {
                item,
                element,
                disclosed,
                channels,
                other_channel: None,
                location: None,
                formed_on: formed_on.map(day),
                published_on: published_on.map(day),
                elements_missing,
                note: None,
            }
        }
    }

    /// A return over the standard catalog: each of items 1–25 reported or not, item 24 sometimes per element, and
    /// a random answer to each of the guide's requirements.
    fn snapshot() -> impl Strategy<Value = ReturnSnapshot> {
        let items: Vec<_> = (1u32..=25)
            .map(|n| proptest::option::of(item_report(n, if n == 24 { Some(2) } else { None })).boxed())
            .collect();
        let first_element = proptest::option::of(item_report(24, Some(1)));
        let requirements: Vec<_> = guide_requirements()
            .into_iter()
            .map(|r| {
                proptest::option::of((disclosed(), proptest::option::of(0u32..4))).prop_map(move |answer| {
                    answer.map(|(fulfilled, count)| RequirementReport {
                        code: r.code.clone(),
                        fulfilled,
                        evidence: None,
                        count,
                    })
                })
            })
            .collect();
        (items, first_element, requirements, proptest::option::of(0u16..1700)).prop_map(
            |(items, first, requirements, verified)| ReturnSnapshot {
                office: OfficeCode::parse("0201").unwrap(),
                period: "2023".into(),
                verified_on: verified.map(day),
                items: items.into_iter().flatten().chain(first).collect(),
                requirements: requirements.into_iter().flatten().collect(),
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn the_polars_recompute_agrees_with_the_per_office_score_for_arbitrary_returns(
            snapshot in snapshot(),
            as_of in 0u16..1700,
            not_applicable in proptest::collection::btree_set(1u32..=25, 0..4),
        ) {
            use crate::assessment::{is_complete, CompletionDefinition};
            use crate::rollout::national::{NationalDistrict, NationalEngine, NationalInput, NationalOffice, NationalPeriod};

            let catalog = standard_catalog().unwrap();
            let scheme = default_scheme().unwrap();
            let calendar = WorkingCalendar::bundled().unwrap();
            let applicability = not_applicable.iter().fold(Applicability::all_applicable(), |a, n| {
                a.with_not_applicable(*n, "本关无此业务")
            });
            let district = OfficeCode::parse("0200").unwrap();
            let input = NationalInput {
                districts: vec![NationalDistrict { code: district.clone(), applicability: applicability.clone() }],
                offices: vec![NationalOffice { code: snapshot.office.clone(), district }],
                periods: vec![NationalPeriod { label: snapshot.period.clone(), as_of: day(as_of) }],
                returns: vec![snapshot.clone()],
            };
            let expected =
                score(&snapshot, &catalog, &applicability, &scheme, &calendar, ClockSettings::default(), day(as_of))
                    .unwrap();
            let complete = is_complete(&snapshot, &catalog, &applicability, &CompletionDefinition::default()).complete;
            let mut engine =
                NationalEngine::new(&input, catalog, calendar, ClockSettings::default(), scheme).unwrap();
            let got = engine.recompute().unwrap().offices[0].clone();
            prop_assert!((got.score - expected.score).abs() < 0.005, "{} vs {}", got.score, expected.score);
            prop_assert_eq!(got.complete, complete);
        }

        #[test]
        fn scores_stay_within_the_schemes_bounds_for_arbitrary_returns(
            snapshot in snapshot(),
            as_of in 0u16..1700,
            not_applicable in proptest::collection::btree_set(1u32..=25, 0..4),
        ) {
            let catalog = standard_catalog().unwrap();
            let scheme = default_scheme().unwrap();
            let calendar = WorkingCalendar::bundled().unwrap();
            let applicability = not_applicable.iter().fold(Applicability::all_applicable(), |a, n| {
                a.with_not_applicable(*n, "本关无此业务")
            });
            let a = score(&snapshot, &catalog, &applicability, &scheme, &calendar, ClockSettings::default(), day(as_of))
                .unwrap();
            prop_assert!((0.0..=100.0).contains(&a.score), "{}", a.score);
            let sum: f64 = a.lines.iter().map(|l| l.points).sum();
            prop_assert!((sum - a.score).abs() < 0.005, "lines {sum} vs score {}", a.score);
            for indicator in &scheme.indicators {
                let lost: f64 = a.lines.iter().filter(|l| l.rule == indicator.code && l.points < 0.0).map(|l| -l.points).sum();
                prop_assert!(lost <= indicator.weight + 1e-9, "{} lost {lost}", indicator.code);
            }
            let bonus: f64 = a.lines.iter().filter(|l| scheme.bonuses.iter().any(|b| b.code == l.rule)).map(|l| l.points).sum();
            prop_assert!(bonus <= scheme.bonus_cap + 1e-9);
            let grades: BTreeSet<&str> = scheme.bands.iter().map(|b| b.grade.as_str()).collect();
            prop_assert!(grades.contains(a.grade.as_str()));
            for line in a.lines.iter().filter(|l| l.item.is_some()) {
                prop_assert!(line.item.is_some_and(|n| !not_applicable.contains(&n)), "不适用 items are not scored");
            }
        }
    }
}
