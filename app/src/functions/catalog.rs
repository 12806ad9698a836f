//! Server functions of the standard catalog.

use analytics::catalog::Catalog;
use leptos::prelude::*;

use crate::error::AppError;

/// The current standard catalog, as stored.
#[server(prefix = "/api/fn", endpoint = "catalog", client = crate::functions::client::CsrfClient)]
pub async fn get_catalog() -> Result<Catalog, AppError> {
    let state = super::state()?;
    state
        .store
        .standard_catalog()
        .await?
        .ok_or_else(|| AppError::not_found("标准目录（数据库尚未载入）", "The standard catalog (not loaded yet)"))
}
