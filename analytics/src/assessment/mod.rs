//! The assessment of a subordinate office's return: an explainable score under a versioned scheme, and benchmark
//! completion (对标完成).
//!
//! - [`scheme`]: the scoring scheme as data ([`Scheme`]: indicators with weights and capped per-defect deductions,
//!   bonuses, vetoes, grade bands), its validation with Chinese messages and the bundled default
//!   (`data/scheme-default.toml`, loaded with the `engine` feature).
//! - [`score`](mod@score): [`score()`] turns a [`ReturnSnapshot`](crate::returns::ReturnSnapshot) into an
//!   [`Assessment`] whose [`ScoreLine`]s add up to the score, so a page can say exactly which item and rule cost
//!   which points.
//! - [`completion`]: [`is_complete`] under a [`CompletionDefinition`], and [`completion_history`] over the accepted
//!   returns (first date met, later losses).
//!
//! Decisions that every consumer should know:
//! - **Deduction model, no re-basing.** Each indicator starts at its weight and loses its deduction per defect,
//!   never below zero. Items marked 不适用 in the district catalog ([`Applicability`]) have no defects, so they are
//!   excluded, not failed; the maximum stays 100 and they are listed in [`Assessment::excluded`].
//! - **备注2 谁制作、谁公开.** An item (or element) whose 公开主体 does not include 隶属海关 is not scored against the
//!   subordinate office; it is listed in [`Assessment::inherited`] with the level that publishes it.
//! - **A missing disclosure is charged once per indicator.** An item not reported 是 is a defect of every item
//!   indicator (公开, 渠道, 推荐渠道, 时限, 要素), one line each, unless its clock says it is not due yet.
//! - **Clocks.** Deadlines set by another rule (`NotComputable`) and dates the working-day calendar cannot judge are
//!   excluded from 公开时限 and listed in `excluded`, never counted as on time.
//! - **Vetoes** force the scheme's veto grade; the score itself stays the sum of its lines.
//!
//! The scoring questions settled for the rollout (issue 5), each with a test in `tests.rs`:
//! - **An item not yet due costs no points but blocks completion.** The score judges conduct as of a date, so an
//!   item whose clock has not expired is excluded (`尚未公开，尚未到期…，本次不计分`). Completion is a fact the
//!   milestones date ("完成对标"): it needs the disclosure in place, so it ignores the clocks and the office completes
//!   with the first verified return that shows the item disclosed. The milestone date is then at most one reporting
//!   cycle later, which is the honest date the direct customs could confirm it.
//! - **不适用 answers to the guide's requirements.** The guide's mandatory requirements (应当) apply to every
//!   subordinate office: 不适用 is a defect in the score and in completion, with its own reason. The encouraged one
//!   (十二 精准推送) answered 不适用 costs nothing and earns no bonus.
//! - **Every element counts for completion.** An item answered 是 with elements the office publishes listed as
//!   missing does not complete benchmarking (the notice asks for the content, 要素); the score charges the element
//!   indicator for each.
//! - **A yearly minimum is judged on the whole year.** A requirement with a count per year (指引 十五: at least one
//!   public exchange activity a year) is not judged — neither a defect nor held against completion — on a Q1–Q3
//!   return that reports fewer than the minimum so far (否, or 是 with a lower count): the year is not over. It is
//!   judged on the fourth quarter's return, which reports the whole year. A missing answer, a missing count or
//!   不适用 is still a defect in any quarter. So completion does not drop at the start of each year for want of an
//!   activity that the year still has time for.
//! - **Applicability is per item and per district.** The district catalog marks whole items 不适用 (an
//!   [`Applicability`] per direct customs, shared by its offices); such an item neither costs points nor blocks
//!   completion whatever the office reports (是, 否 or 不适用, with or without channels). Elements cannot be marked
//!   separately: marking item 24 takes out both of its elements.

pub mod completion;
pub mod scheme;
pub mod score;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::SubjectLevel;

pub use completion::{
    completion_history, completion_history_by, is_complete, Completion, CompletionChange, CompletionDefinition,
};
pub use scheme::{
    band_label, validate_scheme, Bonus, BonusKind, GradeBand, Indicator, IndicatorKind, Scheme, SchemeError, Veto,
    VetoKind, MAX_POINTS,
};
#[cfg(feature = "engine")]
pub use scheme::{default_scheme, parse_scheme, SCHEME_DEFAULT_TOML};
pub use score::score;

/// Which catalog items the office's district catalog marks 不适用 (not applicable), with the reason given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicability {
    /// Item number → reason (e.g. `本关无拍卖业务`).
    #[serde(default)]
    pub not_applicable: BTreeMap<u32, String>,
}

impl Applicability {
    /// Every item applies (the standard catalog as is).
    pub fn all_applicable() -> Self {
        Self::default()
    }

    /// Marks an item 不适用.
    pub fn with_not_applicable(mut self, item: u32, reason: impl Into<String>) -> Self {
        self.not_applicable.insert(item, reason.into());
        self
    }

    /// The reason an item is not applicable, if it is not.
    pub fn not_applicable(&self, item: u32) -> Option<&str> {
        self.not_applicable.get(&item).map(String::as_str)
    }
}

/// The result of scoring one return under one scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The scheme version used; past assessments keep theirs.
    pub scheme_code: String,
    /// 0–100 after bonuses; the sum of `lines`.
    pub score: f64,
    pub grade: String,
    /// The veto that forced the grade, if any.
    pub vetoed_by: Option<VetoHit>,
    /// Every point: one full-marks line per indicator, one line per defect (negative), one per bonus.
    pub lines: Vec<ScoreLine>,
    /// Items (elements) published by headquarters or the direct customs, not scored here (备注2).
    pub inherited: Vec<InheritedItem>,
    /// Items or checks left out, with why (不适用, deadline set by another rule, not due yet, unknown year).
    pub excluded: Vec<ExcludedItem>,
}

/// One line of an explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreLine {
    /// The indicator or bonus code, or `cap` for the 100-point limit.
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// Points: positive for full marks and bonuses, negative for deductions (0 once a cap is reached).
    pub points: f64,
    pub reason_zh: String,
}

/// A veto that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoHit {
    pub code: String,
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    pub reason_zh: String,
}

/// An item (or element) owned by a higher level, shown to the subordinate office as inherited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritedItem {
    pub item: u32,
    /// The element, where only some elements are inherited (items 9 and 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    pub name: String,
    /// The level that publishes it: the nearest one of the 公开主体 (直属海关 before 海关总署).
    pub owner: SubjectLevel,
    /// All the levels the catalog names.
    pub levels: Vec<SubjectLevel>,
    /// Where the rule comes from and who publishes, e.g. `由直属海关公开（公开主体：海关总署、直属海关；备注2 谁制作、谁公开）`.
    pub source_zh: String,
}

/// An item or a check left out of the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedItem {
    pub item: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    /// The indicator left out, or `None` when the whole item is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Why the district catalog marks the whole item 不适用, when that is why it is left out (rather than a
    /// deadline not yet reached), so that callers need not read it from `reason_zh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    pub reason_zh: String,
}

#[cfg(all(test, feature = "engine"))]
mod tests;
