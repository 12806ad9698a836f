//! The standard catalog (海关领域基层政务公开标准目录) as typed data.
//!
//! The catalog has first-level items ([`Group`], 一级事项) holding second-level items ([`Item`], 二级事项). Each item
//! lists its elements (要素), legal bases (公开依据), a typed time limit ([`TimeLimitRule`], per element where the
//! notice gives different limits), subjects (公开主体, per element where the notice numbers them), the eight
//! channels (公开渠道和载体) with the notice's recommended (■) flags, audience, modes and notes (有关说明).
//!
//! Text that was lost when the notice was extracted is never invented: it is kept as a [`TextGap`] so the UI can
//! show it and an administrator can fill it in from the printed notice.
//!
//! Field names are part of the JSON API v1 (`/api/v1/catalog`): rename nothing here without a new API version.

#[cfg(feature = "engine")]
mod standard;
#[cfg(feature = "engine")]
pub use standard::{parse_catalog, standard_catalog, validate_catalog, CatalogDataError, STANDARD_CATALOG_TOML};

use serde::{Deserialize, Serialize};

/// One version of a catalog: the standard catalog issued by headquarters, or a district catalog derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Stable identifier of the version, e.g. `std-2021-23`.
    pub code: String,
    /// Human title, e.g. `署办发〔2021〕23号 (2021-12-30)`.
    pub title: String,
    /// Document number of the issuing notice, e.g. `署办发〔2021〕23号`.
    pub document_number: String,
    /// Date the notice was issued.
    pub issued_on: chrono::NaiveDate,
    /// Issuing body, e.g. `海关总署办公厅`.
    pub issuer: String,
    /// Legal bases ①–⑪ of 备注1, referenced by their number from the items.
    pub bases: Vec<Basis>,
    /// First-level items in the notice's order, each with its second-level items.
    pub groups: Vec<Group>,
    /// The notice's footnotes (备注2, 备注3) verbatim.
    pub remarks: Vec<Remark>,
}

impl Catalog {
    /// All second-level items in catalog order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.groups.iter().flat_map(|g| g.items.iter())
    }

    /// The item with the given number (1-based, as in the notice's 序号 column).
    pub fn item(&self, number: u32) -> Option<&Item> {
        self.items().find(|i| i.number == number)
    }

    /// The legal basis with the given number (1 for ①).
    pub fn basis(&self, number: u32) -> Option<&Basis> {
        self.bases.iter().find(|b| b.number == number)
    }
}

/// A footnote of the catalog table (备注).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remark {
    /// `备注2`, `备注3`.
    pub label: String,
    pub text: String,
}

/// A legal basis (公开依据) listed in 备注1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// 1 for ①, … 11 for ⑪.
    pub number: u32,
    /// The circled numeral as printed: `①`.
    pub symbol: String,
    /// The full title(s), verbatim from 备注1 (some bases name two documents).
    pub title: String,
}

/// A first-level item (一级事项), e.g. 机构信息.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// 1-based position in the notice.
    pub number: u32,
    pub name: String,
    pub items: Vec<Item>,
}

/// A second-level item (二级事项), one row of the catalog table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The notice's 序号, 1–25.
    pub number: u32,
    /// Second-level name, e.g. 机构职能.
    pub name: String,
    /// Elements (公开内容(要素)); an item whose content is a single sentence has one element.
    pub elements: Vec<Element>,
    /// Numbers of the legal bases (into [`Catalog::bases`]).
    pub basis: Vec<u32>,
    /// The time limit (公开时限) as printed, cleaned of extraction spaces.
    pub time_limit_text: String,
    /// The time limit as a typed rule for the whole item; elements may override it.
    pub time_limit: TimeLimitRule,
    /// Subjects (公开主体) as printed, e.g. `直属海关、隶属海关`.
    pub subject_text: String,
    /// Subjects for the whole item, or per element where the notice numbers them.
    pub subjects: Vec<SubjectAssignment>,
    /// All eight channels in the notice's column order, with the recommended (■) flags.
    pub channels: Vec<ChannelOption>,
    /// Audience (公开对象).
    pub audience: Vec<Audience>,
    /// Modes (公开方式): every item is 主动; item 9 is also 依申请.
    pub modes: Vec<Mode>,
    /// 有关说明, if any. Parts lost in extraction are marked as gaps.
    pub notes: Option<MaybeGapText>,
}

impl Item {
    /// The time limit that applies to an element: its own rule where the notice gives one, else the item's.
    pub fn rule_for_element(&self, ordinal: u32) -> &TimeLimitRule {
        self.elements
            .iter()
            .find(|e| e.ordinal == ordinal)
            .and_then(|e| e.time_limit.as_ref())
            .unwrap_or(&self.time_limit)
    }

    /// Whether the notice gives different time limits to different elements (item 24).
    pub fn has_element_rules(&self) -> bool {
        self.elements.iter().any(|e| e.time_limit.is_some())
    }

    /// The channel with the given code.
    pub fn channel(&self, code: ChannelCode) -> Option<&ChannelOption> {
        self.channels.iter().find(|c| c.code == code)
    }
}

/// One element (要素) of an item, numbered as in the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// 1-based number as printed (`1. 机构概况`).
    pub ordinal: u32,
    /// The element's text; a gap where extraction lost it.
    pub text: MaybeGapText,
    /// A time limit of its own, where the notice gives one per element (item 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<TimeLimitRule>,
    /// Time limit text of its own, as printed, where `time_limit` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_text: Option<String>,
}

/// Text that may have been partly or wholly lost when the notice was extracted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaybeGapText {
    /// The surviving text, verbatim (may be empty).
    pub text: String,
    /// Present when part of the text is known to be missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<TextGap>,
}

impl MaybeGapText {
    pub fn complete(text: impl Into<String>) -> Self {
        Self { text: text.into(), gap: None }
    }
}

/// What is known about a piece of lost text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextGap {
    /// Where the loss is: the beginning, the end, or the whole text.
    pub position: GapPosition,
    /// Why it is a gap and what to look up, in Chinese.
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapPosition {
    Start,
    End,
    Both,
    Whole,
}

/// A typed time limit (公开时限), see DOMAIN.md §3.3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeLimitRule {
    /// 自信息形成或者变更之日起 N 个工作日内: the trigger day does not count.
    WorkingDaysAfterChange { days: u32 },
    /// 有权批复部门批复后 N 日内: calendar days after approval.
    CalendarDaysAfterApproval { days: u32 },
    /// 每年 M 月 D 日前: the previous year's report is due by this day each year.
    AnnualBy { month: u32, day: u32 },
    /// 依据实际情况及时更新 / 及时发布: no computable deadline.
    AsNeeded { action: AsNeededAction },
    /// 按照……规定 / 要求: the deadline is set by another rule, quoted here.
    ExternalRule { reference: String },
}

impl TimeLimitRule {
    /// Whether a due date can be computed from the rule alone.
    pub fn is_computable(&self) -> bool {
        matches!(
            self,
            TimeLimitRule::WorkingDaysAfterChange { .. }
                | TimeLimitRule::CalendarDaysAfterApproval { .. }
                | TimeLimitRule::AnnualBy { .. }
        )
    }
}

/// Which words the notice uses for an "as needed" limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsNeededAction {
    /// 及时更新
    Update,
    /// 及时发布
    Publish,
}

/// The level of the hierarchy that publishes (公开主体): "谁制作、谁公开".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectLevel {
    /// 海关总署
    Headquarters,
    /// 直属海关
    DirectCustoms,
    /// 隶属海关
    Subordinate,
}

impl SubjectLevel {
    pub fn name_zh(self) -> &'static str {
        match self {
            SubjectLevel::Headquarters => "海关总署",
            SubjectLevel::DirectCustoms => "直属海关",
            SubjectLevel::Subordinate => "隶属海关",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            SubjectLevel::Headquarters => "GACC headquarters",
            SubjectLevel::DirectCustoms => "Direct customs",
            SubjectLevel::Subordinate => "Subordinate office",
        }
    }
}

/// Who publishes an item, or one element of it where the notice numbers the subjects (items 9 and 11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectAssignment {
    /// The element the assignment applies to; `None` for the whole item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    pub levels: Vec<SubjectLevel>,
}

/// The eight channel columns of the notice, in order (A–H).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ChannelCode {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    H,
}

impl ChannelCode {
    pub const ALL: [ChannelCode; 8] = [
        ChannelCode::A,
        ChannelCode::B,
        ChannelCode::C,
        ChannelCode::D,
        ChannelCode::E,
        ChannelCode::F,
        ChannelCode::G,
        ChannelCode::H,
    ];

    /// The channel's name as printed in the notice.
    pub fn name_zh(self) -> &'static str {
        match self {
            ChannelCode::A => "直属海关网站",
            ChannelCode::B => "两微一端",
            ChannelCode::C => "现场公示栏",
            ChannelCode::D => "现场电子屏",
            ChannelCode::E => "查询机、公用电脑",
            ChannelCode::F => "服务手册",
            ChannelCode::G => "入户/上门/网络精准推送",
            ChannelCode::H => "其他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ChannelCode::A => "Direct customs website",
            ChannelCode::B => "Weibo, WeChat and app",
            ChannelCode::C => "On-site notice board",
            ChannelCode::D => "On-site electronic screen",
            ChannelCode::E => "Kiosk or public computer",
            ChannelCode::F => "Service handbook",
            ChannelCode::G => "Home visit or targeted push",
            ChannelCode::H => "Other",
        }
    }

    pub fn letter(self) -> char {
        match self {
            ChannelCode::A => 'A',
            ChannelCode::B => 'B',
            ChannelCode::C => 'C',
            ChannelCode::D => 'D',
            ChannelCode::E => 'E',
            ChannelCode::F => 'F',
            ChannelCode::G => 'G',
            ChannelCode::H => 'H',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        ChannelCode::ALL.into_iter().find(|code| code.letter() == c.to_ascii_uppercase())
    }
}

/// One channel column of an item: whether the notice recommends it (■) and, for "other", what it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelOption {
    pub code: ChannelCode,
    pub name: String,
    pub recommended: bool,
    /// For channel H: the form the notice names, e.g. `海关总署网站` for item 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// 公开对象.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 全社会
    Public,
    /// 特定群体
    SpecificGroups,
}

/// 公开方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 主动公开
    Proactive,
    /// 依申请公开
    OnRequest,
}
