//! Server functions of the office directory: the hierarchy as of a date, search, and one office's record.

use analytics::offices::{OfficeKind, OfficeNode};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The office directory page: the hierarchy on `as_of`, filtered by `query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryView {
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub query: String,
    /// Roots of the (filtered) hierarchy; normally only 海关总署.
    pub roots: Vec<OfficeNode>,
    /// Direct customs in force on `as_of` (before filtering).
    pub direct_customs: usize,
    /// Subordinate offices in force on `as_of` (before filtering).
    pub subordinates: usize,
    /// Subordinate offices shown after filtering.
    pub shown: usize,
    /// Offices shown only as the path to the caller's own, without a link (the caller may not open them).
    pub path_only: Vec<String>,
    /// The database holds the demo data set.
    pub sample: bool,
}

/// The directory as of a date (`YYYY-MM-DD`, default today in China), optionally filtered by name or code.
#[server(prefix = "/api/fn", endpoint = "directory", client = crate::functions::client::CsrfClient)]
pub async fn get_directory(as_of: Option<String>, query: Option<String>) -> Result<DirectoryView, AppError> {
    use analytics::offices::search::{count_kind, filter_tree};

    let principal = super::require_principal()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_as_of(as_of.as_deref(), today)?;
    let query = query.unwrap_or_default().trim().chars().take(50).collect::<String>();
    let (_, scoped) =
        crate::services::directory::scoped_directory(state.store.as_ref(), &principal, as_of, today).await?;
    let sample = crate::services::setup::is_demo(state.store.as_ref()).await?;
    let roots = filter_tree(&scoped.roots, &query);
    Ok(DirectoryView {
        as_of,
        today,
        shown: count_kind(&roots, OfficeKind::Subordinate),
        query,
        roots,
        direct_customs: scoped.direct_customs,
        subordinates: scoped.subordinates,
        path_only: scoped.path_only,
        sample,
    })
}

/// One version of an office, for its history table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHistoryRow {
    pub name: String,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub note: String,
}

/// The subordinate-office count of a direct customs on a milestone deadline, and what the milestone requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneBase {
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    pub deadline: NaiveDate,
    pub offices: usize,
    pub required: usize,
}

/// One office's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeView {
    pub code: String,
    pub name: String,
    pub kind: OfficeKind,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    /// Whether the office is in force on `as_of`.
    pub in_force: bool,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    /// The caller may open the parent's page (a filer may not open its district's): otherwise it is named, not linked.
    pub parent_readable: bool,
    pub history: Vec<OfficeHistoryRow>,
    /// Offices directly below it on `as_of`.
    pub children: Vec<OfficeNode>,
    /// For a direct customs: the base of each count milestone.
    pub milestone_bases: Vec<MilestoneBase>,
    pub sample: bool,
}

/// The record of the office with `code` as of a date.
#[server(prefix = "/api/fn", endpoint = "office", client = crate::functions::client::CsrfClient)]
pub async fn get_office(code: String, as_of: Option<String>) -> Result<OfficeView, AppError> {
    use analytics::milestones::notice_milestones;
    use analytics::offices::{Directory, OfficeCode};

    let principal = super::require_principal()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let as_of = super::parse_as_of(as_of.as_deref(), today)?;
    let code = OfficeCode::parse(&code).map_err(|e| {
        AppError::bad_request("code", e.to_string(), format!("Office code “{code}” must be four digits"))
    })?;
    let directory = Directory::new(state.store.office_versions().await?);
    let sample = crate::services::setup::is_demo(state.store.as_ref()).await?;
    let mut versions: Vec<_> = directory.versions().iter().filter(|v| v.code == code).cloned().collect();
    versions.sort_by_key(|v| v.valid_from);
    // Out of scope (the hierarchy as of today) reads exactly like an unknown code: existence must not leak.
    let scope = crate::auth::Hierarchy::new(&directory, today);
    let latest = versions.iter().rev().find(|v| v.in_force_on(as_of)).or(versions.last()).cloned();
    let Some(latest) = latest.filter(|_| principal.can_read_office(&code, &scope)) else {
        return Err(AppError::not_found(format!("代码为 {code} 的机构"), format!("Office {code}")));
    };
    // A name as of the date the relation held, falling back to the latest name.
    let name_of = |c: &OfficeCode, on: NaiveDate| -> Option<String> {
        let of_code: Vec<_> = directory.versions().iter().filter(|v| &v.code == c).collect();
        of_code.iter().find(|v| v.in_force_on(on)).or(of_code.last()).map(|v| v.name.clone())
    };
    let history = versions
        .iter()
        .map(|v| OfficeHistoryRow {
            name: v.name.clone(),
            parent_code: v.parent.as_ref().map(|p| p.to_string()),
            parent_name: v.parent.as_ref().and_then(|p| name_of(p, v.valid_from)),
            valid_from: v.valid_from,
            valid_to: v.valid_to,
            note: v.note.clone(),
        })
        .collect();
    let in_force = latest.in_force_on(as_of);
    let tree = directory.as_of(as_of);
    fn find<'a>(nodes: &'a [OfficeNode], code: &OfficeCode) -> Option<&'a OfficeNode> {
        nodes.iter().find_map(|n| if &n.code == code { Some(n) } else { find(&n.children, code) })
    }
    let children = find(&tree, &code)
        .map(|n| crate::services::directory::scope_tree(&n.children, &principal, &scope))
        .unwrap_or_default();
    let milestone_bases = if latest.kind == OfficeKind::DirectCustoms {
        notice_milestones()
            .into_iter()
            .filter_map(|m| {
                let offices = directory.subordinate_count(&code, m.deadline);
                m.target.required_count(offices).map(|required| MilestoneBase {
                    code: m.code,
                    title_zh: m.title_zh,
                    title_en: m.title_en,
                    deadline: m.deadline,
                    offices,
                    required,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(OfficeView {
        code: code.to_string(),
        name: latest.name.clone(),
        kind: latest.kind,
        as_of,
        today,
        in_force,
        parent_code: latest.parent.as_ref().map(|p| p.to_string()),
        parent_name: latest.parent.as_ref().and_then(|p| name_of(p, as_of)),
        parent_readable: latest.parent.as_ref().is_some_and(|p| principal.can_read_office(p, &scope)),
        history,
        children,
        milestone_bases,
        sample,
    })
}
