//! Searching the office hierarchy by name or code, keeping the path to every match.

use super::OfficeNode;

/// Keeps the offices whose name or code contains `query` (spaces ignored, case-insensitive), with their
/// ancestors; a matching office keeps all its children. An empty query keeps everything.
pub fn filter_tree(nodes: &[OfficeNode], query: &str) -> Vec<OfficeNode> {
    let needle: String = query.split_whitespace().collect::<String>().to_lowercase();
    if needle.is_empty() {
        return nodes.to_vec();
    }
    nodes.iter().filter_map(|n| filter_node(n, &needle)).collect()
}

fn filter_node(node: &OfficeNode, needle: &str) -> Option<OfficeNode> {
    if node.name.to_lowercase().contains(needle) || node.code.as_str().contains(needle) {
        return Some(node.clone());
    }
    let children: Vec<OfficeNode> = node.children.iter().filter_map(|c| filter_node(c, needle)).collect();
    if children.is_empty() {
        None
    } else {
        Some(OfficeNode { children, ..node.clone() })
    }
}

/// Number of offices in the (possibly filtered) tree, all levels.
pub fn count_nodes(nodes: &[OfficeNode]) -> usize {
    nodes.iter().map(|n| 1 + count_nodes(&n.children)).sum()
}

/// Number of offices of `kind` in the (possibly filtered) tree.
pub fn count_kind(nodes: &[OfficeNode], kind: super::OfficeKind) -> usize {
    nodes.iter().map(|n| usize::from(n.kind == kind) + count_kind(&n.children, kind)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offices::{Directory, OfficeCode, OfficeKind, OfficeVersion};
    use chrono::NaiveDate;

    fn tree() -> Vec<OfficeNode> {
        let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let v = |code: &str, name: &str, kind, parent: Option<&str>| OfficeVersion {
            code: OfficeCode::parse(code).unwrap(),
            name: name.into(),
            kind,
            parent: parent.map(|p| OfficeCode::parse(p).unwrap()),
            valid_from: d,
            valid_to: None,
            note: String::new(),
        };
        Directory::new(vec![
            v("0000", "海关总署", OfficeKind::Headquarters, None),
            v("0200", "天津海关", OfficeKind::DirectCustoms, Some("0000")),
            v("0201", "新港海关", OfficeKind::Subordinate, Some("0200")),
            v("0202", "东港海关", OfficeKind::Subordinate, Some("0200")),
            v("0600", "满洲里海关", OfficeKind::DirectCustoms, Some("0000")),
            v("0601", "海拉尔海关", OfficeKind::Subordinate, Some("0600")),
        ])
        .as_of(NaiveDate::from_ymd_opt(2022, 1, 1).unwrap())
    }

    #[test]
    fn a_search_for_a_subordinate_office_keeps_only_its_path() {
        let found = filter_tree(&tree(), "新港");
        assert_eq!(count_nodes(&found), 3);
        assert_eq!(count_kind(&found, OfficeKind::Subordinate), 1);
        assert_eq!(found[0].children[0].children[0].name, "新港海关");
    }

    #[test]
    fn a_search_for_a_district_keeps_all_its_offices_and_codes_match_too() {
        assert_eq!(count_nodes(&filter_tree(&tree(), "天津")), 4);
        assert_eq!(count_nodes(&filter_tree(&tree(), "0601")), 3);
        assert_eq!(count_nodes(&filter_tree(&tree(), " ")), 6);
        assert!(filter_tree(&tree(), "不存在").is_empty());
    }
}
