//! Benchmark completion (完成《指引》对标任务) of a subordinate office, and its history over accepted returns.
//!
//! The notice does not define "completed benchmarking"; the product makes the definition explicit and configurable
//! ([`CompletionDefinition`]). The default: **a verified return in which every applicable item is disclosed with every
//! element it owns and at least one channel, and every mandatory requirement of the guide is met.** An item answered
//! 是 with elements listed as missing is not complete (the notice asks for the item's content, 要素, not its heading). "Applicable" means not 不适用 in the
//! district catalog and published by the subordinate office itself (items and elements owned by headquarters or the
//! direct customs are inherited, 备注2). Completion does not read the clocks: an item not yet disclosed is missing
//! even when its deadline has not passed.
//!
//! [`completion_history`] replays the accepted returns in verification order and reports each change of state: the
//! first date completion was met, a later date it was lost, and so on (milestones count the first date).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::score::{requirement_shortfall, units};
use super::Applicability;
use crate::catalog::Catalog;
use crate::returns::{guide_requirements, ReturnSnapshot};

/// What a return must show to count as completed benchmarking. Headquarters sets it per scoring scheme version
/// (the `[completion]` table of a scheme file; a field left out keeps its default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompletionDefinition {
    /// The return must be verified (accepted) by the direct customs.
    pub require_verified: bool,
    /// Every applicable item (element with its own time limit) must be reported 是, with none of the elements the
    /// office publishes listed as missing.
    pub require_disclosed: bool,
    /// … and with at least one channel (备注3).
    pub require_channel: bool,
    /// Every mandatory requirement of the guide must be met (with its minimum count).
    pub require_mandatory_requirements: bool,
}

impl Default for CompletionDefinition {
    fn default() -> Self {
        CompletionDefinition {
            require_verified: true,
            require_disclosed: true,
            require_channel: true,
            require_mandatory_requirements: true,
        }
    }
}

/// Whether a return completes benchmarking, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub complete: bool,
    /// Every reason it is not complete, in Chinese, in catalog and guide order.
    pub missing: Vec<String>,
}

/// A change of completion state in [`completion_history`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionChange {
    /// The verification date of the return that changed the state.
    pub on: NaiveDate,
    /// `true`: met from this date; `false`: lost from this date.
    pub complete: bool,
    /// The period of that return.
    pub period: String,
    /// Why it was lost (empty when met).
    pub missing: Vec<String>,
}

/// Judges one return under a completion definition.
pub fn is_complete(
    snapshot: &ReturnSnapshot,
    catalog: &Catalog,
    applicability: &Applicability,
    definition: &CompletionDefinition,
) -> Completion {
    let mut missing = Vec::new();
    if definition.require_verified && snapshot.verified_on.is_none() {
        missing.push("填报表尚未经直属海关审核确认".to_string());
    }
    let (units, _, _) = units(catalog, applicability, snapshot);
    for unit in &units {
        if definition.require_disclosed && !unit.disclosed() {
            missing.push(format!("{}：{}", unit.label(), unit.not_disclosed_reason()));
            continue;
        }
        if definition.require_disclosed {
            let report = unit.report.map(|r| r.elements_missing.as_slice()).unwrap_or_default();
            let absent: Vec<String> =
                unit.owned.iter().filter(|e| report.contains(e)).map(|e| format!("要素{e}")).collect();
            if !absent.is_empty() {
                missing.push(format!("{}：{}未公开", unit.label(), absent.join("、")));
            }
        }
        if definition.require_channel && unit.report.is_some_and(|r| r.channels.is_empty()) {
            missing.push(format!("{}：未填报公开渠道", unit.label()));
        }
    }
    if definition.require_mandatory_requirements {
        for requirement in guide_requirements().iter().filter(|r| r.mandatory) {
            if let Some(why) = requirement_shortfall(snapshot, &requirement.code) {
                missing.push(format!("《指引》（{}）{}：{why}", requirement.section, requirement.title_zh));
            }
        }
    }
    Completion { complete: missing.is_empty(), missing }
}

/// The changes of completion state over accepted returns (those with a verification date), taken in verification
/// order (ties keep the given order). The state starts as not complete, so the first entry, if any, is the date
/// completion was first met; a later `false` entry is a loss.
pub fn completion_history(
    snapshots: &[ReturnSnapshot],
    catalog: &Catalog,
    applicability: &Applicability,
    definition: &CompletionDefinition,
) -> Vec<CompletionChange> {
    let snapshots: Vec<&ReturnSnapshot> = snapshots.iter().collect();
    completion_history_by(&snapshots, catalog, applicability, |_| *definition)
}

/// [`completion_history`] with the definition in force on each return's verification date (headquarters may
/// change it with a new scheme version; a return is judged by the definition of the day it was accepted).
pub fn completion_history_by(
    snapshots: &[&ReturnSnapshot],
    catalog: &Catalog,
    applicability: &Applicability,
    definition_on: impl Fn(NaiveDate) -> CompletionDefinition,
) -> Vec<CompletionChange> {
    let mut accepted: Vec<(NaiveDate, &ReturnSnapshot)> =
        snapshots.iter().filter_map(|s| s.verified_on.map(|d| (d, *s))).collect();
    accepted.sort_by_key(|(d, _)| *d);
    let mut state = false;
    let mut changes = Vec::new();
    for (on, snapshot) in accepted {
        let completion = is_complete(snapshot, catalog, applicability, &definition_on(on));
        if completion.complete != state {
            state = completion.complete;
            changes.push(CompletionChange {
                on,
                complete: state,
                period: snapshot.period.clone(),
                missing: completion.missing,
            });
        }
    }
    changes
}
