//! Server functions by domain, and the serialisable views they return to the pages.
//!
//! Each server function resolves the application state from context, reads through the store and returns a
//! view type built for one page. The JSON API v1 in the `server` crate reuses the same views where the shapes
//! coincide, so both agree by construction.

pub mod catalog;
pub mod offices;
pub mod overview;
pub mod session;

#[cfg(feature = "ssr")]
pub(crate) fn state() -> Result<crate::services::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::services::AppState>()
        .ok_or_else(|| crate::error::AppError::internal("AppState is missing from the server function context"))
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
