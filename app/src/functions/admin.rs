//! Server functions of the administration pages (HQ): the audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Entries per page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// The audit log filters as the search form sends them (empty text: no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub office: String,
    pub entity_type: String,
    pub from: String,
    pub to: String,
}

impl AuditQuery {
    /// The filters as a query string (`actor=…&office=…`), for the page links and the Excel export.
    pub fn to_query_string(&self) -> String {
        [
            ("actor", &self.actor),
            ("office", &self.office),
            ("entity_type", &self.entity_type),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved ASCII).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One audit log entry as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    /// Beijing time, `2022年8月31日 14:05`.
    pub at: String,
    pub actor: String,
    pub office: Option<String>,
    pub remote_addr: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One page of the audit log search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogView {
    pub query: AuditQuery,
    pub entries: Vec<AuditEntryView>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub pages: i64,
}

/// A Beijing time as officials write it: `2022年8月31日 14:05`.
pub fn beijing_time(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let local = at.naive_utc() + chrono::Duration::hours(8);
    format!("{}年{}月{}日 {:02}:{:02}", local.year(), local.month(), local.day(), local.hour(), local.minute())
}

/// The store filter of `query`: dates are whole days in Beijing time, both ends included.
#[cfg(feature = "ssr")]
pub fn audit_filter(query: &AuditQuery) -> Result<crate::store::AuditFilter, AppError> {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let day = |raw: &str, field: &str| -> Result<Option<NaiveDate>, AppError> {
        match text(raw) {
            None => Ok(None),
            Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d").map(Some).map_err(|_| {
                AppError::bad_request(
                    field,
                    format!("日期“{t}”格式有误，应为 年-月-日，例如 2022-12-31"),
                    format!("Date “{t}” is malformed; use YYYY-MM-DD, e.g. 2022-12-31"),
                )
            }),
        }
    };
    let start_of = |d: NaiveDate| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)) - Duration::hours(8);
    let from = day(&query.from, "from")?;
    let to = day(&query.to, "to")?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::bad_request("to", "结束日期早于开始日期", "The end date is before the start date"));
        }
    }
    Ok(crate::store::AuditFilter {
        actor: text(&query.actor),
        office_code: text(&query.office),
        entity_type: text(&query.entity_type),
        from: from.map(start_of),
        until: to.map(|t| start_of(t + Duration::days(1))),
    })
}

/// The audit log, newest first, 50 entries a page (HQ roles only).
#[server(prefix = "/api/fn", endpoint = "audit_log", client = crate::functions::client::CsrfClient)]
pub async fn get_audit_log(
    actor: Option<String>,
    office: Option<String>,
    entity_type: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<AuditLogView, AppError> {
    super::require_hq()?;
    let query = AuditQuery {
        actor: actor.unwrap_or_default(),
        office: office.unwrap_or_default(),
        entity_type: entity_type.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let state = super::state()?;
    let filter = audit_filter(&query)?;
    let page = page.unwrap_or(1).max(1);
    let (rows, total) = state.store.search_audit(&filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE).await?;
    let pages = ((total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE).max(1);
    let entries = rows
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            at: beijing_time(r.at),
            actor: r.actor,
            office: r.office_code,
            remote_addr: r.remote_addr,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            summary: r.summary,
            before: r.before,
            after: r.after,
        })
        .collect();
    Ok(AuditLogView { query, entries, total, page, pages })
}

/// One account as the users page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRowView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    /// Beijing time.
    pub created_at: String,
    /// `总署查看员 · 0000`, one per grant.
    pub roles: Vec<String>,
    /// The grants, as the remove forms post them.
    pub grants: Vec<GrantView>,
    pub open_sessions: i64,
}

/// One role of an account at one office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    /// `hq_admin`, `district_viewer`, …
    pub role: String,
    pub office: String,
    /// `总署查看员 · 0000`.
    pub label: String,
}

/// The users page: every account and the CSRF token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsersView {
    pub users: Vec<UserRowView>,
    pub csrf_token: String,
}

/// One API token as the tokens page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRowView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub office: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// The tokens page: every token and the CSRF token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTokensView {
    pub tokens: Vec<TokenRowView>,
    pub csrf_token: String,
}

/// The CSRF token of the caller's session (empty for an API token, which cannot post forms anyway).
#[cfg(feature = "ssr")]
pub(crate) fn session_csrf_token() -> String {
    crate::auth::current::use_session().map(|s| s.csrf_token).unwrap_or_default()
}

/// Every account with its roles and state (总署办公厅管理员 only).
#[server(prefix = "/api/fn", endpoint = "admin_users", client = crate::functions::client::CsrfClient)]
pub async fn get_admin_users() -> Result<AdminUsersView, AppError> {
    super::require_hq_admin()?;
    let state = super::state()?;
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRowView {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            created_at: chrono::DateTime::parse_from_rfc3339(&u.created_at)
                .map(|t| beijing_time(t.with_timezone(&chrono::Utc)))
                .unwrap_or(u.created_at),
            roles: u.grants.iter().map(|g| format!("{} · {}", g.role().name_zh(), g.office().as_str())).collect(),
            grants: u
                .grants
                .iter()
                .map(|g| GrantView {
                    role: g.role().key().to_string(),
                    office: g.office().as_str().to_string(),
                    label: format!("{} · {}", g.role().name_zh(), g.office().as_str()),
                })
                .collect(),
            open_sessions: u.open_sessions,
        })
        .collect();
    Ok(AdminUsersView { users, csrf_token: session_csrf_token() })
}

/// Every API token, revoked ones included (总署办公厅管理员 only).
#[server(prefix = "/api/fn", endpoint = "admin_tokens", client = crate::functions::client::CsrfClient)]
pub async fn get_admin_tokens() -> Result<AdminTokensView, AppError> {
    super::require_hq_admin()?;
    let state = super::state()?;
    let tokens = state
        .store
        .list_api_tokens()
        .await?
        .into_iter()
        .map(|t| TokenRowView {
            id: t.id,
            name: t.name,
            prefix: t.token_prefix,
            role: t.grant.role().name_zh().to_string(),
            office: t.grant.office().as_str().to_string(),
            created_at: beijing_time(t.created_at),
            revoked_at: t.revoked_at.map(beijing_time),
            last_used_at: t.last_used_at.map(beijing_time),
        })
        .collect();
    Ok(AdminTokensView { tokens, csrf_token: session_csrf_token() })
}
