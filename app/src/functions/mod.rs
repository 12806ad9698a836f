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

/// The dates an `as_of` may name: from the day the notice was issued (2021-12-30: nothing is assessed before it)
/// to `today` in China. Every page, server function and API endpoint that takes `as_of` parses it with
/// [`parse_as_of`], so one rule holds everywhere and no computation or page runs over an unbounded span of days
/// (a date in the year 9999 made the dashboards list 95,000 months).
pub fn as_of_range(today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (analytics::milestones::notice_issued_on(), today)
}

/// Parses the `as_of` parameter (`YYYY-MM-DD`; empty means `today`) and refuses a date outside [`as_of_range`]
/// with a `BadRequest` naming the field `as_of` (a 400 page or API answer, with the range in the message).
pub fn parse_as_of(raw: Option<&str>, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, crate::error::AppError> {
    use chrono::Datelike;
    let date = parse_date_param(raw, "as_of", today)?;
    let (first, last) = as_of_range(today);
    if (first..=last).contains(&date) {
        return Ok(date);
    }
    let zh = |d: chrono::NaiveDate| format!("{}年{}月{}日", d.year(), d.month(), d.day());
    Err(crate::error::AppError::bad_request(
        "as_of",
        format!("日期“{date}”超出可查询范围：可查询{}至今天（{}）", zh(first), zh(last)),
        format!("Date {date} is outside the range that can be queried: from {first} to today ({last})"),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::parse_as_of;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn as_of_is_accepted_from_the_notice_to_today_and_refused_outside_with_the_range() {
        let today = d("2026-12-05");
        assert_eq!(parse_as_of(None, today), Ok(today));
        assert_eq!(parse_as_of(Some(" "), today), Ok(today));
        assert_eq!(parse_as_of(Some("2021-12-30"), today), Ok(d("2021-12-30")));
        assert_eq!(parse_as_of(Some("2026-12-05"), today), Ok(today));
        for outside in ["2021-12-29", "2026-12-06", "9999-12-31", "9000-01-01", "0001-01-01"] {
            match parse_as_of(Some(outside), today) {
                Err(crate::error::AppError::BadRequest { field, message_zh, .. }) => {
                    assert_eq!(field, "as_of");
                    assert!(message_zh.contains("超出可查询范围"), "{message_zh}");
                    assert!(message_zh.contains("2021年12月30日至今天（2026年12月5日）"), "{message_zh}");
                }
                other => panic!("{outside}: {other:?}"),
            }
        }
        assert!(matches!(parse_as_of(Some("2022-13-01"), today), Err(crate::error::AppError::BadRequest { .. })));
    }
}
