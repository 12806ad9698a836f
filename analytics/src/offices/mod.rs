//! Offices over time: 海关总署, the direct customs (直属海关) and their subordinate offices (隶属海关).
//!
//! An office is a code plus a list of [`OfficeVersion`]s, each valid over a half-open date range
//! `[valid_from, valid_to)`. Opening, closing, renaming and moving to another district are all new versions, so any
//! count can be taken as of a date ([`Directory::as_of`]); counts that feed milestones ("one third of the
//! subordinate offices") must use the offices that existed on the date evaluated.
//!
//! The office list is data, never code: the real direct customs ship as `data/offices-direct-customs.csv` and
//! everything else arrives through the import format (see `import`, CSV or Excel), including the demo data set.

#[cfg(feature = "engine")]
pub mod demo;
#[cfg(feature = "engine")]
pub mod import;
pub mod search;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A customs code (关区代码): four ASCII digits; a direct customs is `XX00`, headquarters `0000`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeCode(String);

impl OfficeCode {
    /// Parses a code, tolerating surrounding spaces and full-width digits (０２０１).
    pub fn parse(raw: &str) -> Result<Self, OfficeCodeError> {
        let normalized: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect();
        if normalized.len() == 4 && normalized.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(normalized))
        } else {
            Err(OfficeCodeError { raw: raw.to_string() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit district prefix (`02` for `0201`).
    pub fn district_prefix(&self) -> &str {
        &self.0[..2]
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OfficeCode {
    type Error = OfficeCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OfficeCode> for String {
    fn from(code: OfficeCode) -> String {
        code.0
    }
}

/// A code that is not four digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeCodeError {
    pub raw: String,
}

impl fmt::Display for OfficeCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "机构代码“{}”应为4位数字（如 0201）", self.raw)
    }
}

impl std::error::Error for OfficeCodeError {}

/// The three levels of the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    /// 海关总署
    Headquarters,
    /// 直属海关
    DirectCustoms,
    /// 隶属海关
    Subordinate,
}

impl OfficeKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            OfficeKind::Headquarters => "海关总署",
            OfficeKind::DirectCustoms => "直属海关",
            OfficeKind::Subordinate => "隶属海关",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            OfficeKind::Headquarters => "Headquarters",
            OfficeKind::DirectCustoms => "Direct customs",
            OfficeKind::Subordinate => "Subordinate office",
        }
    }

    /// Parses the Chinese (or English) name used in import files.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "海关总署" | "总署" | "headquarters" | "Headquarters" => Some(OfficeKind::Headquarters),
            "直属海关" | "direct_customs" | "Direct customs" => Some(OfficeKind::DirectCustoms),
            "隶属海关" | "subordinate" | "Subordinate office" => Some(OfficeKind::Subordinate),
            _ => None,
        }
    }

    /// The kind an office's parent must have; `None` for headquarters, which has no parent.
    pub fn parent_kind(self) -> Option<OfficeKind> {
        match self {
            OfficeKind::Headquarters => None,
            OfficeKind::DirectCustoms => Some(OfficeKind::Headquarters),
            OfficeKind::Subordinate => Some(OfficeKind::DirectCustoms),
        }
    }
}

/// One version of an office: its name, kind and parent over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeVersion {
    pub code: OfficeCode,
    pub name: String,
    pub kind: OfficeKind,
    /// The parent office's code; `None` only for headquarters.
    pub parent: Option<OfficeCode>,
    /// First day this version is in force.
    pub valid_from: NaiveDate,
    /// First day it is no longer in force (closure, move or rename); `None` while current.
    pub valid_to: Option<NaiveDate>,
    /// Free remark (备注), e.g. the document that opened or moved the office.
    #[serde(default)]
    pub note: String,
}

impl OfficeVersion {
    /// Whether the version is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date < end)
    }
}

/// An office as it stood on a date, with its subordinate offices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeNode {
    pub code: OfficeCode,
    pub name: String,
    pub kind: OfficeKind,
    /// First day of the version in force on the date.
    pub since: NaiveDate,
    /// First day the office opened (its earliest version).
    pub opened_on: NaiveDate,
    /// Number of subordinate offices below this one on the date (all levels).
    pub subordinate_count: usize,
    pub children: Vec<OfficeNode>,
}

/// All office versions, queried by date.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    versions: Vec<OfficeVersion>,
}

impl Directory {
    pub fn new(versions: Vec<OfficeVersion>) -> Self {
        Self { versions }
    }

    pub fn versions(&self) -> &[OfficeVersion] {
        &self.versions
    }

    /// The versions in force on `date`, one per office.
    pub fn in_force_on(&self, date: NaiveDate) -> impl Iterator<Item = &OfficeVersion> {
        self.versions.iter().filter(move |v| v.in_force_on(date))
    }

    /// Number of subordinate offices under the direct customs `district` on `date`.
    pub fn subordinate_count(&self, district: &OfficeCode, date: NaiveDate) -> usize {
        self.in_force_on(date)
            .filter(|v| v.kind == OfficeKind::Subordinate && v.parent.as_ref() == Some(district))
            .count()
    }

    /// The hierarchy as it stood on `date`: the roots (normally only 海关总署) with their children sorted by code.
    /// An office whose parent is not in force on that date is listed as a root, so nothing silently disappears.
    pub fn as_of(&self, date: NaiveDate) -> Vec<OfficeNode> {
        let current: Vec<&OfficeVersion> = self.in_force_on(date).collect();
        let opened: BTreeMap<&OfficeCode, NaiveDate> = self.versions.iter().fold(BTreeMap::new(), |mut acc, v| {
            let entry = acc.entry(&v.code).or_insert(v.valid_from);
            if v.valid_from < *entry {
                *entry = v.valid_from;
            }
            acc
        });
        let present: std::collections::BTreeSet<&OfficeCode> = current.iter().map(|v| &v.code).collect();
        let mut children: BTreeMap<Option<&OfficeCode>, Vec<&OfficeVersion>> = BTreeMap::new();
        for v in &current {
            let parent = v.parent.as_ref().filter(|p| present.contains(p));
            children.entry(parent).or_default().push(v);
        }
        fn build(
            v: &OfficeVersion,
            children: &BTreeMap<Option<&OfficeCode>, Vec<&OfficeVersion>>,
            opened: &BTreeMap<&OfficeCode, NaiveDate>,
        ) -> OfficeNode {
            let mut kids: Vec<OfficeNode> = children
                .get(&Some(&v.code))
                .map(|list| list.iter().map(|c| build(c, children, opened)).collect())
                .unwrap_or_default();
            kids.sort_by(|a, b| a.code.cmp(&b.code));
            let subordinate_count =
                kids.iter().map(|k| k.subordinate_count + usize::from(k.kind == OfficeKind::Subordinate)).sum();
            OfficeNode {
                code: v.code.clone(),
                name: v.name.clone(),
                kind: v.kind,
                since: v.valid_from,
                opened_on: opened.get(&v.code).copied().unwrap_or(v.valid_from),
                subordinate_count,
                children: kids,
            }
        }
        let mut roots: Vec<OfficeNode> = children
            .get(&None)
            .map(|list| list.iter().map(|v| build(v, &children, &opened)).collect())
            .unwrap_or_default();
        roots.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.code.cmp(&b.code)));
        roots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn v(code: &str, kind: OfficeKind, parent: Option<&str>, from: &str, to: Option<&str>) -> OfficeVersion {
        OfficeVersion {
            code: OfficeCode::parse(code).unwrap(),
            name: format!("机构{code}"),
            kind,
            parent: parent.map(|p| OfficeCode::parse(p).unwrap()),
            valid_from: d(from),
            valid_to: to.map(d),
            note: String::new(),
        }
    }

    #[test]
    fn a_code_accepts_full_width_digits_and_rejects_anything_but_four_digits() {
        assert_eq!(OfficeCode::parse(" ０２０１ ").unwrap().as_str(), "0201");
        assert!(OfficeCode::parse("201").is_err());
        assert!(OfficeCode::parse("02A1").is_err());
        assert!(OfficeCode::parse("02011").is_err());
    }

    #[test]
    fn counts_as_of_a_date_follow_openings_closures_and_moves() {
        let dir = Directory::new(vec![
            v("0000", OfficeKind::Headquarters, None, "1949-10-25", None),
            v("0200", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None),
            v("0400", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", None),
            v("0201", OfficeKind::Subordinate, Some("0200"), "2000-01-01", None),
            // Opened in mid-2022.
            v("0202", OfficeKind::Subordinate, Some("0200"), "2022-07-01", None),
            // Closed at the start of 2023.
            v("0203", OfficeKind::Subordinate, Some("0200"), "2000-01-01", Some("2023-01-01")),
            // Moved from 0200 to 0400 on 2022-10-01.
            v("0204", OfficeKind::Subordinate, Some("0200"), "2000-01-01", Some("2022-10-01")),
            v("0204", OfficeKind::Subordinate, Some("0400"), "2022-10-01", None),
        ]);
        let tianjin = OfficeCode::parse("0200").unwrap();
        let shijiazhuang = OfficeCode::parse("0400").unwrap();
        assert_eq!(dir.subordinate_count(&tianjin, d("2022-06-30")), 3);
        assert_eq!(dir.subordinate_count(&tianjin, d("2022-08-31")), 4);
        assert_eq!(dir.subordinate_count(&tianjin, d("2022-12-31")), 3);
        assert_eq!(dir.subordinate_count(&shijiazhuang, d("2022-12-31")), 1);
        assert_eq!(dir.subordinate_count(&tianjin, d("2023-01-01")), 2);

        let tree = dir.as_of(d("2022-12-31"));
        assert_eq!(tree.len(), 1, "only headquarters is a root");
        assert_eq!(tree[0].subordinate_count, 4);
        assert_eq!(tree[0].children.len(), 2);
        assert_eq!(tree[0].children[0].subordinate_count, 3);
        let moved = &tree[0].children[1].children[0];
        assert_eq!(moved.code.as_str(), "0204");
        assert_eq!(moved.since, d("2022-10-01"));
        assert_eq!(moved.opened_on, d("2000-01-01"));
    }

    #[test]
    fn an_office_whose_parent_is_closed_stays_visible_as_a_root() {
        let dir = Directory::new(vec![
            v("0000", OfficeKind::Headquarters, None, "1949-10-25", None),
            v("0200", OfficeKind::DirectCustoms, Some("0000"), "1980-01-01", Some("2020-01-01")),
            v("0201", OfficeKind::Subordinate, Some("0200"), "2000-01-01", None),
        ]);
        let tree = dir.as_of(d("2021-01-01"));
        assert_eq!(tree.len(), 2);
        assert!(tree.iter().any(|n| n.code.as_str() == "0201"));
    }
}
