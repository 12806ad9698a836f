//! Roles, grants and the office scope of a signed-in user.
//!
//! Rules of this module:
//! - every role is bound to an office of one kind: HQ roles to 海关总署, district roles to a 直属海关, the filer to a
//!   隶属海关. A [`Grant`] that breaks this cannot be made ([`Grant::new`] refuses it);
//! - a user may hold several grants; the scope is their union;
//! - scope follows the hierarchy **as of a date** (normally today in China): a district's scope is the direct
//!   customs itself and the offices below it on that date, so an office moved to another district leaves the old
//!   district's scope from the day of the move, and a closed office leaves every scope but headquarters';
//! - viewers read, they never write.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use analytics::offices::{Directory, OfficeCode, OfficeKind, OfficeVersion};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A role, bound by a [`Grant`] to one office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 总署办公厅管理员: everything, including the catalog, scoring and milestones.
    HqAdmin,
    /// 总署查看员: reads everything.
    HqViewer,
    /// 直属海关管理员 (the direct customs' 办公室): its district — its catalog, its subordinate offices' returns,
    /// assessments and notices.
    DistrictAdmin,
    /// 直属海关查看员: reads its district.
    DistrictViewer,
    /// 隶属海关填报员: its own office only.
    OfficeFiler,
}

impl Role {
    /// Every role, from the widest to the narrowest.
    pub const ALL: [Role; 5] =
        [Role::HqAdmin, Role::HqViewer, Role::DistrictAdmin, Role::DistrictViewer, Role::OfficeFiler];

    /// The stable key used in the database, the API and the command line (`district_admin`).
    pub fn key(self) -> &'static str {
        match self {
            Role::HqAdmin => "hq_admin",
            Role::HqViewer => "hq_viewer",
            Role::DistrictAdmin => "district_admin",
            Role::DistrictViewer => "district_viewer",
            Role::OfficeFiler => "office_filer",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::HqAdmin => "总署办公厅管理员",
            Role::HqViewer => "总署查看员",
            Role::DistrictAdmin => "直属海关管理员",
            Role::DistrictViewer => "直属海关查看员",
            Role::OfficeFiler => "隶属海关填报员",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::HqAdmin => "HQ administrator",
            Role::HqViewer => "HQ viewer",
            Role::DistrictAdmin => "Direct customs administrator",
            Role::DistrictViewer => "Direct customs viewer",
            Role::OfficeFiler => "Subordinate office filer",
        }
    }

    /// The kind of office this role must be bound to.
    pub fn office_kind(self) -> OfficeKind {
        match self {
            Role::HqAdmin | Role::HqViewer => OfficeKind::Headquarters,
            Role::DistrictAdmin | Role::DistrictViewer => OfficeKind::DirectCustoms,
            Role::OfficeFiler => OfficeKind::Subordinate,
        }
    }

    /// Whether the role may change data in its scope (viewers may not).
    pub fn writes(self) -> bool {
        matches!(self, Role::HqAdmin | Role::DistrictAdmin | Role::OfficeFiler)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A role name that is none of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知角色“{0}”：可用 hq_admin、hq_viewer、district_admin、district_viewer、office_filer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Accepts the key (`district_admin`) or the Chinese name (直属海关管理员).
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.key().eq_ignore_ascii_case(raw) || r.name_zh() == raw)
            .ok_or_else(|| UnknownRole(raw.to_string()))
    }
}

/// A role bound to an office of the kind the role requires. Made only through [`Grant::new`] or
/// [`Grant::in_hierarchy`], so a grant that exists is a valid one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Grant {
    role: Role,
    office: OfficeCode,
}

/// Why a grant cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// The office is of another kind than the role requires.
    #[error("角色“{}”须绑定{}，而机构 {office} 是{}", .role.name_zh(), .role.office_kind().name_zh(), .actual.name_zh())]
    WrongOfficeKind { role: Role, office: OfficeCode, actual: OfficeKind },
    /// No office with that code is in force on the date.
    #[error("机构 {office} 在 {on} 不存在或已撤销")]
    UnknownOffice { office: OfficeCode, on: NaiveDate },
}

impl Grant {
    /// Binds `role` to `office`, whose kind is `kind`; refuses an office of the wrong kind.
    pub fn new(role: Role, office: OfficeCode, kind: OfficeKind) -> Result<Self, GrantError> {
        if kind == role.office_kind() {
            Ok(Self { role, office })
        } else {
            Err(GrantError::WrongOfficeKind { role, office, actual: kind })
        }
    }

    /// Binds `role` to `office`, which must be in force in `hierarchy` (on its date) and of the right kind.
    pub fn in_hierarchy(role: Role, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> Result<Self, GrantError> {
        let version = hierarchy
            .office(office)
            .ok_or_else(|| GrantError::UnknownOffice { office: office.clone(), on: hierarchy.on() })?;
        Self::new(role, office.clone(), version.kind)
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn office(&self) -> &OfficeCode {
        &self.office
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.role.name_zh(), self.office)
    }
}

/// The office hierarchy as it stands on one date: which offices are in force and under which parent.
#[derive(Debug, Clone)]
pub struct Hierarchy<'a> {
    on: NaiveDate,
    current: BTreeMap<&'a OfficeCode, &'a OfficeVersion>,
}

impl<'a> Hierarchy<'a> {
    /// The hierarchy of `directory` on `on`.
    pub fn new(directory: &'a Directory, on: NaiveDate) -> Self {
        Self { on, current: directory.in_force_on(on).map(|v| (&v.code, v)).collect() }
    }

    /// The date this hierarchy stands on.
    pub fn on(&self) -> NaiveDate {
        self.on
    }

    /// The version of `office` in force on the date, if the office exists then.
    pub fn office(&self, office: &OfficeCode) -> Option<&'a OfficeVersion> {
        self.current.get(office).copied()
    }

    /// Whether `office` is in force on the date and is `ancestor` or lies below it.
    pub fn is_within(&self, office: &OfficeCode, ancestor: &OfficeCode) -> bool {
        let mut here = match self.office(office) {
            Some(version) => version,
            None => return false,
        };
        // The hierarchy has three levels; the bound only guards against a cycle in hand-edited data.
        for _ in 0..8 {
            if &here.code == ancestor {
                return true;
            }
            match here.parent.as_ref().and_then(|p| self.office(p)) {
                Some(parent) => here = parent,
                None => return false,
            }
        }
        false
    }
}

/// A signed-in user (or API client) with its grants: who may do what, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether any grant has `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// 总署办公厅管理员: may configure the catalog, scoring and milestones, and manage accounts.
    pub fn is_hq_admin(&self) -> bool {
        self.has_role(Role::HqAdmin)
    }

    /// Whether the principal may read data of `office` on the hierarchy's date.
    pub fn can_read_office(&self, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> bool {
        self.grants.iter().any(|g| g.covers(office, hierarchy))
    }

    /// Whether the principal may change data of `office` on the hierarchy's date.
    pub fn can_write_office(&self, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> bool {
        self.grants.iter().any(|g| g.role.writes() && g.covers(office, hierarchy))
    }

    /// Whether the principal may verify (accept or return) the returns of `office`: 总署办公厅管理员, or the
    /// administrator of the direct customs the office belongs to on the hierarchy's date.
    pub fn can_verify_office(&self, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> bool {
        self.grants.iter().any(|g| matches!(g.role, Role::HqAdmin | Role::DistrictAdmin) && g.covers(office, hierarchy))
    }

    /// The page this principal lands on after signing in: the national overview for HQ, its district for a direct
    /// customs, its to-do list (`/returns`: returns to confirm, to fix, to file) for a subordinate office (the
    /// widest grant wins; `/` without any grant).
    pub fn home_path(&self) -> String {
        match self.grants.iter().min() {
            None => "/".to_string(),
            Some(g) => match g.role {
                Role::HqAdmin | Role::HqViewer => "/".to_string(),
                Role::DistrictAdmin | Role::DistrictViewer => format!("/offices/{}", g.office),
                Role::OfficeFiler => "/returns".to_string(),
            },
        }
    }

    /// The direct customs this principal administers or views through a district grant, sorted, each once.
    pub fn districts(&self) -> Vec<OfficeCode> {
        let mut codes: Vec<OfficeCode> = self
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::DistrictAdmin | Role::DistrictViewer))
            .map(|g| g.office.clone())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

impl Grant {
    /// Whether this grant's scope contains `office` on the hierarchy's date.
    fn covers(&self, office: &OfficeCode, hierarchy: &Hierarchy<'_>) -> bool {
        match self.role {
            Role::HqAdmin | Role::HqViewer => true,
            Role::DistrictAdmin | Role::DistrictViewer | Role::OfficeFiler => hierarchy.is_within(office, &self.office),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn c(s: &str) -> OfficeCode {
        OfficeCode::parse(s).unwrap()
    }

    fn v(code: &str, kind: OfficeKind, parent: Option<&str>, from: &str, to: Option<&str>) -> OfficeVersion {
        OfficeVersion {
            code: c(code),
            name: format!("机构{code}"),
            kind,
            parent: parent.map(c),
            valid_from: d(from),
            valid_to: to.map(d),
            note: String::new(),
        }
    }

    /// 海关总署; 天津 0200 with 0201 and 0202 (moved to 石家庄 on 2024-01-01); 石家庄 0400 with 0401; 0203 closed.
    fn directory() -> Directory {
        use OfficeKind::*;
        Directory::new(vec![
            v("0000", Headquarters, None, "1949-10-25", None),
            v("0200", DirectCustoms, Some("0000"), "1980-01-01", None),
            v("0400", DirectCustoms, Some("0000"), "1980-01-01", None),
            v("0201", Subordinate, Some("0200"), "2000-01-01", None),
            v("0202", Subordinate, Some("0200"), "2000-01-01", Some("2024-01-01")),
            v("0202", Subordinate, Some("0400"), "2024-01-01", None),
            v("0203", Subordinate, Some("0200"), "2000-01-01", Some("2020-01-01")),
            v("0401", Subordinate, Some("0400"), "2000-01-01", None),
        ])
    }

    fn principal(grants: Vec<Grant>) -> Principal {
        Principal { user_id: 1, username: "u".into(), display_name: "用户".into(), grants }
    }

    fn grant(role: Role, office: &str, dir: &Directory) -> Grant {
        Grant::in_hierarchy(role, &c(office), &Hierarchy::new(dir, d("2023-06-01"))).unwrap()
    }

    #[test]
    fn roles_read_from_their_key_or_chinese_name_and_serialise_in_snake_case() {
        for role in Role::ALL {
            assert_eq!(role.key().parse::<Role>(), Ok(role));
            assert_eq!(role.name_zh().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.key()));
        }
        assert_eq!("DISTRICT_ADMIN".parse::<Role>(), Ok(Role::DistrictAdmin));
        let error = "superuser".parse::<Role>().unwrap_err();
        assert!(error.to_string().contains("未知角色“superuser”"), "{error}");
    }

    #[test]
    fn each_role_is_bound_to_its_kind_of_office_and_a_wrong_kind_is_refused_at_creation() {
        assert_eq!(Role::HqAdmin.office_kind(), OfficeKind::Headquarters);
        assert_eq!(Role::DistrictViewer.office_kind(), OfficeKind::DirectCustoms);
        assert_eq!(Role::OfficeFiler.office_kind(), OfficeKind::Subordinate);
        assert!(Grant::new(Role::DistrictAdmin, c("0200"), OfficeKind::DirectCustoms).is_ok());
        let error = Grant::new(Role::DistrictAdmin, c("0201"), OfficeKind::Subordinate).unwrap_err();
        assert_eq!(error.to_string(), "角色“直属海关管理员”须绑定直属海关，而机构 0201 是隶属海关");
        assert!(Grant::new(Role::OfficeFiler, c("0200"), OfficeKind::DirectCustoms).is_err());
        assert!(Grant::new(Role::HqViewer, c("0200"), OfficeKind::DirectCustoms).is_err());
    }

    #[test]
    fn a_grant_needs_an_office_in_force_on_the_date() {
        let dir = directory();
        let error =
            Grant::in_hierarchy(Role::OfficeFiler, &c("0203"), &Hierarchy::new(&dir, d("2023-06-01"))).unwrap_err();
        assert_eq!(error.to_string(), "机构 0203 在 2023-06-01 不存在或已撤销");
        assert!(Grant::in_hierarchy(Role::OfficeFiler, &c("0203"), &Hierarchy::new(&dir, d("2019-06-01"))).is_ok());
        assert!(Grant::in_hierarchy(Role::OfficeFiler, &c("9999"), &Hierarchy::new(&dir, d("2023-06-01"))).is_err());
    }

    #[test]
    fn a_district_admin_reads_and_writes_its_district_and_its_subordinates_but_not_another_district() {
        let dir = directory();
        let today = Hierarchy::new(&dir, d("2023-06-01"));
        let p = principal(vec![grant(Role::DistrictAdmin, "0200", &dir)]);
        for office in ["0200", "0201", "0202"] {
            assert!(p.can_read_office(&c(office), &today), "{office}");
            assert!(p.can_write_office(&c(office), &today), "{office}");
        }
        for office in ["0000", "0400", "0401", "0203"] {
            assert!(!p.can_read_office(&c(office), &today), "{office}");
            assert!(!p.can_write_office(&c(office), &today), "{office}");
        }
        assert!(!p.is_hq_admin());
        assert_eq!(p.districts(), vec![c("0200")]);
    }

    #[test]
    fn an_office_moved_to_another_district_leaves_the_old_scope_on_the_day_of_the_move() {
        let dir = directory();
        let tianjin = principal(vec![grant(Role::DistrictAdmin, "0200", &dir)]);
        let shijiazhuang = principal(vec![grant(Role::DistrictViewer, "0400", &dir)]);
        let before = Hierarchy::new(&dir, d("2023-12-31"));
        let after = Hierarchy::new(&dir, d("2024-01-01"));
        assert!(tianjin.can_write_office(&c("0202"), &before));
        assert!(!tianjin.can_read_office(&c("0202"), &after));
        assert!(!shijiazhuang.can_read_office(&c("0202"), &before));
        assert!(shijiazhuang.can_read_office(&c("0202"), &after));
    }

    #[test]
    fn viewers_read_their_scope_and_write_nothing() {
        let dir = directory();
        let today = Hierarchy::new(&dir, d("2023-06-01"));
        let hq = principal(vec![grant(Role::HqViewer, "0000", &dir)]);
        let district = principal(vec![grant(Role::DistrictViewer, "0400", &dir)]);
        assert!(hq.can_read_office(&c("0201"), &today));
        assert!(!hq.can_write_office(&c("0201"), &today));
        assert!(district.can_read_office(&c("0401"), &today));
        assert!(!district.can_write_office(&c("0401"), &today));
        assert!(!district.can_read_office(&c("0201"), &today));
    }

    #[test]
    fn a_filer_reads_and_writes_only_its_own_office() {
        let dir = directory();
        let today = Hierarchy::new(&dir, d("2023-06-01"));
        let p = principal(vec![grant(Role::OfficeFiler, "0201", &dir)]);
        assert!(p.can_read_office(&c("0201"), &today));
        assert!(p.can_write_office(&c("0201"), &today));
        for office in ["0000", "0200", "0202", "0401"] {
            assert!(!p.can_read_office(&c(office), &today), "{office}");
        }
        assert_eq!(p.home_path(), "/returns");
        assert!(p.districts().is_empty());
    }

    #[test]
    fn an_hq_admin_reads_and_writes_everything_even_closed_offices() {
        let dir = directory();
        let today = Hierarchy::new(&dir, d("2023-06-01"));
        let p = principal(vec![grant(Role::HqAdmin, "0000", &dir)]);
        for office in ["0000", "0200", "0201", "0203", "0401"] {
            assert!(p.can_write_office(&c(office), &today), "{office}");
        }
        assert!(p.is_hq_admin());
        assert_eq!(p.home_path(), "/");
    }

    #[test]
    fn several_grants_give_the_union_of_their_scopes_and_the_widest_home() {
        let dir = directory();
        let today = Hierarchy::new(&dir, d("2023-06-01"));
        let p = principal(vec![
            grant(Role::OfficeFiler, "0201", &dir),
            grant(Role::DistrictViewer, "0400", &dir),
            grant(Role::DistrictAdmin, "0400", &dir),
        ]);
        assert!(p.can_write_office(&c("0201"), &today));
        assert!(p.can_write_office(&c("0401"), &today), "the admin grant on 0400 writes");
        assert!(!p.can_read_office(&c("0200"), &today));
        assert_eq!(p.home_path(), "/offices/0400");
        assert_eq!(p.districts(), vec![c("0400")]);
        assert_eq!(principal(Vec::new()).home_path(), "/");
    }
}
