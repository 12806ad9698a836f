//! The office scorecard (issue 6, item 3): on a subordinate office's page (`/offices/{code}`), its score and
//! grade as of a date, every catalog item with its status and the points it lost with the engine's reasons, the
//! guide's requirements, and benchmark completion. The page and the Excel downloads
//! (`/offices/{code}/scorecard/{items|requirements}.xlsx`) are cut from the same view
//! (`services::scorecard`), so a download always holds the page's rows.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::functions::dashboard::TableView;

/// What a row of the item or requirement table is, for its styling and the English status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowMark {
    /// The row's anchor on the page (`item-8`, `item-24-2`, `req-exchange_activities`).
    pub anchor: String,
    /// `met`, `late`, `missing`, `pending`, `not_applicable`, `inherited` (items); `met`, `unmet`, `optional`
    /// (requirements).
    pub status: String,
    /// The status in English (the table's cell holds the Chinese one).
    pub status_en: String,
    /// Points lost on this row (0 when none).
    pub lost: f64,
}

/// An item that lost points, for the list of links at the head of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LostLink {
    pub anchor: String,
    /// `第8项 行政许可`.
    pub label: String,
    pub lost: f64,
}

/// The head figures of an assessed return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreHead {
    pub score: f64,
    pub grade: String,
    /// The scheme version the return was scored under.
    pub scheme_code: String,
    /// The veto that forced the grade, in Chinese.
    pub vetoed_by: Option<String>,
    /// The return assessed: `2022Q3`, shown `2022年第三季度`.
    pub period: String,
    pub period_name: String,
    pub accepted_on: NaiveDate,
    /// Points lost, in all and on items and on the guide's requirements.
    pub deducted: f64,
    pub deducted_items: f64,
    pub deducted_requirements: f64,
    /// Bonus points granted, and the points cut by the 100-point limit (0 or negative).
    pub bonus: f64,
    pub capped: f64,
}

/// A change of benchmark completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionStep {
    pub on: NaiveDate,
    pub complete: bool,
    pub period_name: String,
    pub missing: Vec<String>,
}

/// Benchmark completion (完成对标) as of the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionHead {
    pub complete: bool,
    /// Complete since (the latest change to complete), when complete.
    pub since: Option<NaiveDate>,
    /// The first date it completed (what the milestones count).
    pub first_completed_on: Option<NaiveDate>,
    /// Completed once, then lost on this date (when not complete now).
    pub lost_on: Option<NaiveDate>,
    /// What the latest accepted return lacks, in Chinese.
    pub missing: Vec<String>,
    pub history: Vec<CompletionStep>,
}

/// A channel letter and its names, for the legend under the item table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelName {
    pub letter: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The scorecard of a subordinate office as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardView {
    pub code: String,
    pub name: String,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    /// `None`: no return accepted by `as_of`, nothing to score yet.
    pub head: Option<ScoreHead>,
    pub completion: CompletionHead,
    /// Every catalog item (element where its rule differs): see [`ITEM_HEADERS`].
    pub items: TableView,
    pub item_marks: Vec<RowMark>,
    /// The guide's requirements: see [`REQUIREMENT_HEADERS`].
    pub requirements: TableView,
    pub requirement_marks: Vec<RowMark>,
    /// The items that lost points, in catalog order.
    pub lost_items: Vec<LostLink>,
    pub channels: Vec<ChannelName>,
}

/// The columns of the item table (Chinese, as the workbook has them; English for the page).
pub const ITEM_HEADERS: [(&str, &str); 10] = [
    ("事项", "Item"),
    ("名称", "Name"),
    ("状况", "Status"),
    ("说明", "Detail"),
    ("使用渠道", "Channels used"),
    ("推荐渠道（■）", "Recommended (■)"),
    ("信息形成日期", "Formed on"),
    ("公开日期", "Published on"),
    ("扣分", "Points lost"),
    ("扣分原因", "Why points were lost"),
];

/// The columns of the requirement table.
pub const REQUIREMENT_HEADERS: [(&str, &str); 10] = [
    ("《指引》条目", "Guide §"),
    ("要求", "Requirement"),
    ("性质", "Kind"),
    ("填报", "Reported"),
    ("次数", "Count"),
    ("佐证说明", "Evidence"),
    ("结论", "Result"),
    ("扣分", "Points lost"),
    ("加分", "Bonus"),
    ("说明", "Reasons"),
];

/// Column of the points lost, and of the reasons (one per line), in the item table.
pub const ITEM_LOST_COLUMN: usize = 8;
pub const ITEM_REASON_COLUMN: usize = 9;

/// Points as the scorecard writes them: `4`, `0.5`.
pub fn points(value: f64) -> String {
    let text = format!("{:.2}", value.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.to_string()
    }
}

/// The scorecard of office `code` as of `as_of` (`YYYY-MM-DD`, empty for today in China): whoever may read the
/// office; another office reads like an unknown one (404), and so does an office that is not a subordinate one.
#[server(prefix = "/api/fn", endpoint = "scorecard", client = crate::functions::client::CsrfClient)]
pub async fn get_scorecard(code: String, as_of: Option<String>) -> Result<ScorecardView, AppError> {
    let principal = super::require_principal()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_as_of(as_of.as_deref(), today)?;
    Ok(crate::services::scorecard::scorecard(state.store.as_ref(), &principal, &code, as_of, today).await?)
}

#[cfg(test)]
mod tests {
    use super::points;

    #[test]
    fn points_are_written_without_trailing_zeros() {
        assert_eq!(points(4.0), "4");
        assert_eq!(points(-2.0), "2");
        assert_eq!(points(0.5), "0.5");
        assert_eq!(points(0.0), "0");
        assert_eq!(points(12.25), "12.25");
    }
}
