//! The office directory as a caller may see it: the hierarchy on a date cut down to the caller's scope, with
//! every count made from what is left.
//!
//! The scope follows the hierarchy as of today (`auth::Hierarchy`); the tree shown is the one of the chosen date.
//! An office outside the scope is dropped with its subtree unless something below it is in scope, in which case
//! it stays as the path to it (a district's node stays above a filer's own office). Counts never include what
//! was dropped: a filer's directory says one subordinate office, not its district's 25 or the country's 707.

use analytics::offices::{Directory, OfficeKind, OfficeNode};
use chrono::NaiveDate;

use crate::auth::{Hierarchy, Principal};
use crate::store::{Store, StoreError};

/// The hierarchy on a date as one caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedDirectory {
    /// Roots of the scoped hierarchy (normally 海关总署), each node's `subordinate_count` counted within the scope.
    pub roots: Vec<OfficeNode>,
    /// Direct customs in force on the date that the caller may read.
    pub direct_customs: usize,
    /// Subordinate offices in force on the date that the caller may read.
    pub subordinates: usize,
    /// Offices kept only as the path to the caller's own (a filer's district): shown, but not to be linked, as
    /// their pages are not the caller's to open.
    pub path_only: Vec<String>,
}

/// Reads the office list and returns it with the caller's view of it on `as_of` (the scope as of `today`).
pub async fn scoped_directory(
    store: &dyn Store,
    principal: &Principal,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(Directory, ScopedDirectory), StoreError> {
    let directory = Directory::new(store.office_versions().await?);
    let scoped = scope(&directory, principal, as_of, today);
    Ok((directory, scoped))
}

/// The caller's view of `directory` on `as_of`, the scope as of `today`.
pub fn scope(directory: &Directory, principal: &Principal, as_of: NaiveDate, today: NaiveDate) -> ScopedDirectory {
    let hierarchy = Hierarchy::new(directory, today);
    let readable: Vec<_> =
        directory.in_force_on(as_of).filter(|v| principal.can_read_office(&v.code, &hierarchy)).collect();
    let roots = scope_tree(&directory.as_of(as_of), principal, &hierarchy);
    let mut path_only = Vec::new();
    unreadable(&roots, principal, &hierarchy, &mut path_only);
    ScopedDirectory {
        roots,
        direct_customs: readable.iter().filter(|v| v.kind == OfficeKind::DirectCustoms).count(),
        subordinates: readable.iter().filter(|v| v.kind == OfficeKind::Subordinate).count(),
        path_only,
    }
}

/// Adds the codes of the nodes of `nodes` (and below) that `principal` may not read to `out`.
fn unreadable(nodes: &[OfficeNode], principal: &Principal, scope: &Hierarchy<'_>, out: &mut Vec<String>) {
    for node in nodes {
        if !principal.can_read_office(&node.code, scope) {
            out.push(node.code.to_string());
        }
        unreadable(&node.children, principal, scope, out);
    }
}

/// The office tree `roots` cut down to what `principal` may read in `scope` (the hierarchy as of today): HQ keeps
/// everything; an office outside the scope is dropped with its subtree unless something below it is in scope, in
/// which case it stays as the path to it. Each node's `subordinate_count` is counted again over what is kept.
pub fn scope_tree(roots: &[OfficeNode], principal: &Principal, scope: &Hierarchy<'_>) -> Vec<OfficeNode> {
    roots
        .iter()
        .filter_map(|node| {
            let children = scope_tree(&node.children, principal, scope);
            if children.is_empty() && !principal.can_read_office(&node.code, scope) {
                return None;
            }
            Some(OfficeNode {
                code: node.code.clone(),
                name: node.name.clone(),
                kind: node.kind,
                since: node.since,
                opened_on: node.opened_on,
                subordinate_count: children
                    .iter()
                    .map(|k| k.subordinate_count + usize::from(k.kind == OfficeKind::Subordinate))
                    .sum(),
                children,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use analytics::offices::demo::demo_offices;
    use analytics::offices::OfficeCode;

    use super::*;
    use crate::auth::{Grant, Role};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn principal(role: Role, office: &str, kind: OfficeKind) -> Principal {
        let office = OfficeCode::parse(office).expect("code");
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            grants: vec![Grant::new(role, office, kind).expect("grant")],
        }
    }

    fn node<'a>(nodes: &'a [OfficeNode], code: &str) -> &'a OfficeNode {
        find(nodes, code).unwrap_or_else(|| panic!("{code} in the tree"))
    }

    fn find<'a>(nodes: &'a [OfficeNode], code: &str) -> Option<&'a OfficeNode> {
        nodes.iter().find_map(|n| if n.code.as_str() == code { Some(n) } else { find(&n.children, code) })
    }

    #[test]
    fn a_filer_counts_only_its_own_office_on_every_node_of_its_directory() {
        let directory = Directory::new(demo_offices().expect("demo set"));
        let (as_of, today) = (d("2022-12-31"), d("2026-12-05"));
        let filer = principal(Role::OfficeFiler, "0201", OfficeKind::Subordinate);
        let scoped = scope(&directory, &filer, as_of, today);
        assert_eq!((scoped.direct_customs, scoped.subordinates), (0, 1));
        assert_eq!(scoped.roots.len(), 1, "海关总署 stays as the path");
        assert_eq!(scoped.roots[0].subordinate_count, 1, "not the country's count");
        let tianjin = find(&scoped.roots, "0200").expect("天津 stays as the path");
        assert_eq!(tianjin.subordinate_count, 1, "not the district's count");
        assert_eq!(tianjin.children.len(), 1);
        assert_eq!(tianjin.children[0].code.as_str(), "0201");
        assert_eq!(node(&scoped.roots, "0201").subordinate_count, 0);
        assert!(scoped.path_only.contains(&"0200".to_string()), "天津 is not the filer's to open");
        assert!(!scoped.path_only.contains(&"0201".to_string()));
    }

    #[test]
    fn headquarters_and_a_district_keep_the_full_counts_of_what_they_may_read() {
        let directory = Directory::new(demo_offices().expect("demo set"));
        let (as_of, today) = (d("2022-12-31"), d("2026-12-05"));
        let full = directory.as_of(as_of);
        let hq = scope(&directory, &principal(Role::HqViewer, "0000", OfficeKind::Headquarters), as_of, today);
        assert_eq!(hq.roots, full, "HQ sees the tree as it is");
        // The scope is today's hierarchy: on the day the tree is drawn for, a district holds all its offices.
        let today = as_of;
        let district =
            scope(&directory, &principal(Role::DistrictViewer, "0200", OfficeKind::DirectCustoms), as_of, today);
        let tianjin = find(&district.roots, "0200").expect("天津");
        assert_eq!(
            tianjin.subordinate_count,
            directory.subordinate_count(&OfficeCode::parse("0200").expect("code"), as_of)
        );
        assert_eq!(district.roots[0].subordinate_count, tianjin.subordinate_count);
        assert_eq!(district.subordinates, tianjin.subordinate_count);
    }
}
