//! The rendered national dashboard (`GET /`), kept per session until its data changes.
//!
//! Headquarters' dashboard is the same page for the same caller until the figures change: the figures change only
//! with the data the dashboards read (its generation, `Store::rollout_generation`, one indexed query) or with the
//! day. Rendering it is most of the cost of a request (a few milliseconds of Leptos work for ~80 KB of tables), so
//! the rendered page is kept and served again to the same session while everything it was made from is unchanged.
//!
//! The key is everything the page is made of: the session (its id and CSRF token, which the page carries), the
//! caller as resolved for this request (user, display name, every grant: a role change shows at once), the
//! language, the URL with its query (`?as_of=`), the data's generation and today's date. A page is kept only if
//! the generation did not move while it was rendered, and only a complete `200` HTML page without `Set-Cookie`. A
//! forced reload (`Cache-Control: no-cache`) renders the page again.
//! The dashboards never serve figures older than the generation a request read (see `services::dashboard`), so a
//! kept page is never older than its key.
//!
//! A kept page carries the Content-Security-Policy nonce of the request it was rendered for; served again, that
//! nonce is replaced by the new request's (see `security`), so that no two responses share a nonce.

use std::sync::{Arc, Mutex};

use app::auth::current::RequestAuth;
use app::i18n::Lang;
use app::services::{today_in_china, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Pages kept at most (about 80 KB each with the national data set).
const ENTRIES: usize = 32;
/// The largest page kept.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;
/// Marks a page served from the cache (`hit`) or rendered for this request (`miss`).
pub const CACHE_HEADER: &str = "x-gongkai-page-cache";

#[derive(Clone)]
struct Kept {
    key: String,
    headers: HeaderMap,
    body: Bytes,
    /// The CSP nonce the page's scripts carry.
    nonce: Option<String>,
}

/// The kept pages, newest last.
#[derive(Clone, Default)]
pub struct PageCache(Arc<Mutex<Vec<Kept>>>);

impl PageCache {
    fn get(&self, key: &str) -> Option<Kept> {
        self.0.lock().ok()?.iter().find(|k| k.key == key).cloned()
    }

    fn put(&self, kept: Kept) {
        if let Ok(mut pages) = self.0.lock() {
            pages.retain(|k| k.key != kept.key);
            if pages.len() >= ENTRIES {
                pages.remove(0);
            }
            pages.push(kept);
        }
    }
}

fn respond(headers: HeaderMap, body: Bytes, state: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response.headers_mut().insert(CACHE_HEADER, HeaderValue::from_static(state));
    response
}

/// The kept page with the nonce `old` (random, so found nowhere else in the page) replaced by `new`.
fn swap_nonce(body: &Bytes, old: &str, new: &str) -> Bytes {
    match std::str::from_utf8(body) {
        Ok(html) => Bytes::from(html.replace(old, new)),
        Err(_) => body.clone(),
    }
}

/// The middleware (inside the sign-in layer, which has resolved the caller): `GET /` of a signed-in session.
pub async fn national_dashboard(
    State((app, cache)): State<(AppState, PageCache)>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET || request.uri().path() != "/" {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<RequestAuth>().and_then(|a| a.session()).cloned() else {
        return next.run(request).await;
    };
    let Ok(generation) = app.store.rollout_generation().await else {
        return next.run(request).await;
    };
    let lang = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default();
    let key = format!(
        "{}\n{}\n{:?}\n{}\n{}\n{generation}\n{}",
        session.session_id,
        session.csrf_token,
        session.principal,
        lang.short(),
        request.uri(),
        today_in_china(),
    );
    // A forced reload (`Cache-Control: no-cache`, as browsers send on Ctrl+F5) renders the page again.
    let reload = request
        .headers()
        .get_all(header::CACHE_CONTROL)
        .iter()
        .chain(request.headers().get_all(header::PRAGMA))
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-cache")));
    let nonce = crate::security::request_nonce(request.extensions()).map(|n| n.to_string());
    if !reload {
        if let Some(kept) = cache.get(&key) {
            let body = match (&kept.nonce, &nonce) {
                (Some(old), Some(new)) => swap_nonce(&kept.body, old, new),
                _ => kept.body,
            };
            return respond(kept.headers, body, "hit");
        }
    }
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status() != StatusCode::OK || !html || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!("rendering / failed: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败，请刷新重试").into_response();
        }
    };
    if app.store.rollout_generation().await.is_ok_and(|now| now == generation) {
        cache.put(Kept { key, headers: parts.headers.clone(), body: body.clone(), nonce });
    }
    respond(parts.headers, body, "miss")
}
