//! What changed between two returns of an office: the preview's "since the last accepted return".
//!
//! Rules: [`diff`] compares field by field, item (element) rows by `(item, element)` and requirement rows by code,
//! in the order of `next` (then rows only in `previous`). A row present on one side only is one change
//! (added/removed); otherwise one change per differing field. `verified_on`, `office` and `period` are not compared:
//! the two returns are of different periods by design. Each change carries a Chinese description.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ItemReport, RequirementReport, ReturnSnapshot};
use crate::catalog::ChannelCode;

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeTarget {
    /// A row of `公开事项`.
    Item { item: u32, element: Option<u32> },
    /// A row of `基本要求`.
    Requirement { code: String },
}

impl ChangeTarget {
    /// `事项 24 要素 1`, `事项 5`, `要求 training`.
    pub fn name_zh(&self) -> String {
        match self {
            ChangeTarget::Item { item, element: Some(e) } => format!("事项 {item} 要素 {e}"),
            ChangeTarget::Item { item, element: None } => format!("事项 {item}"),
            ChangeTarget::Requirement { code } => format!("要求 {code}"),
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub target: ChangeTarget,
    /// The field's name as the template's column (`是否公开`, `公开日期`…), or `填报行` for an added/removed row.
    pub field: String,
    /// The value before, as shown to users; `None` when empty or the row is new.
    pub before: Option<String>,
    /// The value after; `None` when empty or the row was removed.
    pub after: Option<String>,
    /// E.g. `事项 5 是否公开：否 → 是`.
    pub description: String,
}

fn change(target: &ChangeTarget, field: &str, before: Option<String>, after: Option<String>) -> Change {
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "（空）".to_string());
    let description = format!("{} {field}：{} → {}", target.name_zh(), shown(&before), shown(&after));
    Change { target: target.clone(), field: field.to_string(), before, after, description }
}

fn channels_text(channels: &BTreeSet<ChannelCode>) -> Option<String> {
    (!channels.is_empty()).then(|| channels.iter().map(|c| c.name_zh()).collect::<Vec<_>>().join("、"))
}

/// A date as officials write it (2022年9月1日), the way every page shows dates.
fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(crate::calendar::written)
}

fn ordinals_text(list: &[u32]) -> Option<String> {
    (!list.is_empty()).then(|| list.iter().map(u32::to_string).collect::<Vec<_>>().join("、"))
}

fn item_changes(target: &ChangeTarget, a: &ItemReport, b: &ItemReport, out: &mut Vec<Change>) {
    let mut field = |name: &str, before: Option<String>, after: Option<String>| {
        if before != after {
            out.push(change(target, name, before, after));
        }
    };
    field("是否公开", Some(a.disclosed.name_zh().to_string()), Some(b.disclosed.name_zh().to_string()));
    field("公开渠道", channels_text(&a.channels), channels_text(&b.channels));
    field("其他渠道说明", a.other_channel.clone(), b.other_channel.clone());
    field("公开位置或网址", a.location.clone(), b.location.clone());
    field("信息形成或变更日期", date_text(a.formed_on), date_text(b.formed_on));
    field("公开日期", date_text(a.published_on), date_text(b.published_on));
    field("未公开的要素序号", ordinals_text(&a.elements_missing), ordinals_text(&b.elements_missing));
    field("备注", a.note.clone(), b.note.clone());
}

fn requirement_changes(target: &ChangeTarget, a: &RequirementReport, b: &RequirementReport, out: &mut Vec<Change>) {
    let mut field = |name: &str, before: Option<String>, after: Option<String>| {
        if before != after {
            out.push(change(target, name, before, after));
        }
    };
    field("是否落实", Some(a.fulfilled.name_zh().to_string()), Some(b.fulfilled.name_zh().to_string()));
    field("佐证说明", a.evidence.clone(), b.evidence.clone());
    field("数量", a.count.map(|n| n.to_string()), b.count.map(|n| n.to_string()));
}

fn row_change(target: ChangeTarget, added: bool, summary: String) -> Change {
    let (before, after, verb) = if added { (None, Some(summary), "新增") } else { (Some(summary), None, "删除") };
    let description = format!("{}：{verb}填报行", target.name_zh());
    Change { target, field: "填报行".to_string(), before, after, description }
}

/// Every change from `previous` to `next`. See the module docs.
pub fn diff(previous: &ReturnSnapshot, next: &ReturnSnapshot) -> Vec<Change> {
    let mut out = Vec::new();
    let find_item = |s: &ReturnSnapshot, item: u32, element: Option<u32>| {
        s.items.iter().find(|r| r.item == item && r.element == element).cloned()
    };
    for b in &next.items {
        let target = ChangeTarget::Item { item: b.item, element: b.element };
        match find_item(previous, b.item, b.element) {
            Some(a) => item_changes(&target, &a, b, &mut out),
            None => out.push(row_change(target, true, b.disclosed.name_zh().to_string())),
        }
    }
    for a in &previous.items {
        if find_item(next, a.item, a.element).is_none() {
            let target = ChangeTarget::Item { item: a.item, element: a.element };
            out.push(row_change(target, false, a.disclosed.name_zh().to_string()));
        }
    }
    for b in &next.requirements {
        let target = ChangeTarget::Requirement { code: b.code.clone() };
        match previous.requirement(&b.code) {
            Some(a) => requirement_changes(&target, a, b, &mut out),
            None => out.push(row_change(target, true, b.fulfilled.name_zh().to_string())),
        }
    }
    for a in &previous.requirements {
        if next.requirement(&a.code).is_none() {
            out.push(row_change(
                ChangeTarget::Requirement { code: a.code.clone() },
                false,
                a.fulfilled.name_zh().to_string(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offices::OfficeCode;
    use crate::returns::Disclosed;

    fn snapshot(items: Vec<ItemReport>, requirements: Vec<RequirementReport>) -> ReturnSnapshot {
        ReturnSnapshot {
            office: OfficeCode::parse("0201").unwrap(),
            period: "2022Q3".into(),
            verified_on: None,
            items,
            requirements,
        }
    }

    #[test]
    fn identical_returns_have_no_changes() {
        let s = snapshot(vec![ItemReport::disclosed(1, [ChannelCode::A])], vec![RequirementReport::met("training")]);
        assert!(diff(&s, &s).is_empty());
    }

    #[test]
    fn each_changed_field_is_one_change_with_a_chinese_description() {
        let before = snapshot(
            vec![
                ItemReport { disclosed: Disclosed::No, ..ItemReport::disclosed(5, []) },
                ItemReport::disclosed(7, [ChannelCode::C]),
            ],
            vec![RequirementReport { count: Some(0), ..RequirementReport::met("exchange_activities") }],
        );
        let mut item5 = ItemReport::disclosed(5, [ChannelCode::A, ChannelCode::C]);
        item5.published_on = NaiveDate::from_ymd_opt(2022, 9, 1);
        let after = snapshot(
            vec![item5, ItemReport { element: Some(1), ..ItemReport::disclosed(24, [ChannelCode::A]) }],
            vec![RequirementReport { count: Some(2), ..RequirementReport::met("exchange_activities") }],
        );
        let found: Vec<String> = diff(&before, &after).into_iter().map(|c| c.description).collect();
        assert_eq!(
            found,
            vec![
                "事项 5 是否公开：否 → 是",
                "事项 5 公开渠道：（空） → 直属海关网站、现场公示栏",
                "事项 5 公开日期：（空） → 2022年9月1日",
                "事项 24 要素 1：新增填报行",
                "事项 7：删除填报行",
                "要求 exchange_activities 数量：0 → 2",
            ]
        );
    }
}
