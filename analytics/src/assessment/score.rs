//! Scoring a return under a scheme, line by line.
//!
//! [`score()`] walks the catalog: items 不适用 are excluded, items (elements) the subordinate office does not publish
//! are inherited (备注2), and every other item becomes one scored unit, or one per element where the catalog gives
//! elements their own time limit (item 24). Each unit is judged against the item indicators, each listed requirement
//! against the requirement indicators; every defect is a line with the item and a Chinese reason, e.g.
//! `第8项 行政许可：逾期5日公开（期限2024年11月1日，其间3个工作日），扣2分`. Deductions stop at the indicator's weight (later
//! defects still get a line, at 0 points). Bonuses are capped by the scheme, and the total by 100 (a `cap` line says
//! so), so the lines always add up to the score.

use chrono::NaiveDate;

use super::scheme::{pts, validate_scheme, BonusKind, IndicatorKind, Scheme, SchemeError, VetoKind, MAX_POINTS};
use super::{Applicability, Assessment, ExcludedItem, InheritedItem, ScoreLine, VetoHit};
use crate::calendar::WorkingCalendar;
use crate::catalog::{Catalog, Item, SubjectLevel};
use crate::clocks::{judge, ClockSettings, DisclosureDates, Verdict};
use crate::returns::{guide_requirement, Disclosed, ItemReport, Period, RequirementReport, ReturnSnapshot};

/// The levels that publish an element of an item (its own assignment, else the item's).
pub(crate) fn levels_for(item: &Item, element: u32) -> Vec<SubjectLevel> {
    item.subjects
        .iter()
        .find(|s| s.element == Some(element))
        .or_else(|| item.subjects.iter().find(|s| s.element.is_none()))
        .map(|s| s.levels.clone())
        .unwrap_or_default()
}

/// The levels of a whole item: the union over its elements.
fn item_levels(item: &Item) -> Vec<SubjectLevel> {
    let mut levels: Vec<SubjectLevel> = item.elements.iter().flat_map(|e| levels_for(item, e.ordinal)).collect();
    levels.sort();
    levels.dedup();
    levels
}

/// What an office is scored on for one item: the whole item, or one element with its own time limit.
pub(crate) struct Unit<'a> {
    pub item: &'a Item,
    /// `Some` for an element with its own time limit (item 24), or the single owned element of a shared item.
    pub element: Option<u32>,
    /// The elements this unit covers that the office publishes.
    pub owned: Vec<u32>,
    pub report: Option<&'a ItemReport>,
}

impl Unit<'_> {
    pub fn disclosed(&self) -> bool {
        self.report.is_some_and(|r| r.disclosed == Disclosed::Yes)
    }

    /// `第24项 政府信息公开 要素2（政府信息公开年报）` or `第8项 行政许可`.
    pub fn label(&self) -> String {
        label(self.item, self.element)
    }

    /// Why the unit does not count as disclosed.
    pub fn not_disclosed_reason(&self) -> &'static str {
        match self.report.map(|r| r.disclosed) {
            None => "未填报",
            Some(Disclosed::No) => "填报未公开",
            Some(Disclosed::NotApplicable) => "填报“不适用”，但关区目录中该事项适用",
            Some(Disclosed::Yes) => "已公开",
        }
    }
}

pub(crate) fn label(item: &Item, element: Option<u32>) -> String {
    match element.and_then(|e| item.elements.iter().find(|el| el.ordinal == e)) {
        Some(el) if item.elements.len() > 1 => {
            format!("第{}项 {} 要素{}（{}）", item.number, item.name, el.ordinal, el.text.text)
        }
        _ => format!("第{}项 {}", item.number, item.name),
    }
}

/// The scored units, the inherited items and the items excluded as 不适用, in catalog order.
pub(crate) fn units<'a>(
    catalog: &'a Catalog,
    applicability: &Applicability,
    snapshot: &'a ReturnSnapshot,
) -> (Vec<Unit<'a>>, Vec<InheritedItem>, Vec<ExcludedItem>) {
    let mut units = Vec::new();
    let mut inherited = Vec::new();
    let mut excluded = Vec::new();
    for item in catalog.items() {
        if let Some(reason) = applicability.not_applicable(item.number) {
            excluded.push(ExcludedItem {
                item: item.number,
                element: None,
                indicator: None,
                not_applicable: Some(reason.to_string()),
                reason_zh: format!("{}：关区目录标注为不适用（{reason}），不计分", label(item, None)),
            });
            continue;
        }
        let owns = |e: u32| levels_for(item, e).contains(&SubjectLevel::Subordinate);
        let owned: Vec<u32> = item.elements.iter().map(|e| e.ordinal).filter(|e| owns(*e)).collect();
        if owned.is_empty() {
            inherited.push(inherited_item(item, None, item_levels(item)));
            continue;
        }
        for element in item.elements.iter().filter(|e| !owns(e.ordinal)) {
            inherited.push(inherited_item(item, Some(element.ordinal), levels_for(item, element.ordinal)));
        }
        if item.has_element_rules() {
            for e in owned {
                units.push(Unit { item, element: Some(e), owned: vec![e], report: snapshot.element(item.number, e) });
            }
        } else {
            let element = if owned.len() == 1 && item.elements.len() > 1 { owned.first().copied() } else { None };
            let report = match element {
                Some(e) => snapshot.element(item.number, e),
                None => snapshot.item(item.number),
            };
            units.push(Unit { item, element, owned, report });
        }
    }
    (units, inherited, excluded)
}

fn inherited_item(item: &Item, element: Option<u32>, levels: Vec<SubjectLevel>) -> InheritedItem {
    let owner = if levels.contains(&SubjectLevel::DirectCustoms) {
        SubjectLevel::DirectCustoms
    } else {
        SubjectLevel::Headquarters
    };
    let names: Vec<&str> = levels.iter().map(|l| l.name_zh()).collect();
    InheritedItem {
        item: item.number,
        element,
        name: label(item, element),
        owner,
        source_zh: format!("由{}公开（公开主体：{}；备注2 谁制作、谁公开）", owner.name_zh(), names.join("、")),
        levels,
    }
}

/// One defect found by an indicator kind.
struct Defect {
    item: Option<u32>,
    element: Option<u32>,
    requirement: Option<String>,
    what: String,
}

/// Scores a return; the scheme is validated first.
///
/// `as_of` is the date the clocks judge at (events after it are the caller's to leave out of `snapshot`).
pub fn score(
    snapshot: &ReturnSnapshot,
    catalog: &Catalog,
    applicability: &Applicability,
    scheme: &Scheme,
    calendar: &WorkingCalendar,
    clock_settings: ClockSettings,
    as_of: NaiveDate,
) -> Result<super::Assessment, SchemeError> {
    validate_scheme(scheme)?;
    let (units, inherited, mut excluded) = units(catalog, applicability, snapshot);

    let mut disclosed = Vec::new();
    let mut channel = Vec::new();
    let mut recommended = Vec::new();
    let mut on_time = Vec::new();
    let mut elements = Vec::new();
    let mut veto_hit: Option<VetoHit> = None;

    for unit in &units {
        let report = unit.report;
        let rule = match unit.element {
            Some(e) => unit.item.rule_for_element(e),
            None => &unit.item.time_limit,
        };
        let dates = DisclosureDates {
            formed_on: report.and_then(|r| r.formed_on),
            published_on: if unit.disclosed() { report.and_then(|r| r.published_on) } else { None },
        };
        let verdict = judge(rule, dates, as_of, clock_settings, calendar);
        let defect =
            |what: String| Defect { item: Some(unit.item.number), element: unit.element, requirement: None, what };
        let exclude = |indicator: Option<&str>, why: String| ExcludedItem {
            item: unit.item.number,
            element: unit.element,
            indicator: indicator.map(str::to_string),
            not_applicable: None,
            reason_zh: format!("{}：{why}", unit.label()),
        };
        if !unit.disclosed() {
            if let Ok(Verdict::Pending { .. }) = &verdict {
                let why = verdict.as_ref().map(Verdict::describe_zh).unwrap_or_default();
                excluded.push(exclude(None, format!("尚未公开，{why}，本次不计分")));
                continue;
            }
            let why = unit.not_disclosed_reason();
            disclosed.push(defect(why.to_string()));
            channel.push(defect(format!("{why}，无公开渠道")));
            recommended.push(defect(format!("{why}，未使用推荐渠道")));
            elements.push(defect(format!("{why}，公开要素缺失")));
        } else if let Some(report) = report {
            if report.channels.is_empty() {
                channel.push(defect("未填报公开渠道（备注3：每个事项至少选择一个渠道）".into()));
            }
            let recommended_channels: Vec<_> =
                unit.item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
            if !recommended_channels.iter().any(|c| report.channels.contains(c)) {
                let names: Vec<String> =
                    recommended_channels.iter().map(|c| format!("{} {}", c.letter(), c.name_zh())).collect();
                recommended.push(defect(format!("未使用推荐渠道（■ {}）", names.join("、"))));
            }
            for e in unit.owned.iter().filter(|e| report.elements_missing.contains(e)) {
                let text = unit.item.elements.iter().find(|el| el.ordinal == *e).map_or("", |el| el.text.text.as_str());
                elements.push(Defect {
                    item: Some(unit.item.number),
                    element: Some(*e),
                    requirement: None,
                    what: format!("要素{e}（{text}）未公开"),
                });
            }
        }
        match &verdict {
            Ok(Verdict::NotComputable { .. }) => excluded.push(exclude(
                Some("on_time"),
                format!("{}，公开时限不计分", verdict.as_ref().map(Verdict::describe_zh).unwrap_or_default()),
            )),
            Ok(v) if v.is_failure() => {
                let what = match v {
                    Verdict::MissingDate { .. } if !unit.disclosed() => {
                        format!("{}，无法按时公开", unit.not_disclosed_reason())
                    }
                    _ => v.describe_zh(),
                };
                on_time.push(defect(what));
            }
            Ok(_) => {}
            Err(e) => excluded.push(exclude(Some("on_time"), format!("{e}，公开时限不计分"))),
        }
        for veto in &scheme.vetoes {
            if veto_hit.is_some()
                || veto.item != unit.item.number
                || veto.element.is_some_and(|e| unit.element != Some(e))
            {
                continue;
            }
            let applies = match veto.kind {
                VetoKind::NotDisclosed => !unit.disclosed(),
                VetoKind::Overdue => matches!(verdict, Ok(Verdict::Overdue { .. })),
            };
            if applies {
                let why = match veto.kind {
                    VetoKind::NotDisclosed => unit.not_disclosed_reason().to_string(),
                    VetoKind::Overdue => verdict.as_ref().map(Verdict::describe_zh).unwrap_or_default(),
                };
                veto_hit = Some(VetoHit {
                    code: veto.code.clone(),
                    item: unit.item.number,
                    element: unit.element,
                    reason_zh: format!(
                        "{}：{why}，触发一票否决“{}”，等次为{}",
                        unit.label(),
                        veto.title_zh,
                        scheme.veto_grade
                    ),
                });
            }
        }
    }

    let mut lines = Vec::new();
    for indicator in &scheme.indicators {
        lines.push(ScoreLine {
            rule: indicator.code.clone(),
            item: None,
            element: None,
            requirement: None,
            points: indicator.weight,
            reason_zh: format!("指标“{}”满分{}分", indicator.title_zh, pts(indicator.weight)),
        });
        let requirement_defects;
        let defects: &[Defect] = match indicator.kind {
            IndicatorKind::Disclosed => &disclosed,
            IndicatorKind::ChannelUsed => &channel,
            IndicatorKind::RecommendedChannelUsed => &recommended,
            IndicatorKind::OnTime => &on_time,
            IndicatorKind::ElementsComplete => &elements,
            IndicatorKind::RequirementMet => {
                requirement_defects = requirement_defects_of(snapshot, &indicator.requirements);
                &requirement_defects
            }
        };
        let mut remaining = indicator.weight;
        for d in defects {
            let charge = indicator.deduction.min(remaining);
            remaining -= charge;
            let subject = match (&d.requirement, d.item) {
                (Some(code), _) => requirement_label(code),
                (None, Some(n)) => catalog.item(n).map(|i| label(i, d.element)).unwrap_or_else(|| format!("第{n}项")),
                (None, None) => String::new(),
            };
            let charged = if charge >= indicator.deduction {
                format!("扣{}分", pts(charge))
            } else if charge > 0.0 {
                format!("扣{}分（本指标{}分已扣满）", pts(charge), pts(indicator.weight))
            } else {
                format!("不再扣分（本指标{}分已扣满）", pts(indicator.weight))
            };
            lines.push(ScoreLine {
                rule: indicator.code.clone(),
                item: d.item,
                element: d.element,
                requirement: d.requirement.clone(),
                points: -charge,
                reason_zh: format!("{subject}：{}，{charged}", d.what),
            });
        }
    }

    let mut bonus_left = scheme.bonus_cap;
    for bonus in &scheme.bonuses {
        let report = snapshot.requirement(&bonus.requirement).filter(|r| r.fulfilled == Disclosed::Yes);
        let Some(report) = report else { continue };
        let max = bonus.max.unwrap_or(bonus.points);
        let (earned, what) = match bonus.kind {
            BonusKind::RequirementMet => {
                (bonus.points.min(max), format!("{}：已落实", requirement_label(&bonus.requirement)))
            }
            BonusKind::CountAboveMinimum => {
                let min = guide_requirement(&bonus.requirement).and_then(|r| r.min_count).unwrap_or(0);
                let count = report.count.unwrap_or(0);
                let extra = count.saturating_sub(min);
                if extra == 0 {
                    continue;
                }
                (
                    (f64::from(extra) * bonus.points).min(max),
                    format!(
                        "{}：全年{count}次，比最低要求（{min}次）多{extra}次",
                        requirement_label(&bonus.requirement)
                    ),
                )
            }
        };
        let granted = earned.min(bonus_left);
        bonus_left -= granted;
        let note = if granted < earned {
            format!("（加分合计以{}分为限）", pts(scheme.bonus_cap))
        } else {
            String::new()
        };
        lines.push(ScoreLine {
            rule: bonus.code.clone(),
            item: None,
            element: None,
            requirement: Some(bonus.requirement.clone()),
            points: granted,
            reason_zh: format!("加分项“{}”：{what}，加{}分{note}", bonus.title_zh, pts(granted)),
        });
    }

    let raw: f64 = lines.iter().map(|l| l.points).sum();
    if raw > MAX_POINTS {
        lines.push(ScoreLine {
            rule: "cap".into(),
            item: None,
            element: None,
            requirement: None,
            points: MAX_POINTS - raw,
            reason_zh: format!("总分以{}分为限，超出的{}分不计", pts(MAX_POINTS), pts(raw - MAX_POINTS)),
        });
    }
    let total = ((raw.clamp(0.0, MAX_POINTS)) * 100.0).round() / 100.0;
    let grade = match &veto_hit {
        Some(_) => scheme.veto_grade.clone(),
        None => scheme.grade_for(total).unwrap_or(scheme.veto_grade.as_str()).to_string(),
    };
    Ok(Assessment {
        scheme_code: scheme.code.clone(),
        score: total,
        grade,
        vetoed_by: veto_hit,
        lines,
        inherited,
        excluded,
    })
}

/// `《指引》（十五）每年至少组织一次公众交流活动`.
fn requirement_label(code: &str) -> String {
    match guide_requirement(code) {
        Some(r) => format!("《指引》（{}）{}", r.section, r.title_zh),
        None => format!("《指引》要求 {code}"),
    }
}

/// Whether a requirement with a yearly minimum (指引 十五: at least one public exchange activity a year) is left
/// unjudged on this return: a Q1–Q3 return that reports fewer than the minimum so far (否, or 是 with a lower count).
/// The year is judged on its fourth quarter's return; a return whose period cannot be read is judged as it is.
pub(crate) fn waits_for_the_year(
    snapshot: &ReturnSnapshot,
    min_count: Option<u32>,
    report: Option<&RequirementReport>,
) -> bool {
    let (Some(min), Some(report)) = (min_count, report) else { return false };
    let before_q4 = Period::parse(&snapshot.period).is_ok_and(|p| p.quarter() < 4);
    before_q4
        && match report.fulfilled {
            Disclosed::No => true,
            Disclosed::Yes => report.count.is_some_and(|count| count < min),
            Disclosed::NotApplicable => false,
        }
}

/// Why a requirement is not met, if it is not; shared with completion.
pub(crate) fn requirement_shortfall(snapshot: &ReturnSnapshot, code: &str) -> Option<String> {
    let min = guide_requirement(code).and_then(|r| r.min_count);
    if waits_for_the_year(snapshot, min, snapshot.requirement(code)) {
        return None;
    }
    match snapshot.requirement(code) {
        None => Some("未填报".into()),
        Some(r) => match r.fulfilled {
            Disclosed::No => Some("填报未落实".into()),
            Disclosed::NotApplicable => Some("填报“不适用”，但《指引》要求适用于所有隶属海关".into()),
            Disclosed::Yes => match (min, r.count) {
                (Some(min), None) => Some(format!("未填报次数（《指引》要求每年至少{min}次）")),
                (Some(min), Some(count)) if count < min => {
                    Some(format!("全年{count}次，少于《指引》要求的每年至少{min}次"))
                }
                _ => None,
            },
        },
    }
}

fn requirement_defects_of(snapshot: &ReturnSnapshot, codes: &[String]) -> Vec<Defect> {
    codes
        .iter()
        .filter_map(|code| {
            requirement_shortfall(snapshot, code).map(|what| Defect {
                item: None,
                element: None,
                requirement: Some(code.clone()),
                what,
            })
        })
        .collect()
}
