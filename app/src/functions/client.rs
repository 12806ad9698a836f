//! The client every server function is called with from the browser: the framework's `fetch` client plus the
//! session's CSRF token.
//!
//! Leptos server functions have no CSRF protection of their own, and a GET-encoded one would even pass a
//! `SameSite=Lax` cookie on a cross-site link. The server therefore refuses any server-function call that relies on
//! the session cookie unless it carries the session's CSRF token (`server::auth::csrf_guard`). Pages of a signed-in
//! user carry the token in `<meta name="csrf-token">`; this client copies it into the
//! [`CSRF_HEADER`] of every call. Plain HTML forms carry it as the form field
//! `csrf_token` instead, so they keep working without JavaScript.
//!
//! On the server (feature `ssr`) server functions are called in-process and this client is never used; it exists
//! there only because the `#[server]` macro names one type for both builds.

use std::future::Future;

use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::client::Client;
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;
use leptos::server_fn::Bytes;

/// Header that carries the CSRF token on requests made by script (server functions, the API with a cookie).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `fetch` with the CSRF header (see the module docs).
pub struct CsrfClient;

/// The CSRF token the page was rendered with, if the user is signed in.
#[cfg(feature = "hydrate")]
fn page_csrf_token() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document.query_selector("meta[name=\"csrf-token\"]").ok()??;
    meta.get_attribute("content").filter(|token| !token.is_empty())
}

#[cfg(not(feature = "hydrate"))]
fn page_csrf_token() -> Option<String> {
    None
}

impl<E, IS, OS> Client<E, IS, OS> for CsrfClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(request: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = page_csrf_token() {
            request.headers().set(CSRF_HEADER, &token);
        }
        <BrowserClient as Client<E, IS, OS>>::send(request)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl futures::Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}
