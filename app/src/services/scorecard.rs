//! The office scorecard (issue 6, item 3): one subordinate office's assessment as of a date, laid out as an
//! official prints and acts on it — head figures, every catalog item with its status and the points it lost, the
//! guide's requirements, and benchmark completion.
//!
//! Rules:
//! - **The engine decides, the scorecard lays out.** Scores, points, reasons and completion come from
//!   [`assess_office`](crate::services::rollout::assess_office) (the call behind `GET /api/v1/offices/{code}/assessment`); the scorecard only groups its
//!   lines by item and requirement and adds what the return reported (channels, dates, evidence). So the points lost
//!   on the page add up to exactly the deductions of the API.
//! - **Scope** is the assessment's: whoever may read the office; outside the scope, an unknown office and an office
//!   that is not a subordinate one are the same 404.
//! - **Rows.** One per catalog item, or one per element where the catalog gives elements their own time limit
//!   (item 24), and one per element published by a higher level where only some are (备注2, items 9 and 11).

use analytics::assessment::{Assessment, IndicatorKind, Scheme, ScoreLine};
use analytics::catalog::{Catalog, ChannelCode, Item};
use analytics::offices::OfficeCode;
use analytics::returns::{guide_requirements, Disclosed, ItemReport, Period, ReturnSnapshot};
use chrono::NaiveDate;

use crate::auth::Principal;
use crate::functions::dashboard::TableView;
use crate::functions::scorecard::{
    points, ChannelName, CompletionHead, CompletionStep, LostLink, RowMark, ScoreHead, ScorecardView, ITEM_HEADERS,
    REQUIREMENT_HEADERS,
};
use crate::services::rollout::{assess_office, AssessedWith, OfficeAssessment, RolloutError};
use crate::store::Store;

fn date_zh(d: NaiveDate) -> String {
    analytics::calendar::written(d)
}

fn period_name(code: &str) -> String {
    Period::parse(code).map(Period::name_zh).unwrap_or_else(|_| code.to_string())
}

/// The scorecard of office `code` as of `as_of`.
pub async fn scorecard(
    store: &dyn Store,
    principal: &Principal,
    code: &str,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<ScorecardView, RolloutError> {
    let office = OfficeCode::parse(code.trim()).map_err(|_| RolloutError::NotFound)?;
    // The scope check and the 404 of an office that is not a subordinate one happen here; the return assessed and
    // its scheme version come with the assessment, read once.
    let (assessment, AssessedWith { catalog, snapshot, scheme }) =
        assess_office(store, principal, &office, as_of, today).await?;
    Ok(build(&catalog, scheme.as_ref(), &assessment, snapshot.as_ref(), today))
}

/// The kind of the indicator a line belongs to (`None`: a bonus or the cap).
fn kind_of(scheme: Option<&Scheme>, line: &ScoreLine) -> Option<IndicatorKind> {
    scheme?.indicators.iter().find(|i| i.code == line.rule).map(|i| i.kind)
}

/// `what` of a line `subject：what，charged` (the engine's verdict without the item and the points).
fn what_of(reason: &str) -> &str {
    let rest = reason.split_once('：').map_or(reason, |(_, rest)| rest);
    rest.rsplit_once('，').map_or(rest, |(what, _)| what)
}

/// The short status of an item that failed its clock, from the engine's verdict: `逾期5日公开`,
/// `超出更新周期1405日`, `缺少日期`.
fn late_status(verdict: &str) -> String {
    if verdict.starts_with("逾期") || verdict.starts_with("已逾期") {
        return verdict.split_once('（').map_or(verdict, |(head, _)| head).to_string();
    }
    if let Some(days) = verdict.split_once("已超出更新周期").map(|(_, days)| days) {
        return format!("超出更新周期{days}");
    }
    if verdict.starts_with("未填报") {
        return "缺少日期".into();
    }
    "时限未达标".into()
}

/// The text after `label：` of an exclusion or inheritance.
fn after_label(reason: &str) -> &str {
    reason.split_once('：').map_or(reason, |(_, rest)| rest)
}

fn letters(codes: impl IntoIterator<Item = ChannelCode>) -> String {
    let letters: Vec<String> = codes.into_iter().map(|c| c.letter().to_string()).collect();
    if letters.is_empty() {
        "—".into()
    } else {
        letters.join("、")
    }
}

/// One row of the item table before it becomes text.
struct ItemRow {
    number: u32,
    element: Option<u32>,
    key: String,
    name: String,
    status: &'static str,
    status_zh: String,
    status_en: &'static str,
    detail: String,
    used: String,
    recommended: String,
    formed_on: String,
    published_on: String,
    lost: Option<f64>,
    reasons: Vec<String>,
}

impl ItemRow {
    fn anchor(&self) -> String {
        match self.element {
            Some(e) => format!("item-{}-{e}", self.number),
            None => format!("item-{}", self.number),
        }
    }

    fn label(&self) -> String {
        format!("{} {}", self.key, self.name)
    }
}

fn element_text(item: &Item, element: u32) -> String {
    item.elements.iter().find(|e| e.ordinal == element).map(|e| e.text.text.clone()).unwrap_or_default()
}

/// A row for an item (or element) the office does not score: inherited or not applicable.
fn plain_row(item: &Item, element: Option<u32>, status: &'static str, status_zh: String, detail: String) -> ItemRow {
    let status_en = match status {
        "inherited" => "published by a higher level",
        "not_applicable" => "not applicable (excluded)",
        _ => "",
    };
    ItemRow {
        number: item.number,
        element,
        key: key_of(item.number, element),
        name: name_of(item, element),
        status,
        status_zh,
        status_en,
        detail,
        used: "—".into(),
        recommended: letters(item.channels.iter().filter(|c| c.recommended).map(|c| c.code)),
        formed_on: String::new(),
        published_on: String::new(),
        lost: None,
        reasons: Vec::new(),
    }
}

fn key_of(number: u32, element: Option<u32>) -> String {
    match element {
        Some(e) => format!("第{number}项要素{e}"),
        None => format!("第{number}项"),
    }
}

fn name_of(item: &Item, element: Option<u32>) -> String {
    match element {
        Some(e) if item.elements.len() > 1 => format!("{}（{}）", item.name, element_text(item, e)),
        _ => item.name.clone(),
    }
}

/// The rows of one item: its scored unit(s) and the elements it inherits, in element order.
fn item_rows(item: &Item, a: &Assessment, scheme: Option<&Scheme>, snapshot: Option<&ReturnSnapshot>) -> Vec<ItemRow> {
    let n = item.number;
    let whole_excluded = a.excluded.iter().find(|x| x.item == n && x.element.is_none() && x.indicator.is_none());
    // 不适用 in the district catalog: the engine's only whole-item exclusion that is not about the clock.
    if let Some(x) = whole_excluded.filter(|x| x.not_applicable.is_some()) {
        return vec![plain_row(item, None, "not_applicable", "不适用".into(), after_label(&x.reason_zh).to_string())];
    }
    if let Some(i) = a.inherited.iter().find(|i| i.item == n && i.element.is_none()) {
        return vec![plain_row(item, None, "inherited", format!("由{}公开", i.owner.name_zh()), i.source_zh.clone())];
    }
    let inherited: Vec<_> = a.inherited.iter().filter(|i| i.item == n && i.element.is_some()).collect();
    let owned: Vec<u32> =
        item.elements.iter().map(|e| e.ordinal).filter(|e| !inherited.iter().any(|i| i.element == Some(*e))).collect();
    let units: Vec<Option<u32>> = if item.has_element_rules() {
        owned.iter().map(|e| Some(*e)).collect()
    } else if owned.len() == 1 && item.elements.len() > 1 {
        vec![owned.first().copied()]
    } else {
        vec![None]
    };
    let per_element = item.has_element_rules();
    let mut rows: Vec<ItemRow> = units
        .into_iter()
        .map(|element| {
            let report: Option<&ItemReport> = snapshot.and_then(|s| match element {
                Some(e) => s.element(n, e),
                None => s.item(n),
            });
            let lines: Vec<&ScoreLine> =
                a.lines.iter().filter(|l| l.item == Some(n) && (!per_element || l.element == element)).collect();
            let lost: f64 = lines.iter().filter(|l| l.points < 0.0).map(|l| -l.points).sum();
            let excluded = |indicator: Option<&str>| {
                a.excluded.iter().find(|x| {
                    x.item == n && (!per_element || x.element == element) && x.indicator.as_deref() == indicator
                })
            };
            let line_of = |kind: IndicatorKind| lines.iter().find(|l| kind_of(scheme, l) == Some(kind));
            let disclosed = report.is_some_and(|r| r.disclosed == Disclosed::Yes);
            let (status, status_zh, status_en, detail) = if let Some(x) = excluded(None) {
                ("pending", "尚未到期".to_string(), "not yet due", after_label(&x.reason_zh).to_string())
            } else if !disclosed {
                let why =
                    line_of(IndicatorKind::Disclosed).map(|l| what_of(&l.reason_zh).to_string()).unwrap_or_else(|| {
                        match report.map(|r| r.disclosed) {
                            None => "未填报".into(),
                            Some(d) => format!("填报“{}”", d.name_zh()),
                        }
                    });
                ("missing", "未公开".to_string(), "not disclosed", why)
            } else if let Some(late) = line_of(IndicatorKind::OnTime) {
                let what = what_of(&late.reason_zh).to_string();
                ("late", late_status(&what), "late", what)
            } else {
                let note = excluded(Some("on_time")).map(|x| after_label(&x.reason_zh).to_string()).unwrap_or_default();
                ("met", "已公开".to_string(), "met", note)
            };
            let recommended: Vec<ChannelCode> =
                item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
            let used = match report {
                Some(r) if disclosed => {
                    let mut text = letters(r.channels.iter().copied());
                    if let Some(other) = r.other_channel.as_deref().filter(|o| !o.trim().is_empty()) {
                        text.push_str(&format!("（H：{}）", other.trim()));
                    }
                    text
                }
                _ => "—".into(),
            };
            ItemRow {
                number: n,
                element,
                key: key_of(n, element),
                name: name_of(item, element),
                status,
                status_zh,
                status_en,
                detail,
                used,
                recommended: letters(recommended),
                formed_on: report.and_then(|r| r.formed_on).map(date_zh).unwrap_or_default(),
                published_on: report
                    .filter(|_| disclosed)
                    .and_then(|r| r.published_on)
                    .map(date_zh)
                    .unwrap_or_default(),
                lost: Some(lost),
                reasons: lines.iter().map(|l| l.reason_zh.clone()).collect(),
            }
        })
        .collect();
    for i in inherited {
        let element = i.element;
        let at = rows.iter().position(|r| r.element.is_some_and(|e| Some(e) > element)).unwrap_or(rows.len());
        let mut row =
            plain_row(item, element, "inherited", format!("由{}公开", i.owner.name_zh()), i.source_zh.clone());
        row.key = key_of(n, element);
        rows.insert(at, row);
    }
    rows
}

/// The requirement table and its marks.
fn requirement_table(a: Option<&Assessment>, snapshot: Option<&ReturnSnapshot>) -> (TableView, Vec<RowMark>) {
    let mut table = TableView {
        headers: REQUIREMENT_HEADERS.iter().map(|(zh, _)| zh.to_string()).collect(),
        ..TableView::default()
    };
    let mut marks = Vec::new();
    for r in guide_requirements() {
        let report = snapshot.and_then(|s| s.requirement(&r.code));
        let lines: Vec<&ScoreLine> = a
            .map(|a| a.lines.iter().filter(|l| l.requirement.as_deref() == Some(r.code.as_str())).collect())
            .unwrap_or_default();
        let lost: f64 = lines.iter().filter(|l| l.points < 0.0).map(|l| -l.points).sum();
        let bonus: f64 = lines.iter().filter(|l| l.points > 0.0).map(|l| l.points).sum();
        let count_ok = match (r.min_count, report.and_then(|r| r.count)) {
            (Some(min), Some(count)) => count >= min,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let fulfilled = report.map(|r| r.fulfilled);
        let (status, zh, en) = match (snapshot, fulfilled) {
            (None, _) => ("none", "—", "—"),
            (Some(_), Some(Disclosed::Yes)) if count_ok => ("met", "达到要求", "met"),
            (Some(_), _) if r.mandatory => ("unmet", "未达到要求", "not met"),
            (Some(_), Some(Disclosed::Yes)) => ("met", "已落实", "met"),
            (Some(_), _) => ("optional", "未落实（鼓励性要求，不扣分）", "not done (encouraged only)"),
        };
        table.rows.push(vec![
            format!("（{}）", r.section),
            r.title_zh.clone(),
            if r.mandatory { "应当".into() } else { "鼓励".into() },
            match (snapshot, fulfilled) {
                (None, _) => "—".into(),
                (Some(_), None) => "未填报".into(),
                (Some(_), Some(d)) => d.name_zh().into(),
            },
            match (report.and_then(|r| r.count), r.min_count) {
                (Some(count), _) => count.to_string(),
                (None, _) => "—".into(),
            },
            report.and_then(|r| r.evidence.clone()).unwrap_or_default(),
            match r.min_count {
                Some(min) if status != "none" => format!("{zh}（每年至少{min}次）"),
                _ => zh.to_string(),
            },
            if a.is_some() { points(lost) } else { "—".into() },
            if a.is_some() { points(bonus) } else { "—".into() },
            lines.iter().map(|l| l.reason_zh.clone()).collect::<Vec<_>>().join("\n"),
        ]);
        marks.push(RowMark { anchor: format!("req-{}", r.code), status: status.into(), status_en: en.into(), lost });
    }
    (table, marks)
}

fn completion_head(a: &OfficeAssessment) -> CompletionHead {
    let c = &a.completion;
    let last_change = c.history.last();
    CompletionHead {
        complete: c.complete,
        since: if c.complete { c.history.iter().rev().find(|h| h.complete).map(|h| h.on) } else { None },
        first_completed_on: c.first_completed_on,
        lost_on: match last_change {
            Some(h) if !c.complete && !h.complete => Some(h.on),
            _ => None,
        },
        missing: c.missing.clone(),
        history: c
            .history
            .iter()
            .map(|h| CompletionStep {
                on: h.on,
                complete: h.complete,
                period_name: period_name(&h.period),
                missing: h.missing.clone(),
            })
            .collect(),
    }
}

/// Lays the assessment out (pure).
fn build(
    catalog: &Catalog,
    scheme: Option<&Scheme>,
    a: &OfficeAssessment,
    snapshot: Option<&ReturnSnapshot>,
    today: NaiveDate,
) -> ScorecardView {
    let mut items =
        TableView { headers: ITEM_HEADERS.iter().map(|(zh, _)| zh.to_string()).collect(), ..TableView::default() };
    let mut item_marks = Vec::new();
    let mut lost_items = Vec::new();
    if let Some(assessment) = &a.assessment {
        for item in catalog.items() {
            for row in item_rows(item, assessment, scheme, snapshot) {
                let lost = row.lost.unwrap_or(0.0);
                if lost > 0.0 {
                    lost_items.push(LostLink { anchor: row.anchor(), label: row.label(), lost });
                }
                item_marks.push(RowMark {
                    anchor: row.anchor(),
                    status: row.status.into(),
                    status_en: row.status_en.into(),
                    lost,
                });
                items.rows.push(vec![
                    row.key.clone(),
                    row.name.clone(),
                    row.status_zh.clone(),
                    row.detail.clone(),
                    row.used.clone(),
                    row.recommended.clone(),
                    row.formed_on.clone(),
                    row.published_on.clone(),
                    row.lost.map(points).unwrap_or_else(|| "—".into()),
                    row.reasons.join("\n"),
                ]);
            }
        }
    }
    let (requirements, requirement_marks) = requirement_table(a.assessment.as_ref(), snapshot);
    let head = match (&a.assessment, &a.assessed_return) {
        (Some(assessment), Some(assessed)) => {
            let deductions = |f: &dyn Fn(&ScoreLine) -> bool| -> f64 {
                assessment.lines.iter().filter(|l| l.points < 0.0 && l.rule != "cap" && f(l)).map(|l| -l.points).sum()
            };
            Some(ScoreHead {
                score: assessment.score,
                grade: assessment.grade.clone(),
                scheme_code: assessment.scheme_code.clone(),
                vetoed_by: assessment.vetoed_by.as_ref().map(|v| v.reason_zh.clone()),
                period: assessed.period.clone(),
                period_name: period_name(&assessed.period),
                accepted_on: assessed.verified_on,
                deducted: deductions(&|_| true),
                deducted_items: deductions(&|l| l.item.is_some()),
                deducted_requirements: deductions(&|l| l.item.is_none() && l.requirement.is_some()),
                bonus: assessment
                    .lines
                    .iter()
                    .filter(|l| l.points > 0.0 && l.requirement.is_some() && l.item.is_none())
                    .filter(|l| kind_of(scheme, l).is_none())
                    .map(|l| l.points)
                    .sum(),
                capped: assessment.lines.iter().filter(|l| l.rule == "cap").map(|l| l.points).sum(),
            })
        }
        _ => None,
    };
    let channels = ChannelCode::ALL
        .iter()
        .map(|c| ChannelName {
            letter: c.letter().to_string(),
            name_zh: c.name_zh().into(),
            name_en: c.name_en().into(),
        })
        .collect();
    ScorecardView {
        code: a.office.to_string(),
        name: a.name.clone(),
        as_of: a.as_of,
        today,
        head,
        completion: completion_head(a),
        items,
        item_marks,
        requirements,
        requirement_marks,
        lost_items,
        channels,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use analytics::assessment::{default_scheme, score, Applicability};
    use analytics::calendar::WorkingCalendar;
    use analytics::catalog::standard_catalog;
    use analytics::clocks::ClockSettings;
    use analytics::offices::OfficeCode;
    use analytics::returns::demo::demo_snapshot;
    use chrono::NaiveDate;

    use super::{after_label, build, late_status, what_of};

    #[test]
    fn an_item_that_failed_its_clock_says_how_in_a_few_words() {
        assert_eq!(late_status("逾期5日公开（期限2024年11月1日，其间3个工作日）"), "逾期5日公开");
        assert_eq!(late_status("最近更新2022年7月31日，已超出更新周期1405日"), "超出更新周期1405日");
        assert_eq!(late_status("未填报信息形成或变更日期，无法判断时限"), "缺少日期");
    }
    use crate::functions::scorecard::ITEM_LOST_COLUMN;
    use crate::services::rollout::{AssessedReturn, CompletionView, OfficeAssessment};

    #[test]
    fn every_item_gets_its_rows_and_the_rows_lose_exactly_the_points_of_the_assessment() {
        let catalog = standard_catalog().unwrap();
        let scheme = default_scheme().unwrap();
        let office = OfficeCode::parse("0201").unwrap();
        let on = NaiveDate::from_ymd_opt(2022, 11, 20).unwrap();
        // Item 8 not disclosed; item 20 marked 不适用 by the district.
        let mut snapshot = demo_snapshot(&catalog, &office, on, &BTreeSet::from([8]));
        snapshot.verified_on = Some(on);
        let applicability = Applicability::all_applicable().with_not_applicable(20, "本关无此业务");
        let calendar = WorkingCalendar::bundled().unwrap();
        let assessment =
            score(&snapshot, &catalog, &applicability, &scheme, &calendar, ClockSettings::default(), on).unwrap();
        let view = OfficeAssessment {
            office: office.clone(),
            name: "新港海关".into(),
            district: None,
            as_of: on,
            assessed_return: Some(AssessedReturn { period: snapshot.period.clone(), verified_on: on }),
            assessment: Some(assessment.clone()),
            completion: CompletionView { complete: false, missing: vec![], first_completed_on: None, history: vec![] },
        };
        let card = build(&catalog, Some(&scheme), &view, Some(&snapshot), on);
        let rows = &card.items.rows;
        let row = |key: &str| rows.iter().find(|r| r[0] == key).unwrap_or_else(|| panic!("{key}: {rows:?}"));
        assert_eq!(row("第8项")[2], "未公开");
        assert!(row("第8项")[9].contains("扣"), "the engine's reasons");
        assert_eq!(row("第20项")[2], "不适用");
        assert_eq!(row("第3项")[2], "由直属海关公开");
        assert_eq!(row("第9项要素1")[2], "由直属海关公开", "an element published by the direct customs");
        assert_eq!(row("第9项要素2")[2], "已公开", "the element the office publishes");
        assert!(rows.iter().any(|r| r[0] == "第24项要素1") && rows.iter().any(|r| r[0] == "第24项要素2"));
        for item in catalog.items() {
            assert!(rows.iter().any(|r| r[0].starts_with(&format!("第{}项", item.number))), "item {}", item.number);
        }
        // The rows' points lost add up to every deduction of the assessment.
        let lost: f64 = rows.iter().filter_map(|r| r[ITEM_LOST_COLUMN].parse::<f64>().ok()).sum::<f64>()
            + card.requirements.rows.iter().filter_map(|r| r[7].parse::<f64>().ok()).sum::<f64>();
        let deducted: f64 =
            assessment.lines.iter().filter(|l| l.points < 0.0 && l.rule != "cap").map(|l| -l.points).sum();
        assert!(deducted > 0.0 && (lost - deducted).abs() < 1e-9, "{lost} = {deducted}");
        let head = card.head.unwrap();
        assert_eq!(head.deducted, deducted);
        assert!((100.0 - head.deducted + head.bonus + head.capped - head.score).abs() < 0.01);
        assert_eq!(card.lost_items.first().map(|l| l.label.as_str()), Some("第8项 行政许可"));
    }

    #[test]
    fn the_verdict_is_cut_out_of_an_engine_line() {
        assert_eq!(
            what_of("第8项 行政许可：逾期5日公开（期限2024年11月1日，其间3个工作日），扣2分"),
            "逾期5日公开（期限2024年11月1日，其间3个工作日）"
        );
        assert_eq!(what_of("第8项 行政许可：填报未公开，扣4分"), "填报未公开");
        assert_eq!(
            after_label("第9项 x：尚未公开，尚未到期（期限2024年1月2日），本次不计分"),
            "尚未公开，尚未到期（期限2024年1月2日），本次不计分"
        );
    }
}
