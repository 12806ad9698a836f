//! Tests of scoring and completion against the bundled catalog, calendar and default scheme.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use crate::calendar::WorkingCalendar;
use crate::catalog::{standard_catalog, Catalog, ChannelCode, SubjectLevel};
use crate::clocks::ClockSettings;
use crate::offices::OfficeCode;
use crate::returns::{codes, guide_requirements, Disclosed, ItemReport, RequirementReport, ReturnSnapshot};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn catalog() -> Catalog {
    standard_catalog().unwrap()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::bundled().unwrap()
}

fn scheme() -> Scheme {
    default_scheme().unwrap()
}

const AS_OF: &str = "2024-12-15";

/// A return in which every item is disclosed through its recommended channels on the day the information was
/// formed, and every requirement is met (exchange activities: exactly the minimum, no precise push: no bonus).
fn perfect(catalog: &Catalog) -> ReturnSnapshot {
    let items = catalog
        .items()
        .map(|item| {
            let mut report =
                ItemReport::disclosed(item.number, item.channels.iter().filter(|c| c.recommended).map(|c| c.code));
            report.formed_on = Some(d("2024-11-01"));
            report.published_on = Some(d("2024-11-01"));
            report
        })
        .collect();
    let requirements = guide_requirements()
        .into_iter()
        .filter(|r| r.mandatory)
        .map(|r| RequirementReport { count: r.min_count, ..RequirementReport::met(&r.code) })
        .collect();
    ReturnSnapshot {
        office: OfficeCode::parse("0201").unwrap(),
        period: "2024".into(),
        verified_on: Some(d("2024-12-10")),
        items,
        requirements,
    }
}

fn item_mut(snapshot: &mut ReturnSnapshot, number: u32) -> &mut ItemReport {
    snapshot.items.iter_mut().find(|r| r.item == number && r.element.is_none()).unwrap()
}

fn assess(snapshot: &ReturnSnapshot, applicability: &Applicability) -> Assessment {
    score(snapshot, &catalog(), applicability, &scheme(), &calendar(), ClockSettings::default(), d(AS_OF)).unwrap()
}

fn lost(assessment: &Assessment) -> Vec<&ScoreLine> {
    assessment.lines.iter().filter(|l| l.points < 0.0).collect()
}

fn lines_sum(assessment: &Assessment) -> f64 {
    assessment.lines.iter().map(|l| l.points).sum()
}

#[test]
fn the_default_scheme_is_valid_and_weighs_items_70_and_requirements_30() {
    let s = scheme();
    let weight =
        |kind: IndicatorKind| -> f64 { s.indicators.iter().filter(|i| i.kind == kind).map(|i| i.weight).sum() };
    assert_eq!(weight(IndicatorKind::RequirementMet), 30.0);
    assert_eq!(s.indicators.iter().map(|i| i.weight).sum::<f64>(), 100.0);
    assert_eq!(s.grade_for(100.0), Some("优秀"));
    assert_eq!(s.grade_for(90.0), Some("优秀"));
    assert_eq!(s.grade_for(89.5), Some("良好"));
    assert_eq!(s.grade_for(60.0), Some("合格"));
    assert_eq!(s.grade_for(59.99), Some("不合格"));
    assert_eq!(s.grade_for(0.0), Some("不合格"));
}

#[test]
fn a_perfect_return_scores_100_and_is_excellent() {
    let a = assess(&perfect(&catalog()), &Applicability::all_applicable());
    assert_eq!(a.score, 100.0);
    assert_eq!(a.grade, "优秀");
    assert_eq!(a.scheme_code, "default-2022");
    assert!(a.vetoed_by.is_none());
    assert!(lost(&a).is_empty(), "{:#?}", lost(&a));
    assert_eq!(lines_sum(&a), 100.0);
    // Deadlines set by another rule are left out of 公开时限, not counted as on time.
    assert!(a.excluded.iter().any(|e| e.item == 11 && e.indicator.as_deref() == Some("on_time")));
}

#[test]
fn one_overdue_item_loses_exactly_the_on_time_deduction_and_the_line_says_why() {
    let mut snapshot = perfect(&catalog());
    // Item 8 has 7 working days: formed 2024-10-23, due 2024-11-01, published the Wednesday after.
    let report = item_mut(&mut snapshot, 8);
    report.formed_on = Some(d("2024-10-23"));
    report.published_on = Some(d("2024-11-06"));
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 98.0);
    let lost = lost(&a);
    assert_eq!(lost.len(), 1, "{lost:#?}");
    assert_eq!(lost[0].rule, "on_time");
    assert_eq!(lost[0].item, Some(8));
    assert_eq!(lost[0].points, -2.0);
    assert_eq!(lost[0].reason_zh, "第8项 行政许可：逾期5日公开（期限2024年11月1日，其间3个工作日），扣2分");
}

#[test]
fn deductions_never_exceed_the_indicators_weight_however_many_defects() {
    let catalog = catalog();
    let scheme = scheme();
    let calendar = calendar();
    let item_numbers: Vec<u32> = catalog.items().map(|i| i.number).collect();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for round in 0..200 {
        let mut snapshot = perfect(&catalog);
        let defects = round % 60;
        for _ in 0..defects {
            let number = item_numbers[next() % item_numbers.len()];
            let report = item_mut(&mut snapshot, number);
            match next() % 6 {
                0 => report.disclosed = Disclosed::No,
                1 => report.channels.clear(),
                2 => report.channels = BTreeSet::from([ChannelCode::H]),
                3 => report.published_on = Some(d("2024-12-14")),
                4 => report.elements_missing = vec![1, 2, 3],
                _ => {
                    let code = guide_requirements()[next() % 12].code.clone();
                    snapshot.requirements.retain(|r| r.code != code);
                }
            }
        }
        let a = score(
            &snapshot,
            &catalog,
            &Applicability::all_applicable(),
            &scheme,
            &calendar,
            ClockSettings::default(),
            d(AS_OF),
        )
        .unwrap();
        for indicator in &scheme.indicators {
            let deducted: f64 =
                a.lines.iter().filter(|l| l.rule == indicator.code && l.points < 0.0).map(|l| -l.points).sum();
            assert!(deducted <= indicator.weight + 1e-9, "round {round}: {} lost {deducted}", indicator.code);
        }
        assert!((0.0..=100.0).contains(&a.score), "round {round}: {}", a.score);
        assert!((lines_sum(&a) - a.score).abs() < 1e-6, "round {round}: lines add up to the score");
    }
    // Every item undisclosed: 25 defects × 3 points, capped at 30; later defects get a line at 0 points.
    let mut snapshot = perfect(&catalog);
    snapshot.items.iter_mut().for_each(|r| r.disclosed = Disclosed::No);
    let a = assess(&snapshot, &Applicability::all_applicable());
    let disclosed: Vec<&ScoreLine> = a.lines.iter().filter(|l| l.rule == "disclosed" && l.item.is_some()).collect();
    assert_eq!(disclosed.iter().map(|l| l.points).sum::<f64>(), -30.0);
    assert!(disclosed.len() > 10);
    assert!(disclosed.last().unwrap().reason_zh.ends_with("不再扣分（本指标30分已扣满）"));
}

#[test]
fn items_not_applicable_in_the_district_catalog_are_excluded_not_failed() {
    let mut snapshot = perfect(&catalog());
    item_mut(&mut snapshot, 16).disclosed = Disclosed::NotApplicable;
    // Against the standard catalog, 不适用 for an applicable item is a defect…
    let failed = assess(&snapshot, &Applicability::all_applicable());
    assert!(failed.score < 100.0);
    assert!(lost(&failed).iter().any(|l| l.item == Some(16) && l.reason_zh.contains("关区目录中该事项适用")));
    // …but where the district catalog marks it 不适用, it costs nothing (no re-basing: the maximum stays 100) and
    // is listed as excluded with the reason.
    let applicability = Applicability::all_applicable().with_not_applicable(16, "本关无拍卖业务");
    let a = assess(&snapshot, &applicability);
    assert_eq!(a.score, 100.0);
    assert!(a.lines.iter().all(|l| l.item != Some(16)));
    let excluded = a.excluded.iter().find(|e| e.item == 16 && e.indicator.is_none()).unwrap();
    assert!(excluded.reason_zh.contains("不适用（本关无拍卖业务）"), "{}", excluded.reason_zh);
    assert_eq!(excluded.not_applicable.as_deref(), Some("本关无拍卖业务"), "the district's reason, as data");
}

#[test]
fn items_published_by_a_higher_level_are_not_scored_against_the_subordinate_office_and_are_listed_as_inherited() {
    let mut snapshot = perfect(&catalog());
    snapshot.items.retain(|r| ![3, 10, 18].contains(&r.item));
    item_mut(&mut snapshot, 9).elements_missing = vec![1];
    item_mut(&mut snapshot, 11).elements_missing = vec![1];
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 100.0, "{:#?}", lost(&a));
    let inherited: Vec<(u32, Option<u32>, SubjectLevel)> =
        a.inherited.iter().map(|i| (i.item, i.element, i.owner)).collect();
    assert_eq!(
        inherited,
        vec![
            (3, None, SubjectLevel::DirectCustoms),
            (9, Some(1), SubjectLevel::DirectCustoms),
            (10, None, SubjectLevel::DirectCustoms),
            (11, Some(1), SubjectLevel::DirectCustoms),
            (18, None, SubjectLevel::DirectCustoms),
        ]
    );
    let item3 = &a.inherited[0];
    assert_eq!(item3.levels, vec![SubjectLevel::Headquarters, SubjectLevel::DirectCustoms]);
    assert!(item3.source_zh.starts_with("由直属海关公开"), "{}", item3.source_zh);
    // The subordinate office's own element of item 9 is still scored.
    item_mut(&mut snapshot, 9).elements_missing = vec![2];
    let a = assess(&snapshot, &Applicability::all_applicable());
    let lost = lost(&a);
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].reason_zh, "第9项 行政处罚 要素2（行政处罚决定）：要素2（行政处罚决定）未公开，扣1分");
}

#[test]
fn a_veto_forces_failure_whatever_the_points() {
    let mut snapshot = perfect(&catalog());
    let mut channel = ItemReport::disclosed(24, []);
    channel.element = Some(1);
    channel.disclosed = Disclosed::No;
    channel.formed_on = Some(d("2024-11-01"));
    snapshot.items.push(channel);
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert!(a.score >= 90.0, "the points alone would be excellent: {}", a.score);
    assert_eq!(a.grade, "不合格");
    let veto = a.vetoed_by.unwrap();
    assert_eq!((veto.code.as_str(), veto.item, veto.element), ("gov_info_not_disclosed", 24, Some(1)));
    assert!(veto.reason_zh.contains("一票否决"), "{}", veto.reason_zh);

    // The annual report claimed but without a publication date, past its due date: overdue, vetoed.
    let mut snapshot = perfect(&catalog());
    let mut report = ItemReport::disclosed(24, [ChannelCode::A]);
    report.element = Some(2);
    report.formed_on = Some(d("2023-06-30"));
    snapshot.items.push(report);
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.grade, "不合格");
    assert_eq!(a.vetoed_by.map(|v| v.code), Some("annual_report_overdue".to_string()));
}

#[test]
fn bonus_points_cannot_push_the_score_above_100() {
    let mut snapshot = perfect(&catalog());
    snapshot.requirements.push(RequirementReport::met(codes::PRECISE_PUSH));
    if let Some(r) = snapshot.requirements.iter_mut().find(|r| r.code == codes::EXCHANGE_ACTIVITIES) {
        r.count = Some(10);
    }
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 100.0);
    let bonus: f64 = a.lines.iter().filter(|l| l.requirement.is_some() && l.points > 0.0).map(|l| l.points).sum();
    assert_eq!(bonus, 5.0, "3 for precise push + 2 (capped) for extra activities");
    let cap = a.lines.iter().find(|l| l.rule == "cap").unwrap();
    assert_eq!(cap.points, -5.0);
    assert_eq!(lines_sum(&a), 100.0);

    // With 3 points lost (no channel: 2, hence no recommended channel: 1) the bonus makes up for it, capped at 100.
    item_mut(&mut snapshot, 1).channels.clear();
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 100.0);
    // With 12 points lost the bonus adds its 5.
    snapshot.requirements.retain(|r| r.code != codes::TRAINING && r.code != codes::LEADER_FILED);
    snapshot.requirements.retain(|r| r.code != codes::OFFICE_AND_POST);
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 100.0 - 3.0 - 9.0 + 5.0);
    assert!(a.lines.iter().all(|l| l.rule != "cap"));
}

#[test]
fn invalid_schemes_are_refused_with_chinese_messages() {
    let mut s = scheme();
    s.indicators[0].weight = 20.0;
    assert_eq!(validate_scheme(&s).unwrap_err().to_string(), "评分方案 指标权重：各指标分值合计应为100分，实际为90分");

    let mut s = scheme();
    s.indicators[1].deduction = 0.0;
    assert_eq!(validate_scheme(&s).unwrap_err().to_string(), "指标 channel_used：每处扣分应大于0，实际为0");

    let mut s = scheme();
    if let Some(b) = s.bands.iter_mut().find(|b| b.grade == "良好") {
        b.max = 85.0;
    }
    assert_eq!(
        validate_scheme(&s).unwrap_err().to_string(),
        "评分方案 等次：良好（至85分）与优秀（自90分）之间有空档或重叠，相邻等次须首尾相接"
    );

    let mut s = scheme();
    s.bands.retain(|b| b.grade != "不合格");
    assert!(validate_scheme(&s).unwrap_err().to_string().contains("最低等次应从0分起"));

    let mut s = scheme();
    s.indicators[5].requirements.push("unknown_requirement".into());
    assert!(validate_scheme(&s).unwrap_err().to_string().contains("《指引》基本要求中没有 unknown_requirement"));

    let err = parse_scheme("code = 1").unwrap_err().to_string();
    assert!(err.starts_with("评分方案文件格式错误（TOML）"), "{err}");

    // score() refuses an invalid scheme too.
    let mut s = scheme();
    s.veto_grade = "很差".into();
    let refused = score(
        &perfect(&catalog()),
        &catalog(),
        &Applicability::all_applicable(),
        &s,
        &calendar(),
        ClockSettings::default(),
        d(AS_OF),
    );
    assert_eq!(refused.unwrap_err().to_string(), "评分方案 否决等次：很差 不是已设置的等次");
}

#[test]
fn completion_is_first_met_by_a_verified_return_and_lost_by_a_later_one_and_both_are_shown() {
    let catalog = catalog();
    let all = Applicability::all_applicable();
    let definition = CompletionDefinition::default();

    let mut first = perfect(&catalog);
    first.period = "2022-H1".into();
    first.verified_on = Some(d("2022-06-30"));
    item_mut(&mut first, 5).disclosed = Disclosed::No;

    let mut met = perfect(&catalog);
    met.period = "2022-H2".into();
    met.verified_on = Some(d("2022-08-15"));
    // Inherited items need not be reported.
    met.items.retain(|r| ![3, 10, 18].contains(&r.item));

    let mut unverified = perfect(&catalog);
    unverified.verified_on = None;

    let mut lost_again = perfect(&catalog);
    lost_again.period = "2023".into();
    lost_again.verified_on = Some(d("2023-03-01"));
    if let Some(r) = lost_again.requirements.iter_mut().find(|r| r.code == codes::TRAINING) {
        r.fulfilled = Disclosed::No;
    }

    let first_check = is_complete(&first, &catalog, &all, &definition);
    assert!(!first_check.complete);
    assert_eq!(first_check.missing, vec!["第5项 办事指南：填报未公开".to_string()]);
    assert!(is_complete(&met, &catalog, &all, &definition).complete);
    let pending = is_complete(&unverified, &catalog, &all, &definition);
    assert_eq!(pending.missing, vec!["填报表尚未经直属海关审核确认".to_string()]);

    let history = completion_history(&[lost_again, unverified, met, first], &catalog, &all, &definition);
    let states: Vec<(NaiveDate, bool)> = history.iter().map(|c| (c.on, c.complete)).collect();
    assert_eq!(states, vec![(d("2022-08-15"), true), (d("2023-03-01"), false)]);
    assert_eq!(history[1].missing, vec!["《指引》（二十）开展政务公开教育培训：填报未落实".to_string()]);
}

#[test]
fn assessments_serialise_to_json_and_back() {
    let a = assess(&perfect(&catalog()), &Applicability::all_applicable());
    let json = serde_json::to_string(&a).unwrap();
    let back: Assessment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    let s = scheme();
    let back: Scheme = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

// The open scoring questions of issue 5, decided (see the module docs of `assessment`).

#[test]
fn an_item_not_yet_due_costs_no_points_but_still_blocks_completion() {
    let catalog = catalog();
    let mut snapshot = perfect(&catalog);
    // Item 8 (7 working days): formed on 2024-12-12, due 2024-12-23, not published by the as-of date 2024-12-15.
    let report = item_mut(&mut snapshot, 8);
    report.disclosed = Disclosed::No;
    report.formed_on = Some(d("2024-12-12"));
    report.published_on = None;
    let a = assess(&snapshot, &Applicability::all_applicable());
    assert_eq!(a.score, 100.0, "{:#?}", lost(&a));
    let excluded = a.excluded.iter().find(|e| e.item == 8 && e.indicator.is_none()).unwrap();
    assert!(excluded.reason_zh.contains("尚未到期"), "{}", excluded.reason_zh);
    assert_eq!(excluded.not_applicable, None, "not yet due is not 不适用");
    let completion =
        is_complete(&snapshot, &catalog, &Applicability::all_applicable(), &CompletionDefinition::default());
    assert!(!completion.complete);
    assert_eq!(completion.missing, vec!["第8项 行政许可：填报未公开".to_string()]);
}

#[test]
fn a_mandatory_requirement_reported_not_applicable_is_a_defect_but_the_encouraged_one_is_not() {
    let catalog = catalog();
    let all = Applicability::all_applicable();
    let definition = CompletionDefinition::default();

    let mut snapshot = perfect(&catalog);
    snapshot
        .requirements
        .push(RequirementReport { fulfilled: Disclosed::NotApplicable, ..RequirementReport::met(codes::PRECISE_PUSH) });
    let a = assess(&snapshot, &all);
    assert_eq!(a.score, 100.0);
    assert!(a.lines.iter().all(|l| l.requirement.as_deref() != Some(codes::PRECISE_PUSH)), "no bonus, no deduction");
    assert!(is_complete(&snapshot, &catalog, &all, &definition).complete);

    if let Some(r) = snapshot.requirements.iter_mut().find(|r| r.code == codes::TRAINING) {
        r.fulfilled = Disclosed::NotApplicable;
    }
    let a = assess(&snapshot, &all);
    assert_eq!(a.score, 97.0);
    let line = lost(&a).into_iter().find(|l| l.requirement.as_deref() == Some(codes::TRAINING)).unwrap();
    assert!(line.reason_zh.contains("填报“不适用”，但《指引》要求适用于所有隶属海关"), "{}", line.reason_zh);
    let completion = is_complete(&snapshot, &catalog, &all, &definition);
    assert_eq!(
        completion.missing,
        vec!["《指引》（二十）开展政务公开教育培训：填报“不适用”，但《指引》要求适用于所有隶属海关".to_string()]
    );
}

#[test]
fn an_item_not_applicable_in_the_district_catalog_neither_costs_points_nor_blocks_completion_whatever_is_reported() {
    let catalog = catalog();
    let definition = CompletionDefinition::default();
    let district =
        Applicability::all_applicable().with_not_applicable(16, "本关无拍卖业务").with_not_applicable(24, "试行");
    for answer in [Disclosed::No, Disclosed::NotApplicable, Disclosed::Yes] {
        let mut snapshot = perfect(&catalog);
        item_mut(&mut snapshot, 16).disclosed = answer;
        item_mut(&mut snapshot, 16).channels.clear();
        // Applicability is per item: marking item 24 takes out both of its elements.
        snapshot.items.retain(|r| r.item != 24);
        let a = assess(&snapshot, &district);
        assert_eq!(a.score, 100.0, "{answer:?}: {:#?}", lost(&a));
        assert!(a.excluded.iter().any(|e| e.item == 24 && e.element.is_none() && e.indicator.is_none()));
        assert!(is_complete(&snapshot, &catalog, &district, &definition).complete, "{answer:?}");
    }
    // The same return against the standard catalog: both items count.
    let mut snapshot = perfect(&catalog);
    item_mut(&mut snapshot, 16).disclosed = Disclosed::No;
    let completion = is_complete(&snapshot, &catalog, &Applicability::all_applicable(), &definition);
    assert_eq!(completion.missing, vec!["第16项 拍卖信息：填报未公开".to_string()]);
}

#[test]
fn a_scheme_file_sets_the_completion_definition_and_the_staleness_window_and_the_default_file_states_the_defaults() {
    let default = scheme();
    assert_eq!(default.completion, CompletionDefinition::default());
    assert_eq!(default.clocks, ClockSettings::default());
    let text = SCHEME_DEFAULT_TOML
        .replace("require_mandatory_requirements = true", "require_mandatory_requirements = false")
        .replace("staleness_days = 180", "staleness_days = 90");
    let changed = parse_scheme(&text).unwrap();
    assert!(!changed.completion.require_mandatory_requirements && changed.completion.require_disclosed);
    assert_eq!(changed.clocks.staleness_days, 90);
    // A file written before these settings existed (no [completion], no [clocks]) keeps the defaults.
    let start = SCHEME_DEFAULT_TOML.find("\n[completion]\n").unwrap();
    let end = SCHEME_DEFAULT_TOML.find("\n[[indicators]]\n").unwrap();
    let older = format!("{}{}", &SCHEME_DEFAULT_TOML[..start], &SCHEME_DEFAULT_TOML[end..]);
    assert_eq!(parse_scheme(&older).unwrap(), default);
}

#[test]
fn a_scheme_with_an_impossible_staleness_window_or_an_empty_completion_definition_is_refused_in_chinese() {
    let zero = SCHEME_DEFAULT_TOML.replace("staleness_days = 180", "staleness_days = 0");
    assert!(parse_scheme(&zero).unwrap_err().to_string().contains("1至3650个自然日，实际为0"));
    let empty = SCHEME_DEFAULT_TOML
        .replace("require_disclosed = true", "require_disclosed = false")
        .replace("require_mandatory_requirements = true", "require_mandatory_requirements = false");
    assert!(parse_scheme(&empty).unwrap_err().to_string().contains("对标完成标准至少应要求"));
    let unknown = SCHEME_DEFAULT_TOML.replace("staleness_days = 180", "staleness_days = 180\nstale = 3");
    assert!(parse_scheme(&unknown).unwrap_err().to_string().contains("TOML"));
}

#[test]
fn completion_history_judges_each_return_by_the_definition_in_force_on_the_day_it_was_accepted() {
    let catalog = catalog();
    let all = Applicability::all_applicable();
    // The same return, short of one mandatory requirement, accepted before and after a looser definition applies.
    let short = |period: &str, on: &str| {
        let mut s = perfect(&catalog);
        s.period = period.into();
        s.verified_on = Some(d(on));
        if let Some(r) = s.requirements.iter_mut().find(|r| r.code == codes::TRAINING) {
            r.fulfilled = Disclosed::No;
        }
        s
    };
    let strict = CompletionDefinition::default();
    let loose = CompletionDefinition { require_mandatory_requirements: false, ..strict };
    let switch = d("2023-01-01");
    let definition_on = |day: NaiveDate| if day < switch { strict } else { loose };
    let (q4, q1) = (short("2022-Q4", "2022-12-20"), short("2023-Q1", "2023-03-20"));
    let history = completion_history_by(&[&q4, &q1], &catalog, &all, definition_on);
    let states: Vec<(NaiveDate, bool)> = history.iter().map(|c| (c.on, c.complete)).collect();
    assert_eq!(states, vec![(d("2023-03-20"), true)], "the 2022 return stays incomplete under the 2022 definition");
}

#[test]
fn an_item_answered_yes_with_an_element_listed_missing_does_not_complete_benchmarking() {
    let catalog = catalog();
    let mut snapshot = perfect(&catalog);
    // Item 2 (办事信息, five elements, all published by the subordinate office): 是, but element 3 is missing.
    item_mut(&mut snapshot, 2).elements_missing = vec![3];
    let completion =
        is_complete(&snapshot, &catalog, &Applicability::all_applicable(), &CompletionDefinition::default());
    assert!(!completion.complete);
    assert_eq!(completion.missing, vec!["第2项 办事信息：要素3未公开".to_string()]);
}

#[test]
fn a_yearly_minimum_is_not_judged_on_a_q1_to_q3_return_before_the_first_activity_but_is_on_the_fourth_quarter_return() {
    let catalog = catalog();
    let all = Applicability::all_applicable();
    let before_any_activity = |period: &str, fulfilled: Disclosed, count: Option<u32>| {
        let mut snapshot = perfect(&catalog);
        snapshot.period = period.into();
        let r = snapshot.requirements.iter_mut().find(|r| r.code == codes::EXCHANGE_ACTIVITIES).unwrap();
        r.fulfilled = fulfilled;
        r.count = count;
        snapshot
    };
    for (period, fulfilled, count) in
        [("2024Q1", Disclosed::No, None), ("2024Q2", Disclosed::Yes, Some(0)), ("2024Q3", Disclosed::No, Some(0))]
    {
        let snapshot = before_any_activity(period, fulfilled, count);
        let a = assess(&snapshot, &all);
        assert_eq!(a.score, 100.0, "{period}: {:#?}", lost(&a));
        assert!(is_complete(&snapshot, &catalog, &all, &CompletionDefinition::default()).complete, "{period}");
    }
    let year_end = before_any_activity("2024Q4", Disclosed::No, None);
    let a = assess(&year_end, &all);
    assert!(lost(&a).iter().any(|l| l.requirement.as_deref() == Some(codes::EXCHANGE_ACTIVITIES)), "{:#?}", lost(&a));
    assert!(!is_complete(&year_end, &catalog, &all, &CompletionDefinition::default()).complete);
    // 不适用 is a wrong answer in any quarter.
    let wrong = before_any_activity("2024Q2", Disclosed::NotApplicable, None);
    assert!(!is_complete(&wrong, &catalog, &all, &CompletionDefinition::default()).complete);
}

#[test]
fn a_count_above_the_minimum_is_explained_without_a_doubled_count() {
    let mut snapshot = perfect(&catalog());
    let min = guide_requirements()
        .iter()
        .find(|r| r.code == codes::EXCHANGE_ACTIVITIES)
        .and_then(|r| r.min_count)
        .expect("a minimum count");
    if let Some(r) = snapshot.requirements.iter_mut().find(|r| r.code == codes::EXCHANGE_ACTIVITIES) {
        r.count = Some(min + 1);
    }
    let a = assess(&snapshot, &Applicability::all_applicable());
    let line = a
        .lines
        .iter()
        .find(|l| l.requirement.as_deref() == Some(codes::EXCHANGE_ACTIVITIES) && l.points > 0.0)
        .expect("a bonus line");
    assert!(line.reason_zh.contains(&format!("全年{}次，比最低要求（{min}次）多1次", min + 1)), "{}", line.reason_zh);
    assert!(!line.reason_zh.contains("次1次"), "{}", line.reason_zh);
}

#[test]
fn the_lowest_grade_band_reads_by_its_upper_bound_and_the_others_by_their_lower_bound() {
    let s = scheme();
    let labels: Vec<String> = s
        .bands
        .iter()
        .enumerate()
        .map(|(i, b)| band_label(&b.grade, b.min, s.bands.get(i + 1).map(|n| n.min)))
        .collect();
    assert_eq!(labels, ["不合格（60分以下）", "合格（60分及以上）", "良好（70分及以上）", "优秀（90分及以上）"]);
    assert_eq!(band_label("良好", 72.5, Some(90.0)), "良好（72.5分及以上）");
}
