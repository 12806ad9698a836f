//! Server functions by domain, and the serialisable views they return to the pages.
//!
//! Each server function resolves the application state from context, reads through the store and returns a
//! view type built for one page. The JSON API v1 in the `server` crate reuses the same views where the shapes
//! coincide, so both agree by construction.

pub mod admin;
pub mod catalog;
pub mod client;
pub mod dashboard;
pub mod offices;
pub mod returns;
pub mod scorecard;
pub mod session;
pub mod settings;

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::services::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::services::AppState>()
        .ok_or_else(|| crate::error::AppError::internal("AppState is missing from the server function context"))
}

/// The caller of the request (signed-in session or API token), or [`AppError::Unauthorized`](crate::error::AppError)
/// when signed out. Every server function outside the public ones starts with this (or [`require_hq`]).
#[cfg(feature = "ssr")]
pub fn require_principal() -> Result<crate::auth::Principal, crate::error::AppError> {
    principal_of(&crate::auth::current::use_request_auth())
}

/// The principal of `auth`, or [`AppError::Unauthorized`](crate::error::AppError) when signed out (the API
/// handlers pass the `RequestAuth` they read from the request's extensions).
#[cfg(feature = "ssr")]
pub fn principal_of(
    auth: &crate::auth::current::RequestAuth,
) -> Result<crate::auth::Principal, crate::error::AppError> {
    auth.principal().ok_or(crate::error::AppError::Unauthorized)
}

/// Whether the principal holds an HQ role (总署管理员 or 总署查看员): the national views are theirs only.
#[cfg(feature = "ssr")]
pub fn is_hq(principal: &crate::auth::Principal) -> bool {
    principal.has_role(crate::auth::Role::HqAdmin) || principal.has_role(crate::auth::Role::HqViewer)
}

/// The caller if it holds an HQ role; `Unauthorized` when signed out, `Forbidden` otherwise.
#[cfg(feature = "ssr")]
pub fn require_hq() -> Result<crate::auth::Principal, crate::error::AppError> {
    let principal = require_principal()?;
    if is_hq(&principal) {
        Ok(principal)
    } else {
        Err(crate::error::AppError::Forbidden)
    }
}

/// The caller if it is 总署办公厅管理员 (hq_admin); `Unauthorized` when signed out, `Forbidden` otherwise.
#[cfg(feature = "ssr")]
pub fn require_hq_admin() -> Result<crate::auth::Principal, crate::error::AppError> {
    let principal = require_principal()?;
    if principal.is_hq_admin() {
        Ok(principal)
    } else {
        Err(crate::error::AppError::Forbidden)
    }
}

/// The office tree `roots` cut down to what `principal` may read in `scope` (the hierarchy as of today): HQ keeps
/// everything; an office outside the scope is dropped with its subtree unless something below it is in scope, in
/// which case it stays as the path to it (a district's node stays above a filer's own office).
#[cfg(feature = "ssr")]
pub fn scope_tree(
    roots: &[analytics::offices::OfficeNode],
    principal: &crate::auth::Principal,
    scope: &crate::auth::Hierarchy<'_>,
) -> Vec<analytics::offices::OfficeNode> {
    roots
        .iter()
        .filter_map(|node| {
            if principal.can_read_office(&node.code, scope) {
                let mut node = node.clone();
                node.children = scope_tree(&node.children, principal, scope);
                return Some(node);
            }
            let children = scope_tree(&node.children, principal, scope);
            if children.is_empty() {
                None
            } else {
                let mut node = node.clone();
                node.children = children;
                Some(node)
            }
        })
        .collect()
}

/// Parses an optional `YYYY-MM-DD` date parameter named `field`; empty means `default`.
pub fn parse_date_param(
    raw: Option<&str>,
    field: &str,
    default: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, crate::error::AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            crate::error::AppError::bad_request(
                field,
                format!("日期“{text}”格式有误，应为 年-月-日，例如 2022-12-31"),
                format!("Date “{text}” is malformed; use YYYY-MM-DD, e.g. 2022-12-31"),
            )
        }),
    }
}
