//! The signed-in user as the pages show it: display name, roles, the CSRF token for forms, and whether the
//! database is in demo mode (the sign-in page then lists the demo accounts).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One role of the signed-in user, with its office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub office: String,
}

/// The signed-in user of this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<RoleView>,
    /// The session's CSRF token, echoed by every form that changes something (`csrf_token`).
    pub csrf_token: String,
    /// Where this user lands after signing in.
    pub home_path: String,
}

/// What every page frame needs to know about the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserView>,
    /// The database holds the demo data set and the demo accounts (演示模式).
    pub demo: bool,
}

/// The signed-in user of the request (none when signed out) and the demo flag.
#[server(prefix = "/api/fn", endpoint = "session", client = crate::functions::client::CsrfClient)]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let state = super::state()?;
    let demo = crate::services::setup::is_demo(state.store.as_ref()).await?;
    let user = crate::auth::current::use_session().map(|session| {
        let principal = &session.principal;
        UserView {
            username: principal.username.clone(),
            display_name: principal.display_name.clone(),
            roles: principal
                .grants
                .iter()
                .map(|g| RoleView {
                    key: g.role().key().to_string(),
                    name_zh: g.role().name_zh().to_string(),
                    name_en: g.role().name_en().to_string(),
                    office: g.office().to_string(),
                })
                .collect(),
            csrf_token: session.csrf_token.clone(),
            home_path: principal.home_path(),
        }
    });
    Ok(SessionInfo { user, demo })
}
