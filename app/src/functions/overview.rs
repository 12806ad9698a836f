//! Server function of the national overview (HQ's home page).

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use analytics::milestones::Milestone;

use crate::error::AppError;

/// Size of the stored standard catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFacts {
    pub title: String,
    pub groups: usize,
    pub items: usize,
    pub elements: usize,
    pub bases: usize,
    /// Pieces of text lost in the notice's extraction that still wait to be filled in.
    pub gaps: usize,
}

/// One direct customs in the target table: its subordinate offices on each milestone deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictBase {
    pub code: String,
    pub name: String,
    /// Subordinate offices today.
    pub offices_today: usize,
    /// On 2022-08-31 (M3) — pilots needed: at least 1.
    pub offices_m3: usize,
    /// On 2022-12-31 (M4).
    pub offices_m4: usize,
    /// What M4 requires of `offices_m4` (⌈N/3⌉).
    pub required_m4: usize,
    /// On 2023-12-31 (M5).
    pub offices_m5: usize,
}

/// The national overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub today: NaiveDate,
    pub catalog: Option<CatalogFacts>,
    pub direct_customs: usize,
    pub subordinates: usize,
    pub milestones: Vec<Milestone>,
    pub districts: Vec<DistrictBase>,
    pub sample: bool,
}

#[server(prefix = "/api/fn", endpoint = "overview", client = crate::functions::client::CsrfClient)]
pub async fn get_overview() -> Result<Overview, AppError> {
    use analytics::milestones::notice_milestones;
    use analytics::offices::{Directory, OfficeKind};

    super::require_hq()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let catalog = state.store.standard_catalog().await?.map(|c| {
        let gaps = c
            .items()
            .map(|i| {
                i.elements.iter().filter(|e| e.text.gap.is_some()).count()
                    + usize::from(i.notes.as_ref().is_some_and(|n| n.gap.is_some()))
            })
            .sum();
        CatalogFacts {
            title: c.title.clone(),
            groups: c.groups.len(),
            items: c.items().count(),
            elements: c.items().map(|i| i.elements.len()).sum(),
            bases: c.bases.len(),
            gaps,
        }
    });
    let directory = Directory::new(state.store.office_versions().await?);
    let milestones = notice_milestones();
    let find = |code: &str| milestones.iter().find(|m| m.code == code);
    let deadline = |code: &str| find(code).map(|m| m.deadline).unwrap_or(today);
    let (m3, m4, m5) = (deadline("M3"), deadline("M4"), deadline("M5"));
    let m4_target = find("M4").map(|m| m.target);
    let mut districts: Vec<DistrictBase> = directory
        .in_force_on(today)
        .filter(|v| v.kind == OfficeKind::DirectCustoms)
        .map(|v| {
            let offices_m4 = directory.subordinate_count(&v.code, m4);
            DistrictBase {
                code: v.code.to_string(),
                name: v.name.clone(),
                offices_today: directory.subordinate_count(&v.code, today),
                offices_m3: directory.subordinate_count(&v.code, m3),
                offices_m4,
                required_m4: m4_target.and_then(|t| t.required_count(offices_m4)).unwrap_or(offices_m4),
                offices_m5: directory.subordinate_count(&v.code, m5),
            }
        })
        .collect();
    districts.sort_by(|a, b| a.code.cmp(&b.code));
    let in_force: Vec<_> = directory.in_force_on(today).collect();
    Ok(Overview {
        today,
        catalog,
        direct_customs: in_force.iter().filter(|v| v.kind == OfficeKind::DirectCustoms).count(),
        subordinates: in_force.iter().filter(|v| v.kind == OfficeKind::Subordinate).count(),
        milestones,
        districts,
        sample: crate::services::setup::is_demo(state.store.as_ref()).await?,
    })
}
