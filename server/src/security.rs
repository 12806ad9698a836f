//! The security headers of every response: a Content-Security-Policy with a fresh nonce per request, HSTS when
//! the session cookie is `Secure`, and `Cache-Control: no-store` on whatever belongs to a caller.
//!
//! The rules, checked by `tests/tests/suite/api.rs` and the browser tests:
//! - **Scripts** run only from this site or with the request's nonce, which Leptos puts on each script it writes
//!   (hydration, resource data). The nonce is made here, before anything else sees the request, and travels in the
//!   request's extensions to the Leptos context ([`provide_request_nonce`]) and to the page cache, which swaps it
//!   into a kept page. No inline handler (`onclick=`) or `javascript:` URL exists in the pages; styles come only
//!   from the site's style sheet; nothing may frame the pages, and `<object>` is refused.
//! - **Caching**: a response that does not say how it may be cached gets `no-store` when it is an API or server
//!   function answer (`/api/…`), or when the request carried a session cookie or an `Authorization` header and
//!   the answer is not a static asset (style sheet, script, wasm, image, font). Public pages for signed-out
//!   visitors (`/catalog`) and the client's files stay cacheable; handlers that set their own `Cache-Control`
//!   (the chart images' `private, no-cache` with an ETag, the downloads' `no-store`) keep it.
//! - **HSTS** (`max-age=31536000`) when the server marks its session cookie `Secure` (`GONGKAI_SECURE_COOKIES`),
//!   i.e. when it is served over HTTPS.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

/// What the security layer adds, fixed when the router is built.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityPolicy {
    /// Send `Strict-Transport-Security` (the deployment is HTTPS: secure cookies are on).
    pub hsts: bool,
    /// `cargo leptos watch` is running (`LEPTOS_WATCH`): its reload script talks to a websocket on another port.
    pub live_reload: bool,
}

/// The Content-Security-Policy of a response whose scripts carry `nonce`.
pub fn content_security_policy(nonce: &str, live_reload: bool) -> String {
    // 'wasm-unsafe-eval': the client is WebAssembly, which a policy with script-src must allow to be compiled.
    let connect = if live_reload { "; connect-src 'self' ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'{connect}"
    )
}

/// The middleware: makes the request's nonce, then adds the headers to whatever answers.
pub async fn headers(State(policy): State<SecurityPolicy>, mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let api = request.uri().path().starts_with("/api/");
    let credentials = carries_credentials(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce, policy.live_reload)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    if policy.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if !headers.contains_key(header::CACHE_CONTROL) && (api || (credentials && !is_static_asset(headers))) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Gives the Leptos render of this request the nonce the middleware made (leptos_axum provides a nonce of its
/// own before the application's context, which this replaces): call it from the context provider.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

/// The nonce of a request, as the middleware put it in its extensions.
pub fn request_nonce(extensions: &axum::http::Extensions) -> Option<&Nonce> {
    extensions.get::<Nonce>()
}

/// Whether the request names a caller: a session cookie (even one that turns out stale) or an `Authorization`
/// header. Decided from the headers alone, so that answers made before the caller is resolved are covered too.
fn carries_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || app::auth::session::session_token_from_cookies(
            headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()),
        )
        .is_some()
}

/// A file of the client or the site (style sheet, script, wasm, image, font), the same for everyone.
fn is_static_asset(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let content_type = content_type.trim().to_ascii_lowercase();
    ["text/css", "text/javascript", "application/javascript", "application/wasm", "image/", "font/"]
        .iter()
        .any(|kind| content_type.starts_with(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_scripts_only_from_the_site_or_with_the_nonce() {
        let csp = content_security_policy("abc", false);
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"), "{csp}");
        for directive in [
            "default-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("connect-src"), "{csp}");
        assert!(content_security_policy("abc", true).contains("connect-src 'self' ws: wss:"));
    }

    #[test]
    fn a_session_cookie_or_an_authorization_header_names_a_caller_and_the_language_cookie_does_not() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("gongkai_lang=en"));
        assert!(!carries_credentials(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer gk_x"));
        assert!(carries_credentials(&headers));
    }

    #[test]
    fn client_files_and_images_are_static_and_pages_and_json_are_not() {
        let of = |kind: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            is_static_asset(&headers)
        };
        for kind in ["text/css", "text/javascript; charset=utf-8", "application/wasm", "image/svg+xml", "font/woff2"] {
            assert!(of(kind), "{kind}");
        }
        for kind in ["text/html; charset=utf-8", "application/json", "application/vnd.ms-excel"] {
            assert!(!of(kind), "{kind}");
        }
        assert!(!is_static_asset(&HeaderMap::new()));
    }
}
