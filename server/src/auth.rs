//! Who is calling, and the sign-in, sign-out and password forms.
//!
//! - [`resolve`] runs for every request: it resolves the `gongkai_session` cookie (idle and absolute expiry) or an
//!   `Authorization: Bearer gk_…` API token and puts an [`app::auth::current::RequestAuth`] into the request's
//!   extensions, where Leptos pages, server functions and handlers read it. A cookie that names no open session
//!   (ended, expired, unknown, tampered) is removed with `Set-Cookie`.
//! - `POST /auth/login`, `POST /auth/logout`, `POST /account/password` are plain HTML form handlers that answer
//!   with `303 See Other` (post/redirect/get), so they work without JavaScript.
//!
//! CSRF: every one of these POSTs must come from a page of this server — its `Origin` header (or, when a browser
//! sends none, its `Referer`) must name the host the request was sent to; otherwise 403 and nothing changes. This
//! also covers login CSRF (a foreign page signing a victim into the attacker's account). Sign-out and the password
//! change additionally require the session's CSRF token in the form field `csrf_token`, compared in constant time.
//!
//! Server functions (`/api/fn/…`, whatever their encoding, GET included: `SameSite=Lax` lets a cross-site link
//! carry the cookie) and every non-GET call of the JSON API that relies on the session cookie must carry the
//! session's CSRF token ([`csrf_guard`]): in the `x-csrf-token` header (what `app::functions::client::CsrfClient`
//! sends from the browser), in the query parameter `csrf_token`, or in the field `csrf_token` of a url-encoded form
//! (a server function posted by a plain HTML form). Otherwise 403 and the function does not run. Calls with an API
//! token carry no ambient credential and need no CSRF token.

use std::net::{IpAddr, SocketAddr};

use app::auth::current::{self, RequestAuth};
use app::auth::password::{PasswordError, PolicyProblem};
use app::auth::session::{csrf_token_matches, session_token_from_cookies, SESSION_COOKIE};
use app::services::accounts::{self, AccountError, SignInError, SignInRequest};
use app::services::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use crate::web::is_local_path;

/// The session cookie value the request carries, if well formed.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    session_token_from_cookies(headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()))
        .map(str::to_string)
}

/// The client address of a request, as [`resolve`] determined it.
#[derive(Debug, Clone)]
struct ClientAddr(IpAddr);

/// The client's address: the peer that opened the connection or, when that peer is a trusted reverse proxy
/// (`GONGKAI_TRUSTED_PROXIES`), the last address of `X-Forwarded-For` that is not itself a trusted proxy. A
/// forwarded header from anyone else is ignored: anyone can write it.
pub(crate) fn client_addr(request_extensions: &axum::http::Extensions) -> Option<String> {
    match request_extensions.get::<ClientAddr>() {
        Some(ClientAddr(ip)) => Some(ip.to_string()),
        None => request_extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string()),
    }
}

/// See [`client_addr`]: `peer` and the request's `X-Forwarded-For` headers, trusting `trusted` only.
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            // Garbage in the chain: stop believing it at that point.
            Err(_) => return peer,
        }
    }
    peer
}

/// Middleware: resolves the caller of every request (see the module docs).
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let now = Utc::now();
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().cloned() {
        let client = forwarded_client(peer.ip(), request.headers(), &state.trusted_proxies);
        request.extensions_mut().insert(ClientAddr(client));
    }
    let token = cookie_token(request.headers());
    let has_session_cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|pair| pair.trim().starts_with(&format!("{SESSION_COOKIE}="))));
    let mut auth = RequestAuth::Anonymous;
    if let Some(token) = token.as_deref() {
        match accounts::resolve_session(state.store.as_ref(), &state.auth.session, token, now).await {
            Ok(Some(session)) => auth = RequestAuth::Session(session),
            Ok(None) => {}
            Err(e) => tracing::error!("session lookup failed: {e}"),
        }
    }
    if matches!(auth, RequestAuth::Anonymous) {
        let bearer = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        if let Some(bearer) = bearer {
            match accounts::resolve_api_token(state.store.as_ref(), &bearer).await {
                Ok(Some(token)) => auth = RequestAuth::ApiToken(token),
                Ok(None) => {}
                Err(e) => tracing::error!("API token lookup failed: {e}"),
            }
        }
    }
    let stale_cookie = has_session_cookie && auth.session().is_none();
    // The change-password page is for signed-in users only: send everyone else to sign in first.
    if request.method() == axum::http::Method::GET
        && request.uri().path() == "/account/password"
        && auth.session().is_none()
    {
        let mut response = see_other("/login?next=%2Faccount%2Fpassword");
        if stale_cookie {
            clear_cookie(&state, &mut response);
        }
        return response;
    }
    // Pages that need a signed-in caller send everyone else to sign in first and back afterwards; the national
    // overview sends a caller without an HQ role to its own home page. Convenience only: the server functions and
    // API handlers enforce the same rules themselves.
    if request.method() == axum::http::Method::GET {
        let path = request.uri().path();
        if page_needs_sign_in(path) {
            match auth.principal() {
                None => {
                    let next = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(path);
                    let mut response = see_other(&format!("/login?next={}", encode(next)));
                    if stale_cookie {
                        clear_cookie(&state, &mut response);
                    }
                    return response;
                }
                Some(principal)
                    if path == "/" && !app::functions::is_hq(&principal) && principal.home_path() != "/" =>
                {
                    return see_other(&principal.home_path());
                }
                Some(_) => {}
            }
        }
    }
    let mut request = match csrf_guard(&auth, request).await {
        Ok(request) => request,
        Err(response) => return *response,
    };
    request.extensions_mut().insert(auth);
    let is_server_fn = request.uri().path().starts_with("/api/fn/");
    let mut response = next.run(request).await;
    if is_server_fn {
        response = server_fn_status(response).await;
    }
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(&format!("{SESSION_COOKIE}="))));
    if stale_cookie && !sets_session {
        clear_cookie(&state, &mut response);
    }
    response
}

/// Leptos answers every failed server function with 500; this gives the answer the status of its
/// [`app::error::AppError`] (404 for an office out of scope or unknown, 403, 401, 400), so that script clients and
/// logs see what happened. The body is left as it is.
async fn server_fn_status(response: Response) -> Response {
    const MAX_ERROR_BYTES: usize = 64 * 1024;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The largest url-encoded server-function form read to find its CSRF token (the function reads the same bytes).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The `csrf_token` field of a url-encoded query or form body.
fn csrf_field(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded).find(|(name, _)| name == app::auth::session::CSRF_FORM_FIELD).map(|(_, v)| v.into())
}

/// Refuses a server-function call or API write that relies on the session cookie without the session's CSRF token
/// (module docs); passes the request on, its body intact, otherwise.
pub async fn csrf_guard(auth: &RequestAuth, request: Request) -> Result<Request, Box<Response>> {
    let Some(session) = auth.session() else {
        return Ok(request);
    };
    let path = request.uri().path();
    let guarded = path.starts_with("/api/fn/") || (path.starts_with("/api/") && !request.method().is_safe());
    if !guarded {
        return Ok(request);
    }
    let refuse = |headers: &HeaderMap| Err(Box::new(forbidden(headers, BAD_CSRF)));
    if let Some(presented) = request.headers().get(app::auth::session::CSRF_HEADER) {
        return match presented.to_str() {
            Ok(presented) if csrf_token_matches(&session.csrf_token, Some(presented)) => Ok(request),
            _ => refuse(request.headers()),
        };
    }
    if let Some(presented) = request.uri().query().and_then(|q| csrf_field(q.as_bytes())) {
        return if csrf_token_matches(&session.csrf_token, Some(&presented)) {
            Ok(request)
        } else {
            refuse(request.headers())
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/x-www-form-urlencoded"));
    if request.method() != axum::http::Method::POST || !is_form {
        return refuse(request.headers());
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return Err(Box::new(crate::api::error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "提交的表单过大",
        )));
    };
    match csrf_field(&bytes) {
        Some(presented) if csrf_token_matches(&session.csrf_token, Some(&presented)) => {
            Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
        }
        _ => refuse(&parts.headers),
    }
}

fn clear_cookie(state: &AppState, response: &mut Response) {
    if let Ok(value) = HeaderValue::from_str(&state.auth.session.clear_cookie()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The Leptos pages only a signed-in caller may open (`/catalog` and `/login` are public).
pub fn page_needs_sign_in(path: &str) -> bool {
    path == "/"
        || path == "/offices"
        || path.starts_with("/offices/")
        || matches!(path, "/admin/audit" | "/admin/users" | "/admin/tokens")
        || path == "/returns"
        || (path.starts_with("/returns/") && !path.ends_with(".xlsx") && !path.ends_with("/file"))
}

/// `303 See Other` to a local path.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let value = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, value);
    response
}

/// The `scheme://host[:port]` part of a URL, lower-cased; `None` for anything else (`null`, a path).
fn origin_of(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((scheme, authority))
}

/// Whether the request comes from a page of this server: its `Origin` (or `Referer` when there is no `Origin`)
/// names the host the request was sent to, over HTTPS when the cookie is `Secure`.
pub fn same_origin(headers: &HeaderMap, https_only: bool) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()).map(|h| h.trim().to_ascii_lowercase())
    else {
        return false;
    };
    let claimed = match headers.get(header::ORIGIN) {
        Some(origin) => origin.to_str().ok(),
        None => headers.get(header::REFERER).and_then(|v| v.to_str().ok()),
    };
    match claimed.and_then(origin_of) {
        Some((scheme, authority)) => authority == host && (!https_only || scheme == "https"),
        None => false,
    }
}

/// 403 with a Chinese message, as JSON for script clients and as a small page for browsers.
pub(crate) fn forbidden(headers: &HeaderMap, message: &str) -> Response {
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        let page = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>请求被拒绝</title></head>\
             <body><h1>请求被拒绝</h1><p>{message}</p><p><a href=\"/\">返回首页</a></p></body></html>"
        );
        (StatusCode::FORBIDDEN, Html(page)).into_response()
    } else {
        crate::api::error_response(StatusCode::FORBIDDEN, "forbidden", message)
    }
}

const FOREIGN_ORIGIN: &str = "请求来源无法确认：请从本系统的页面提交表单。";
pub(crate) const BAD_CSRF: &str = "表单已失效或缺少安全校验码：请刷新页面后重试。";

/// The 403 answer for a form posted from anywhere but a page of this server; `None` when it passes.
pub(crate) fn refuse_foreign_origin(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    (!same_origin(headers, state.auth.session.secure_cookie)).then(|| forbidden(headers, FOREIGN_ORIGIN))
}

/// Percent-encodes a query value.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

/// `POST /auth/login`: signs in and sends the browser to `next` (a local path) or the user's home page.
pub async fn login(
    State(state): State<AppState>,
    request_parts: axum::http::request::Parts,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let headers = &request_parts.headers;
    if let Some(response) = refuse_foreign_origin(&state, headers) {
        return response;
    }
    let Ok(Form(form)) = form else {
        return crate::api::error_response(StatusCode::BAD_REQUEST, "bad_request", "登录表单格式有误");
    };
    let next = Some(form.next.trim()).filter(|n| !n.is_empty() && is_local_path(n) && !n.starts_with("/login"));
    let remote = client_addr(&request_parts.extensions);
    let previous = cookie_token(headers);
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let request = SignInRequest {
        username: &form.username,
        password: &form.password,
        remote_addr: remote.as_deref(),
        user_agent,
        previous_token: previous.as_deref(),
    };
    match accounts::sign_in(state.store.as_ref(), &state.auth, request, Utc::now()).await {
        Ok(session) => {
            let target = next.map(str::to_string).unwrap_or_else(|| session.principal.home_path());
            let mut response = see_other(&target);
            if let Ok(value) = HeaderValue::from_str(&session.set_cookie(&state.auth.session)) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            let code = match &error {
                SignInError::InvalidCredentials => "invalid".to_string(),
                SignInError::Throttled { seconds } => format!("throttled&seconds={seconds}"),
                SignInError::Busy => "busy".to_string(),
                SignInError::Disabled => "disabled".to_string(),
                SignInError::Store(_) | SignInError::Password(_) | SignInError::Random(_) => {
                    tracing::error!("sign-in failed: {error:?}");
                    "unavailable".to_string()
                }
            };
            let mut location = format!("/login?error={code}");
            if let Some(next) = next {
                location.push_str(&format!("&next={}", encode(next)));
            }
            see_other(&location)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    csrf_token: String,
}

/// `POST /auth/logout`: ends the session (the form must carry its CSRF token), removes the cookie, back to
/// `/login`.
pub async fn logout(
    State(state): State<AppState>,
    request_parts: axum::http::request::Parts,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let headers = &request_parts.headers;
    if let Some(response) = refuse_foreign_origin(&state, headers) {
        return response;
    }
    let presented = form.ok().map(|Form(f)| f.csrf_token);
    let auth = current::from_parts(&request_parts);
    if let Some(session) = auth.session() {
        if !csrf_token_matches(&session.csrf_token, presented.as_deref()) {
            return forbidden(headers, BAD_CSRF);
        }
        if let Some(token) = cookie_token(headers) {
            let remote = client_addr(&request_parts.extensions);
            if let Err(e) = accounts::sign_out(state.store.as_ref(), &token, remote.as_deref(), Utc::now()).await {
                tracing::error!("sign-out failed: {e}");
                return crate::api::error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "退出暂时无法完成，请稍后再试",
                );
            }
        }
    }
    let mut response = see_other("/login");
    clear_cookie(&state, &mut response);
    response
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
    repeat_password: String,
}

/// The code of a password policy problem, as `/account/password?problems=` carries it.
pub fn policy_problem_code(problem: PolicyProblem) -> &'static str {
    match problem {
        PolicyProblem::TooShort => "too_short",
        PolicyProblem::TooLong => "too_long",
        PolicyProblem::SameAsUsername => "same_as_username",
        PolicyProblem::OneCharacterClass => "one_class",
    }
}

/// `POST /account/password`: changes the signed-in user's password; every other session of the account ends.
pub async fn change_password(
    State(state): State<AppState>,
    request_parts: axum::http::request::Parts,
    form: Result<Form<PasswordForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let headers = &request_parts.headers;
    if let Some(response) = refuse_foreign_origin(&state, headers) {
        return response;
    }
    let auth = current::from_parts(&request_parts);
    let Some(session) = auth.session() else {
        return see_other("/login?next=%2Faccount%2Fpassword");
    };
    let Ok(Form(form)) = form else {
        return forbidden(headers, BAD_CSRF);
    };
    if !csrf_token_matches(&session.csrf_token, Some(&form.csrf_token)) {
        return forbidden(headers, BAD_CSRF);
    }
    if form.new_password != form.repeat_password {
        return see_other("/account/password?error=mismatch");
    }
    let remote = client_addr(&request_parts.extensions);
    let outcome = accounts::change_password(
        state.store.as_ref(),
        &state.auth.throttle,
        session,
        form.current_password,
        form.new_password,
        remote.as_deref(),
        Utc::now(),
    )
    .await;
    match outcome {
        Ok(_) => see_other("/account/password?status=changed"),
        Err(AccountError::WrongPassword) => see_other("/account/password?error=wrong"),
        Err(AccountError::Throttled { seconds }) => {
            see_other(&format!("/account/password?error=throttled&seconds={seconds}"))
        }
        Err(AccountError::Password(PasswordError::Busy)) => see_other("/account/password?error=busy"),
        Err(AccountError::SamePassword) => see_other("/account/password?error=same"),
        Err(AccountError::Policy(policy)) => {
            let problems = policy.0.iter().map(|p| policy_problem_code(*p)).collect::<Vec<_>>().join(",");
            see_other(&format!("/account/password?error=policy&problems={problems}"))
        }
        Err(e) => {
            tracing::error!("password change failed: {e:?}");
            see_other("/account/password?error=unavailable")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_a_request_from_a_page_of_this_host_passes_the_origin_check() {
        let host = (header::HOST, "127.0.0.1:3000");
        assert!(same_origin(&headers(&[host.clone(), (header::ORIGIN, "http://127.0.0.1:3000")]), false));
        assert!(same_origin(&headers(&[host.clone(), (header::REFERER, "http://127.0.0.1:3000/login?x=1")]), false));
        assert!(same_origin(&headers(&[host.clone(), (header::ORIGIN, "https://127.0.0.1:3000")]), false));
        assert!(!same_origin(&headers(&[host.clone(), (header::ORIGIN, "http://127.0.0.1:3000")]), true));
        for bad in ["http://evil.example", "null", "http://127.0.0.1:3001", "http://user@127.0.0.1:3000", ""] {
            assert!(!same_origin(&headers(&[host.clone(), (header::ORIGIN, bad)]), false), "{bad}");
        }
        assert!(!same_origin(&headers(std::slice::from_ref(&host)), false), "neither Origin nor Referer");
        let foreign_origin_wins =
            headers(&[host, (header::ORIGIN, "http://evil.example"), (header::REFERER, "http://127.0.0.1:3000/")]);
        assert!(!same_origin(&foreign_origin_wins, false));
    }

    #[test]
    fn a_forwarded_address_is_believed_only_from_a_trusted_proxy_and_only_up_to_the_first_untrusted_hop() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        let forwarded = headers(&[(header::HeaderName::from_static("x-forwarded-for"), "203.0.113.9, 192.0.2.1")]);
        assert_eq!(forwarded_client(peer, &forwarded, &[proxy]), peer, "an untrusted peer's header is ignored");
        assert_eq!(forwarded_client(proxy, &forwarded, &[]), proxy, "no trusted proxies: the header is ignored");
        let expected: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(forwarded_client(proxy, &forwarded, &[proxy]), expected, "the hop the proxy saw");
        let chained = headers(&[(header::HeaderName::from_static("x-forwarded-for"), "203.0.113.9, 10.0.0.6")]);
        let both: [IpAddr; 2] = [proxy, "10.0.0.6".parse().unwrap()];
        assert_eq!(forwarded_client(proxy, &chained, &both), "203.0.113.9".parse::<IpAddr>().unwrap());
        let garbage = headers(&[(header::HeaderName::from_static("x-forwarded-for"), "not-an-ip")]);
        assert_eq!(forwarded_client(proxy, &garbage, &[proxy]), proxy);
    }

    #[test]
    fn every_password_policy_problem_has_a_code_the_page_explains_in_the_same_words() {
        for problem in [
            PolicyProblem::TooShort,
            PolicyProblem::TooLong,
            PolicyProblem::SameAsUsername,
            PolicyProblem::OneCharacterClass,
        ] {
            let code = policy_problem_code(problem);
            assert_eq!(app::pages::account::policy_problem_message(code), problem.to_string());
        }
    }

    #[test]
    fn password_change_refusals_read_on_the_page_as_the_service_words_them() {
        use app::pages::account::password_error_message;
        assert_eq!(password_error_message("wrong", None), AccountError::WrongPassword.to_string());
        assert_eq!(password_error_message("throttled", Some("9")), AccountError::Throttled { seconds: 9 }.to_string());
        assert_eq!(password_error_message("busy", None), AccountError::Password(PasswordError::Busy).to_string());
    }

    #[test]
    fn sign_in_errors_read_on_the_page_as_the_service_words_them() {
        use app::pages::account::sign_in_message;
        assert_eq!(sign_in_message("invalid", None), SignInError::InvalidCredentials.to_string());
        assert_eq!(sign_in_message("throttled", Some("7")), SignInError::Throttled { seconds: 7 }.to_string());
        assert_eq!(sign_in_message("busy", None), SignInError::Busy.to_string());
        assert_eq!(sign_in_message("disabled", None), SignInError::Disabled.to_string());
    }
}
