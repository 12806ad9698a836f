//! Table tests of milestone statuses: each case is a small directory, what the districts did, and the expected
//! status of one milestone as of one date.

use chrono::NaiveDate;

use super::*;
use crate::milestones::MilestoneTarget;
use crate::offices::{OfficeKind, OfficeVersion};

pub(super) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(super) fn c(s: &str) -> OfficeCode {
    OfficeCode::parse(s).unwrap()
}

pub(super) fn version(
    code: &str,
    kind: OfficeKind,
    parent: Option<&str>,
    from: &str,
    to: Option<&str>,
) -> OfficeVersion {
    OfficeVersion {
        code: c(code),
        name: format!("{code}海关"),
        kind,
        parent: parent.map(c),
        valid_from: d(from),
        valid_to: to.map(d),
        note: String::new(),
    }
}

fn sub(code: &str, parent: &str) -> OfficeVersion {
    version(code, OfficeKind::Subordinate, Some(parent), "2000-01-01", None)
}

/// Headquarters and three direct customs: 0200 (three offices), 0400 (one office), 0600 (none).
fn directory(extra: Vec<OfficeVersion>) -> Directory {
    let mut versions = vec![
        version("0000", OfficeKind::Headquarters, None, "1949-10-25", None),
        version("0200", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None),
        version("0400", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None),
        version("0600", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None),
        sub("0201", "0200"),
        sub("0202", "0200"),
        sub("0203", "0200"),
        sub("0401", "0400"),
    ];
    versions.extend(extra);
    Directory::new(versions)
}

fn completed(office: &str, on: &str) -> OfficeHistory {
    OfficeHistory::from_dates(c(office), &[(d(on), true)])
}

fn district(code: &str) -> DistrictInput {
    DistrictInput::new(c(code))
}

fn result<'a>(report: &'a RolloutReport, district: &str, milestone: &str) -> &'a MilestoneResult {
    report.district(&c(district)).and_then(|r| r.milestone(milestone)).unwrap()
}

fn status(report: &RolloutReport, district: &str, milestone: &str) -> MilestoneStatus {
    result(report, district, milestone).status
}

#[test]
fn milestone_statuses_follow_the_table() {
    struct Case {
        name: &'static str,
        districts: Vec<DistrictInput>,
        offices: Vec<OfficeHistory>,
        as_of: &'static str,
        district: &'static str,
        milestone: &'static str,
        expected: MilestoneStatus,
    }
    let catalog_on = |code: &str, on: &str| DistrictInput { catalog_published_on: Some(d(on)), ..district(code) };
    let plan_on = |code: &str, on: &str| DistrictInput { plan_filed_on: Some(d(on)), ..district(code) };
    let on_time = |on: &str| MilestoneStatus::MetOnTime { met_on: d(on) };
    let late = |on: &str, days_late: u32| MilestoneStatus::MetLate { met_on: d(on), days_late };
    let cases = vec![
        Case {
            name: "a catalog published on the deadline is on time",
            districts: vec![catalog_on("0200", "2022-04-30")],
            offices: vec![],
            as_of: "2022-12-31",
            district: "0200",
            milestone: "M1",
            expected: on_time("2022-04-30"),
        },
        Case {
            name: "a plan filed three days after the deadline is three calendar days late",
            districts: vec![plan_on("0200", "2022-05-03")],
            offices: vec![],
            as_of: "2022-12-31",
            district: "0200",
            milestone: "M2",
            expected: late("2022-05-03", 3),
        },
        Case {
            name: "a plan filed after the as-of date is not seen: the milestone is missed",
            districts: vec![plan_on("0200", "2022-05-03")],
            offices: vec![],
            as_of: "2022-05-02",
            district: "0200",
            milestone: "M2",
            expected: MilestoneStatus::Missed { days_overdue: 2 },
        },
        Case {
            name: "one third of three offices completed before the deadline is on time",
            districts: vec![],
            offices: vec![completed("0201", "2022-11-15")],
            as_of: "2023-03-01",
            district: "0200",
            milestone: "M4",
            expected: on_time("2022-11-15"),
        },
        Case {
            name: "one third completed ten days after the deadline is ten days late",
            districts: vec![],
            offices: vec![completed("0201", "2023-01-10")],
            as_of: "2023-03-01",
            district: "0200",
            milestone: "M4",
            expected: late("2023-01-10", 10),
        },
        Case {
            name: "nothing completed by the as-of date after the deadline is missed, counted in calendar days",
            districts: vec![],
            offices: vec![completed("0201", "2023-01-10")],
            as_of: "2023-01-09",
            district: "0200",
            milestone: "M4",
            expected: MilestoneStatus::Missed { days_overdue: 9 },
        },
        Case {
            name: "not all offices completed by the end of 2023 misses M5",
            districts: vec![],
            offices: vec![completed("0201", "2022-06-01"), completed("0202", "2022-07-01")],
            as_of: "2024-01-01",
            district: "0200",
            milestone: "M5",
            expected: MilestoneStatus::Missed { days_overdue: 1 },
        },
        Case {
            name: "two of three offices done in thirty days projects the third well before the M5 deadline",
            districts: vec![],
            offices: vec![completed("0201", "2022-06-01"), completed("0202", "2022-06-20")],
            as_of: "2022-06-30",
            district: "0200",
            milestone: "M5",
            // 2 offices in 30 days: the third needs 15 more days.
            expected: MilestoneStatus::NotYetDue { on_track: true, projected_on: Some(d("2022-07-15")) },
        },
        Case {
            name: "a slow start projects M5 after its deadline: at risk",
            districts: vec![],
            offices: vec![completed("0201", "2022-01-01")],
            as_of: "2023-06-30",
            district: "0200",
            milestone: "M5",
            // 1 office in 546 days: 2 more need 1092 days.
            expected: MilestoneStatus::NotYetDue { on_track: false, projected_on: Some(d("2026-06-26")) },
        },
        Case {
            name: "an open milestone without any completion has no projection and is not flagged",
            districts: vec![],
            offices: vec![],
            as_of: "2022-06-30",
            district: "0200",
            milestone: "M4",
            expected: MilestoneStatus::NotYetDue { on_track: true, projected_on: None },
        },
        Case {
            name: "an office that completed but was never designated a pilot does not meet M3",
            districts: vec![],
            offices: vec![completed("0401", "2022-05-01")],
            as_of: "2022-09-01",
            district: "0400",
            milestone: "M3",
            expected: MilestoneStatus::Missed { days_overdue: 1 },
        },
        Case {
            name: "a pilot designated after it completed counts from its designation",
            districts: vec![DistrictInput {
                pilots: vec![PilotDesignation { office: c("0401"), designated_on: d("2022-06-01") }],
                ..district("0400")
            }],
            offices: vec![completed("0401", "2022-05-01")],
            as_of: "2022-09-01",
            district: "0400",
            milestone: "M3",
            expected: on_time("2022-06-01"),
        },
        Case {
            name: "an open M3 without a designated pilot is at risk",
            districts: vec![],
            offices: vec![],
            as_of: "2022-06-01",
            district: "0400",
            milestone: "M3",
            expected: MilestoneStatus::NotYetDue { on_track: false, projected_on: None },
        },
        Case {
            name: "a district without subordinate offices owes no count milestone",
            districts: vec![],
            offices: vec![],
            as_of: "2024-06-01",
            district: "0600",
            milestone: "M5",
            expected: MilestoneStatus::NoOffices,
        },
        Case {
            name: "a district without subordinate offices still owes its catalog",
            districts: vec![],
            offices: vec![],
            as_of: "2024-06-01",
            district: "0600",
            milestone: "M1",
            expected: MilestoneStatus::Missed { days_overdue: 763 },
        },
        Case {
            name: "a completion lost later does not undo a milestone already met",
            districts: vec![],
            offices: vec![OfficeHistory::from_dates(c("0401"), &[(d("2023-06-01"), true), (d("2023-09-01"), false)])],
            as_of: "2024-06-01",
            district: "0400",
            milestone: "M5",
            expected: on_time("2023-06-01"),
        },
    ];
    for case in cases {
        let input = RolloutInput::new(directory(vec![]), case.districts, case.offices);
        let report = evaluate(&input, d(case.as_of));
        let got = result(&report, case.district, case.milestone);
        assert_eq!(got.status, case.expected, "{}", case.name);
        assert_eq!(got.met_on, case.expected.met_on(), "{}", case.name);
    }
}

#[test]
fn an_at_risk_milestone_says_why_in_chinese_and_is_listed_nationally() {
    let input = RolloutInput::new(directory(vec![]), vec![], vec![completed("0201", "2022-01-01")]);
    let report = evaluate(&input, d("2023-06-30"));
    let m5 = result(&report, "0200", "M5");
    let note = m5.note_zh.as_deref().unwrap();
    assert!(note.contains("预计2026年6月26日达到要求，晚于期限2023年12月31日"), "{note}");
    assert_eq!(report.national.at_risk.len(), 1);
    assert_eq!(report.national.at_risk[0].district, c("0200"));
    assert_eq!(report.national.at_risk[0].code, "M5");
    assert!(report.national.at_risk[0].reason_zh.starts_with("0200海关M5："));
    let tally = report.national.milestones.iter().find(|t| t.code == "M5").unwrap();
    assert_eq!((tally.not_yet_due, tally.at_risk, tally.no_offices), (2, 1, 1));
}

#[test]
fn an_office_moved_between_districts_counts_where_it_was_on_each_day() {
    // 0409 completed on 2022-09-01 while in 0400 and moved to 0200 on 2022-10-01.
    let input = RolloutInput::new(
        directory(vec![
            version("0409", OfficeKind::Subordinate, Some("0400"), "2000-01-01", Some("2022-10-01")),
            version("0409", OfficeKind::Subordinate, Some("0200"), "2022-10-01", None),
        ]),
        vec![],
        vec![completed("0409", "2022-09-01")],
    );
    let report = evaluate(&input, d("2023-01-31"));
    // 0400 reached one third (1 of 2) on 2022-09-01, when 0409 was one of its offices, but M4 is judged on its due
    // date: then its only office has not completed, so it is missed.
    let shijiazhuang = result(&report, "0400", "M4");
    assert_eq!(shijiazhuang.status, MilestoneStatus::Missed { days_overdue: 31 });
    assert_eq!((shijiazhuang.offices, shijiazhuang.required, shijiazhuang.achieved), (1, Some(1), Some(0)));
    // 0200 gained a completed office but, with 4 offices, needs 2.
    let tianjin = result(&report, "0200", "M4");
    assert_eq!(tianjin.status, MilestoneStatus::Missed { days_overdue: 31 });
    assert_eq!((tianjin.offices, tianjin.required, tianjin.achieved), (4, Some(2), Some(1)));
    let totals = |code: &str| {
        let r = report.districts.iter().find(|r| r.district.as_str() == code).unwrap();
        (r.offices, r.completed_ever)
    };
    assert_eq!(totals("0200"), (4, 1));
    assert_eq!(totals("0400"), (1, 0));
}

#[test]
fn an_office_opened_before_the_deadline_is_owed_and_a_closed_one_is_not() {
    // 0200 gets a fourth office in December 2022: one third of 4 is 2.
    let opened = vec![version("0205", OfficeKind::Subordinate, Some("0200"), "2022-12-01", None)];
    let input = RolloutInput::new(directory(opened), vec![], vec![completed("0201", "2022-12-15")]);
    let report = evaluate(&input, d("2023-01-31"));
    let m4 = result(&report, "0200", "M4");
    assert_eq!(m4.status, MilestoneStatus::Missed { days_overdue: 31 });
    assert_eq!((m4.offices, m4.required, m4.achieved), (4, Some(2), Some(1)));
    assert!(m4.note_zh.as_deref().unwrap().contains("届时完成1个，要求2个（共4个隶属海关）"));

    // 0401 is 0400's only office; a second, never completed, closes on 2024-03-01: M5 is met that day, late.
    let closed = vec![version("0402", OfficeKind::Subordinate, Some("0400"), "2000-01-01", Some("2024-03-01"))];
    let input = RolloutInput::new(directory(closed), vec![], vec![completed("0401", "2023-05-01")]);
    let report = evaluate(&input, d("2024-06-01"));
    assert_eq!(status(&report, "0400", "M5"), MilestoneStatus::MetLate { met_on: d("2024-03-01"), days_late: 61 });
}

#[test]
fn pilots_fewer_than_the_notice_asks_suffice_when_the_district_has_only_one_office() {
    // The notice says "至少选择1至2个": with a target of 2, a district of one office needs its one office.
    let mut input = RolloutInput::new(
        directory(vec![]),
        vec![DistrictInput {
            pilots: vec![PilotDesignation { office: c("0401"), designated_on: d("2022-03-01") }],
            ..district("0400")
        }],
        vec![completed("0401", "2022-07-01")],
    );
    for m in &mut input.milestones {
        if m.code == "M3" {
            m.target = MilestoneTarget::PilotsCompleted { at_least: 2 };
        }
    }
    let report = evaluate(&input, d("2022-09-30"));
    let m3 = result(&report, "0400", "M3");
    assert_eq!(m3.status, MilestoneStatus::MetOnTime { met_on: d("2022-07-01") });
    assert_eq!((m3.offices, m3.required, m3.achieved), (1, Some(1), Some(1)));
    let pilots = &report.districts.iter().find(|r| r.district.as_str() == "0400").unwrap().pilots;
    assert_eq!(pilots.len(), 1);
    assert_eq!(pilots[0].completed_on, Some(d("2022-07-01")));
    assert!(pilots[0].complete_now && pilots[0].in_district);
    // 0200 has three offices: two pilots are needed and one is not enough.
    let tianjin = result(&report, "0200", "M3");
    assert_eq!(tianjin.required, Some(2));
}

#[test]
fn a_pilot_that_left_its_district_before_completing_does_not_count_for_it() {
    // 0409, designated by 0400 in March, moved to 0200 on 2022-06-01 and completed there on 2022-07-01.
    let input = RolloutInput::new(
        directory(vec![
            version("0409", OfficeKind::Subordinate, Some("0400"), "2000-01-01", Some("2022-06-01")),
            version("0409", OfficeKind::Subordinate, Some("0200"), "2022-06-01", None),
        ]),
        vec![DistrictInput {
            pilots: vec![PilotDesignation { office: c("0409"), designated_on: d("2022-03-01") }],
            ..district("0400")
        }],
        vec![completed("0409", "2022-07-01")],
    );
    let report = evaluate(&input, d("2022-09-30"));
    assert_eq!(status(&report, "0400", "M3"), MilestoneStatus::Missed { days_overdue: 30 });
    let pilot = &report.district(&c("0400")).unwrap().pilots[0];
    assert_eq!((pilot.completed_on, pilot.in_district), (Some(d("2022-07-01")), false));
    // 0200 never designated it: completion alone is not a pilot.
    assert_eq!(status(&report, "0200", "M3"), MilestoneStatus::Missed { days_overdue: 30 });
}

#[test]
fn the_current_count_follows_losses_while_milestones_count_first_dates() {
    let input = RolloutInput::new(
        directory(vec![]),
        vec![],
        vec![
            OfficeHistory::from_dates(c("0201"), &[(d("2022-05-01"), true), (d("2022-08-01"), false)]),
            completed("0202", "2022-06-01"),
            // After the as-of date: not seen.
            completed("0203", "2022-10-01"),
        ],
    );
    let report = evaluate(&input, d("2022-09-01"));
    let tianjin = report.districts.iter().find(|r| r.district.as_str() == "0200").unwrap();
    assert_eq!((tianjin.offices, tianjin.completed_ever, tianjin.completed_now), (3, 2, 1));
    assert_eq!(report.national.offices, 4);
    assert_eq!(report.national.completed_ever, 2);
    assert_eq!(report.national.completed_now, 1);
    // 2 of 3 in 124 days (05-01 … 09-01): the third needs 62 more days.
    assert_eq!(tianjin.projected_all_complete_on, Some(d("2022-11-02")));
}

#[test]
fn the_national_tally_counts_each_district_once_per_milestone() {
    let input = RolloutInput::new(
        directory(vec![]),
        vec![
            DistrictInput {
                catalog_published_on: Some(d("2022-04-01")),
                plan_filed_on: Some(d("2022-04-20")),
                ..district("0200")
            },
            DistrictInput { catalog_published_on: Some(d("2022-05-10")), ..district("0400") },
        ],
        vec![],
    );
    let report = evaluate(&input, d("2022-06-01"));
    let tally = |code: &str| report.national.milestones.iter().find(|t| t.code == code).unwrap().clone();
    let m1 = tally("M1");
    assert_eq!((m1.met_on_time, m1.met_late, m1.missed, m1.not_yet_due), (1, 1, 1, 0));
    let m2 = tally("M2");
    assert_eq!((m2.met_on_time, m2.met_late, m2.missed), (1, 0, 2));
    let m4 = tally("M4");
    assert_eq!((m4.not_yet_due, m4.no_offices), (2, 1));
    assert_eq!(report.national.milestones.len(), 5, "M6 is system-wide and judged by HQ");
}

#[test]
fn unusable_input_is_left_out_and_named_in_the_notes() {
    let input = RolloutInput::new(
        directory(vec![]),
        vec![
            district("9900"),
            DistrictInput {
                pilots: vec![PilotDesignation { office: c("0201"), designated_on: d("2022-03-01") }],
                ..district("0400")
            },
            district("0400"),
        ],
        vec![completed("0201", "2022-04-01"), completed("0201", "2022-05-01")],
    );
    let report = evaluate(&input, d("2022-09-30"));
    assert_eq!(report.notes.len(), 4, "{:?}", report.notes);
    assert!(report.notes.iter().any(|n| n.contains("9900不在机构名录中")));
    assert!(report.notes.iter().any(|n| n.contains("0400有多条填报记录")));
    assert!(report.notes.iter().any(|n| n.contains("试点隶属海关0201不属于该关区")));
    assert!(report.notes.iter().any(|n| n.contains("0201有多条完成情况记录")));
    assert!(report.districts.iter().find(|r| r.district.as_str() == "0400").unwrap().pilots.is_empty());
}

#[test]
fn a_report_serialises_to_json_with_tagged_statuses() {
    let input = RolloutInput::new(directory(vec![]), vec![], vec![completed("0201", "2023-01-10")]);
    let report = evaluate(&input, d("2023-03-01"));
    let json = serde_json::to_value(&report).unwrap();
    let m4 = &json["districts"][0]["milestones"][3];
    assert_eq!(m4["code"], "M4");
    assert_eq!(m4["status"]["status"], "met_late");
    assert_eq!(m4["status"]["days_late"], 10);
    let back: RolloutReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn the_completion_curve_counts_offices_cumulatively_by_first_date_up_to_the_as_of_date() {
    let dates = [d("2022-08-20"), d("2022-07-01"), d("2022-08-20"), d("2022-12-01"), d("2023-02-01")];
    assert_eq!(
        completion_curve(&dates, d("2022-12-31")),
        vec![(d("2022-07-01"), 1), (d("2022-08-20"), 3), (d("2022-12-01"), 4)]
    );
    assert!(completion_curve(&dates, d("2022-06-30")).is_empty());
    assert!(completion_curve(&[], d("2022-12-31")).is_empty());
}

#[test]
fn a_quota_milestone_is_judged_with_the_offices_in_force_on_its_due_date_not_on_an_earlier_day_with_fewer() {
    // 0400 has one office, complete in June 2022 (1 of 1 is a third); three more open on 2022-12-01, so on the due
    // date N = 4 and two are needed. The second completes on 2023-01-15.
    let opened = |code: &str| version(code, OfficeKind::Subordinate, Some("0400"), "2022-12-01", None);
    let input = RolloutInput::new(
        directory(vec![opened("0402"), opened("0403"), opened("0404")]),
        vec![],
        vec![completed("0401", "2022-06-01"), completed("0402", "2023-01-15")],
    );
    let m4 = |as_of: &str| result(&evaluate(&input, d(as_of)), "0400", "M4").clone();
    assert_eq!(
        m4("2022-11-01").status,
        MilestoneStatus::MetOnTime { met_on: d("2022-06-01") },
        "before the due date, holding today reads as met"
    );
    assert!(matches!(m4("2022-12-15").status, MilestoneStatus::NotYetDue { .. }), "the new offices reopen it");
    let on_due_day = m4("2022-12-31");
    assert_eq!(on_due_day.status, MilestoneStatus::DueToday);
    assert_eq!((on_due_day.offices, on_due_day.required, on_due_day.achieved), (4, Some(2), Some(1)));
    assert_eq!(m4("2023-01-05").status, MilestoneStatus::Missed { days_overdue: 5 });
    let later = m4("2023-06-30");
    assert_eq!(later.status, MilestoneStatus::MetLate { met_on: d("2023-01-15"), days_late: 15 });
    assert_eq!(later.met_on, Some(d("2023-01-15")));
}

#[test]
fn a_quota_held_on_the_due_date_is_on_time_from_the_start_of_the_run_that_reached_it() {
    // Held from 2022-06-01 with N = 1, lost when two offices open on 2022-09-01 (N = 3, one needed: still held),
    // so the run is unbroken and the date stays 2022-06-01.
    let opened = |code: &str| version(code, OfficeKind::Subordinate, Some("0400"), "2022-09-01", None);
    let input = RolloutInput::new(
        directory(vec![opened("0402"), opened("0403")]),
        vec![],
        vec![completed("0401", "2022-06-01")],
    );
    let report = evaluate(&input, d("2023-06-30"));
    assert_eq!(status(&report, "0400", "M4"), MilestoneStatus::MetOnTime { met_on: d("2022-06-01") });
}

#[test]
fn a_milestone_not_met_on_its_due_day_is_due_today_and_missed_only_the_day_after() {
    let input = RolloutInput::new(directory(vec![]), vec![], vec![]);
    let report = evaluate(&input, d("2022-04-30"));
    let m2 = result(&report, "0200", "M2");
    assert_eq!(m2.status, MilestoneStatus::DueToday);
    assert_eq!(m2.status.label_zh(), "今日到期");
    assert_eq!(m2.status.label_en(), "due today");
    let note = m2.note_zh.clone().unwrap_or_default();
    assert!(note.starts_with("今日到期") && !note.contains("已过"), "{note}");
    let tally = report.national.milestones.iter().find(|t| t.code == "M2").unwrap();
    assert_eq!((tally.due_today, tally.missed), (3, 0));

    let next_day = evaluate(&input, d("2022-05-01"));
    assert_eq!(status(&next_day, "0200", "M2"), MilestoneStatus::Missed { days_overdue: 1 });
    let tally = next_day.national.milestones.iter().find(|t| t.code == "M2").unwrap();
    assert_eq!((tally.due_today, tally.missed), (0, 3));
}

#[test]
fn every_status_has_one_wording_in_each_language_and_a_chinese_label_finds_its_english() {
    let day = d("2022-01-01");
    let statuses = [
        MilestoneStatus::MetOnTime { met_on: day },
        MilestoneStatus::MetLate { met_on: day, days_late: 12 },
        MilestoneStatus::Missed { days_overdue: 3 },
        MilestoneStatus::DueToday,
        MilestoneStatus::NotYetDue { on_track: true, projected_on: None },
        MilestoneStatus::NotYetDue { on_track: false, projected_on: Some(day) },
        MilestoneStatus::NoOffices,
    ];
    let zh: Vec<String> = statuses.iter().map(MilestoneStatus::label_zh).collect();
    assert_eq!(
        zh,
        [
            "按期完成",
            "逾期12日完成",
            "逾期3日未完成",
            "今日到期",
            "未到期",
            "未到期（有逾期风险）",
            "无隶属海关，不适用"
        ]
    );
    for s in &statuses {
        assert_eq!(status_label_en(&s.label_zh()), Some(s.label_en()), "{s:?}");
        assert_eq!(status_label_en(&s.short_zh()), Some(s.short_en()), "{s:?}");
    }
    assert_eq!(status_label_en("新港海关"), None);
}
