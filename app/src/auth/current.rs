//! Who is making the current request, as the server's middleware resolved it.
//!
//! The `server` crate resolves the session cookie (or an `Authorization: Bearer gk_…` API token) once per request
//! and puts a [`RequestAuth`] into the request's extensions. Pages and server functions read it from the
//! `axum::http::request::Parts` that Leptos provides as context ([`use_request_auth`], [`use_session`]); the
//! handlers of the `server` crate read it from the request ([`from_parts`]). Nothing here touches the database.

use axum::http::request::Parts;

use crate::auth::Principal;
use crate::services::accounts::CurrentSession;
use crate::store::StoredApiToken;

/// The caller of a request: a signed-in session, a machine client with an API token, or nobody.
#[derive(Debug, Clone, Default)]
pub enum RequestAuth {
    /// Signed out, or the cookie named no open session.
    #[default]
    Anonymous,
    /// A signed-in user, with the session's CSRF token.
    Session(CurrentSession),
    /// A machine client authenticated by `Authorization: Bearer gk_…`.
    ApiToken(StoredApiToken),
}

impl RequestAuth {
    /// The signed-in session, if the caller is a user with a session.
    pub fn session(&self) -> Option<&CurrentSession> {
        match self {
            RequestAuth::Session(session) => Some(session),
            _ => None,
        }
    }

    /// Who the caller is, with its grants: the session's user, or an API token as a principal holding the
    /// token's one grant. `None` when signed out.
    pub fn principal(&self) -> Option<Principal> {
        match self {
            RequestAuth::Anonymous => None,
            RequestAuth::Session(session) => Some(session.principal.clone()),
            RequestAuth::ApiToken(token) => Some(Principal {
                user_id: token.created_by.unwrap_or_default(),
                username: format!("token:{}", token.token_prefix),
                display_name: token.name.clone(),
                grants: vec![token.grant.clone()],
            }),
        }
    }
}

/// What the middleware resolved for a request (anonymous when it did not run).
pub fn from_parts(parts: &Parts) -> RequestAuth {
    parts.extensions.get::<RequestAuth>().cloned().unwrap_or_default()
}

/// The caller of the request being rendered or served (inside Leptos: pages and server functions).
pub fn use_request_auth() -> RequestAuth {
    leptos::prelude::use_context::<Parts>().map(|parts| from_parts(&parts)).unwrap_or_default()
}

/// The signed-in session of the request being rendered or served, if any.
pub fn use_session() -> Option<CurrentSession> {
    match use_request_auth() {
        RequestAuth::Session(session) => Some(session),
        _ => None,
    }
}
