//! Signing in and out over HTTP against the real server with the demo accounts: the `/login` form, the session
//! cookie (handled by hand: the workspace's reqwest has no cookie jar), the header of a signed-in page, the Origin
//! and CSRF checks of the forms, the password change, and the removal of an expired session's cookie.

use std::str::FromStr;

use app::auth::tokens::token_sha256;
use chrono::{Duration, SecondsFormat, Utc};
use gongkai_tests::{client, csrf_token, encode, post_form_from, TestServer, DEMO_ACCOUNTS, DEMO_PASSWORD};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const ACCOUNTS: [(&str, &str, &str); 5] = DEMO_ACCOUNTS;

/// POSTs an HTML form, from this server's own origin unless `origin` says otherwise.
async fn post_form(
    server: &TestServer,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    post_form_from(server, path, fields, cookie, origin).await
}

fn own_origin(server: &TestServer) -> String {
    server.url("")
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The `Set-Cookie` values of the session cookie.
fn session_set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("gongkai_session="))
        .map(str::to_string)
        .collect()
}

/// The `name=value` pair to send back for a session cookie that was set.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().expect("name=value").to_string()
}

/// Signs in through the form and returns the 303 response.
async fn sign_in_response(server: &TestServer, username: &str, password: &str) -> reqwest::Response {
    let origin = own_origin(server);
    post_form(server, "/auth/login", &[("username", username), ("password", password)], None, Some(&origin)).await
}

/// Signs in and returns the cookie pair to send back.
async fn sign_in(server: &TestServer, username: &str, password: &str) -> String {
    let response = sign_in_response(server, username, password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
    let cookies = session_set_cookies(&response);
    assert_eq!(cookies.len(), 1, "one session cookie: {cookies:?}");
    cookie_pair(&cookies[0])
}

async fn page(server: &TestServer, path: &str, cookie: Option<&str>) -> String {
    let response = get(server, path, cookie).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("body")
}

#[tokio::test]
async fn every_demo_account_signs_in_lands_on_its_home_page_and_sees_its_name_in_the_header() {
    let server = TestServer::start().await;
    let login = page(&server, "/login", None).await;
    assert!(login.contains("演示模式"), "the sign-in page says demo mode");
    assert!(login.contains(DEMO_PASSWORD), "and lists the demo password");
    for (username, display_name, home) in ACCOUNTS {
        assert!(login.contains(username), "{username} is listed on the sign-in page");
        let response = sign_in_response(&server, username, DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{username}");
        assert_eq!(location(&response), home, "{username} lands on its home page");
        let set = session_set_cookies(&response);
        assert_eq!(set.len(), 1, "{set:?}");
        assert!(set[0].contains("HttpOnly") && set[0].contains("SameSite=Lax") && set[0].contains("Path=/"), "{set:?}");
        let cookie = cookie_pair(&set[0]);
        let html = page(&server, home, Some(&cookie)).await;
        assert!(html.contains(display_name), "{username}: the header shows {display_name}");
        assert!(html.contains("退出"), "{username}: the header has the 退出 button");
        assert!(html.contains("name=\"csrf-token\""), "{username}: the CSRF token is in a meta tag");
        assert!(!html.contains("class=\"account__signin\""), "{username}: no 登录 link while signed in");
    }
    let anonymous = page(&server, "/catalog", None).await;
    assert!(anonymous.contains("class=\"account__signin\""), "signed out: the 登录 link");
    assert!(!anonymous.contains("退出"));
    server.stop().await;
}

#[tokio::test]
async fn a_sign_in_returns_to_a_local_next_page_and_never_to_another_site() {
    let server = TestServer::start().await;
    let origin = own_origin(&server);
    for (next, expected) in [("/catalog", "/catalog"), ("//evil.example/x", "/"), ("https://evil.example", "/")] {
        let response = post_form(
            &server,
            "/auth/login",
            &[("username", "demo-hq-viewer"), ("password", DEMO_PASSWORD), ("next", next)],
            None,
            Some(&origin),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), expected, "next={next}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_password_returns_to_the_sign_in_page_with_the_chinese_message_and_no_cookie() {
    let server = TestServer::start().await;
    let response = sign_in_response(&server, "demo-hq-admin", "Wrong-Password-1").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(&response);
    assert!(back.starts_with("/login?error=invalid"), "{back}");
    assert!(session_set_cookies(&response).is_empty(), "no session cookie");
    let html = page(&server, &back, None).await;
    assert!(html.contains("用户名或密码错误"), "the message is shown");
    let unknown = sign_in_response(&server, "nobody-here", "Wrong-Password-1").await;
    assert_eq!(location(&unknown), back, "an unknown user gets the same answer");
    server.stop().await;
}

/// A server behind a trusted reverse proxy on 127.0.0.1: the tests name the client address in `X-Forwarded-For`.
async fn behind_proxy() -> TestServer {
    TestServer::start_configured(|c| c.trusted_proxies = vec!["127.0.0.1".parse().expect("address")]).await
}

/// POSTs a form of this server's pages from the client `address` (through the trusted proxy).
async fn post_from(
    server: &TestServer,
    address: &str,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let mut request = client()
        .post(server.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ORIGIN, own_origin(server))
        .header("x-forwarded-for", address)
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn sign_in_from(server: &TestServer, address: &str, username: &str, password: &str) -> reqwest::Response {
    post_from(server, address, "/auth/login", &[("username", username), ("password", password)], None).await
}

async fn raw_db(server: &TestServer) -> sqlx::SqliteConnection {
    let db = server.dir.path().join("gongkai.db");
    SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .expect("options")
        .connect()
        .await
        .expect("raw connection")
}

/// Records `count` failed sign-ins of `username` from `address`, a second apart, the first `ago` before now: a
/// guessing run that went on before the test, without waiting through its delays.
async fn seed_failures(server: &TestServer, username: &str, address: &str, count: i64, ago: Duration) {
    let mut raw = raw_db(server).await;
    for i in 0..count {
        let at = (Utc::now() - ago + Duration::seconds(i)).to_rfc3339_opts(SecondsFormat::Millis, true);
        sqlx::query("INSERT INTO login_attempts (username, remote_addr, at, succeeded) VALUES (?, ?, ?, 0)")
            .bind(username)
            .bind(address)
            .bind(at)
            .execute(&mut raw)
            .await
            .expect("seed a failure");
    }
    raw.close().await.expect("close");
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    let mut raw = raw_db(server).await;
    let value = sqlx::query_scalar(sql).fetch_one(&mut raw).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    raw.close().await.expect("close");
    value
}

/// The `seconds=` of a redirect to a throttled page.
fn seconds_of(location: &str) -> i64 {
    let (_, seconds) = location.split_once("seconds=").unwrap_or_else(|| panic!("no wait in {location}"));
    seconds.split('&').next().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a number in {location}"))
}

#[tokio::test]
async fn the_hq_administrator_still_signs_in_from_the_office_after_wrong_guesses_from_elsewhere() {
    let server = behind_proxy().await;
    for _ in 0..6 {
        let guess = sign_in_from(&server, "203.0.113.5", "demo-hq-admin", "Wrong-Password-1").await;
        assert!(location(&guess).starts_with("/login?error="), "{}", location(&guess));
        assert!(session_set_cookies(&guess).is_empty());
    }
    let office = sign_in_from(&server, "192.0.2.20", "demo-hq-admin", DEMO_PASSWORD).await;
    assert_eq!(location(&office), "/", "signed in from the office");
    assert_eq!(session_set_cookies(&office).len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_shared_address_full_of_failures_for_other_names_does_not_stop_a_correct_sign_in_there() {
    let server = behind_proxy().await;
    let nat = "198.51.100.10";
    for i in 0..30 {
        seed_failures(&server, &format!("colleague{i}"), nat, 1, Duration::minutes(5)).await;
    }
    for name in ["demo-hq-viewer", "nobody-here"] {
        let guess = sign_in_from(&server, nat, name, "Wrong-Password-1").await;
        assert!(location(&guess).starts_with("/login?error=invalid"), "{}", location(&guess));
    }
    let response = sign_in_from(&server, nat, "demo-tianjin-admin", DEMO_PASSWORD).await;
    assert_eq!(location(&response), "/offices/0200", "an account without failures there signs in");
    assert_eq!(session_set_cookies(&response).len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn repeated_failures_delay_the_address_longer_each_time_with_a_message_naming_the_seconds() {
    let server = behind_proxy().await;
    let attacker = "203.0.113.9";
    // Six failures ten minutes ago: their delays have passed, the next failure makes the address wait 16 s.
    seed_failures(&server, "demo-tianjin-viewer", attacker, 6, Duration::minutes(10)).await;
    let guess = sign_in_from(&server, attacker, "demo-tianjin-viewer", "Wrong-Password-1").await;
    assert!(location(&guess).starts_with("/login?error=invalid"), "{}", location(&guess));
    let attempts = count(&server, "SELECT count(*) FROM login_attempts").await;

    let delayed = sign_in_from(&server, attacker, "demo-tianjin-viewer", DEMO_PASSWORD).await;
    let first = location(&delayed);
    assert!(first.starts_with("/login?error=throttled&seconds="), "{first}");
    assert!(session_set_cookies(&delayed).is_empty(), "the right password is not even verified during the delay");
    let first_wait = seconds_of(&first);
    assert!((1..=16).contains(&first_wait), "{first}");
    let html = page(&server, &first, None).await;
    assert!(html.contains(&format!("登录失败次数过多，请在{first_wait}秒后再试")), "the page names the wait");
    assert_eq!(count(&server, "SELECT count(*) FROM login_attempts").await, attempts, "refused, not counted");

    // One more failure in the window doubles the wait, still counted from the last failure.
    seed_failures(&server, "demo-tianjin-viewer", attacker, 1, Duration::minutes(5)).await;
    let second = location(&sign_in_from(&server, attacker, "demo-tianjin-viewer", DEMO_PASSWORD).await);
    let second_wait = seconds_of(&second);
    assert!(second_wait > first_wait && second_wait <= 32, "{first} then {second}");
    server.stop().await;
}

#[tokio::test]
async fn a_guessing_run_against_one_account_raises_one_alert_in_the_audit_log() {
    let server = behind_proxy().await;
    for i in 0..9 {
        seed_failures(&server, "demo-hq-admin", &format!("203.0.113.{i}"), 1, Duration::minutes(10)).await;
    }
    let alerts = "SELECT count(*) FROM audit_log WHERE action = 'sign_in_alert' AND entity_id = 'demo-hq-admin'";
    assert_eq!(count(&server, alerts).await, 0);
    for address in ["203.0.113.100", "203.0.113.101", "203.0.113.102"] {
        let guess = sign_in_from(&server, address, "demo-hq-admin", "Wrong-Password-1").await;
        assert!(location(&guess).starts_with("/login?error=invalid"), "{}", location(&guess));
    }
    assert_eq!(count(&server, alerts).await, 1, "the tenth failure raised it, the next ones did not");
    let summary: String = {
        let mut raw = raw_db(&server).await;
        let summary = sqlx::query_scalar("SELECT summary FROM audit_log WHERE action = 'sign_in_alert'")
            .fetch_one(&mut raw)
            .await
            .expect("the alert");
        raw.close().await.expect("close");
        summary
    };
    assert!(summary.contains("用户名“demo-hq-admin”在15分钟内登录失败10次"), "{summary}");
    server.stop().await;
}

#[tokio::test]
async fn guesses_of_the_current_password_are_delayed_like_sign_ins() {
    let server = behind_proxy().await;
    let response = sign_in_from(&server, "192.0.2.30", "demo-xingang-filer", DEMO_PASSWORD).await;
    let cookie = cookie_pair(&session_set_cookies(&response)[0]);
    let csrf = csrf_token(&page(&server, "/account/password", Some(&cookie)).await);
    let attacker = "203.0.113.77";
    seed_failures(&server, "demo-xingang-filer", attacker, 6, Duration::minutes(10)).await;
    let change = |current: &'static str| {
        let (server, cookie, csrf) = (&server, cookie.clone(), csrf.clone());
        async move {
            let fields = [
                ("csrf_token", csrf.as_str()),
                ("current_password", current),
                ("new_password", "Xingang-Filer-2024"),
                ("repeat_password", "Xingang-Filer-2024"),
            ];
            location(&post_from(server, attacker, "/account/password", &fields, Some(&cookie)).await)
        }
    };
    assert_eq!(change("Wrong-Password-1").await, "/account/password?error=wrong");
    let delayed = change(DEMO_PASSWORD).await;
    assert!(delayed.starts_with("/account/password?error=throttled&seconds="), "{delayed}");
    let html = page(&server, &delayed, Some(&cookie)).await;
    assert!(html.contains(&format!("原密码错误次数过多，请在{}秒后再试", seconds_of(&delayed))), "the wait");
    // The password did not change.
    let again = sign_in_from(&server, "192.0.2.30", "demo-xingang-filer", DEMO_PASSWORD).await;
    assert_eq!(location(&again), "/returns");
    server.stop().await;
}

#[tokio::test]
async fn a_sign_in_posted_from_a_foreign_origin_is_refused_and_starts_no_session() {
    let server = TestServer::start().await;
    let fields = [("username", "demo-hq-admin"), ("password", DEMO_PASSWORD)];
    let foreign = post_form(&server, "/auth/login", &fields, None, Some("http://evil.example")).await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(session_set_cookies(&foreign).is_empty());
    assert!(foreign.text().await.expect("body").contains("请求来源无法确认"), "Chinese message");
    let without_origin = post_form(&server, "/auth/login", &fields, None, None).await;
    assert_eq!(without_origin.status(), StatusCode::FORBIDDEN, "no Origin and no Referer");
    assert!(session_set_cookies(&without_origin).is_empty());
    server.stop().await;
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_and_then_ends_the_session() {
    let server = TestServer::start().await;
    let origin = own_origin(&server);
    let cookie = sign_in(&server, "demo-tianjin-admin", DEMO_PASSWORD).await;
    let html = page(&server, "/offices/0200", Some(&cookie)).await;
    let csrf = csrf_token(&html);

    let without = post_form(&server, "/auth/logout", &[], Some(&cookie), Some(&origin)).await;
    assert_eq!(without.status(), StatusCode::FORBIDDEN, "no csrf token");
    let wrong = post_form(&server, "/auth/logout", &[("csrf_token", "x")], Some(&cookie), Some(&origin)).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "a wrong csrf token");
    let foreign =
        post_form(&server, "/auth/logout", &[("csrf_token", &csrf)], Some(&cookie), Some("http://evil.example")).await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "a foreign origin");
    assert!(page(&server, "/offices/0200", Some(&cookie)).await.contains("退出"), "still signed in");

    let out = post_form(&server, "/auth/logout", &[("csrf_token", &csrf)], Some(&cookie), Some(&origin)).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/login");
    let cleared = session_set_cookies(&out);
    assert!(cleared.iter().any(|c| c.contains("Max-Age=0")), "the cookie is removed: {cleared:?}");
    let token = cookie.trim_start_matches("gongkai_session=");
    assert!(server.server.store.session_by_token(&token_sha256(token)).await.expect("lookup").is_none(), "ended");
    let after = get(&server, "/catalog", Some(&cookie)).await;
    assert!(session_set_cookies(&after).iter().any(|c| c.contains("Max-Age=0")), "the old cookie is removed");
    assert!(!after.text().await.expect("body").contains("退出"), "signed out");
    server.stop().await;
}

#[tokio::test]
async fn the_password_page_sends_a_signed_out_visitor_to_sign_in_first() {
    let server = TestServer::start().await;
    let response = get(&server, "/account/password", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Faccount%2Fpassword");
    server.stop().await;
}

#[tokio::test]
async fn a_new_password_that_breaks_the_policy_is_refused_with_the_rules_in_chinese() {
    let server = TestServer::start().await;
    let origin = own_origin(&server);
    let cookie = sign_in(&server, "demo-xingang-filer", DEMO_PASSWORD).await;
    let csrf = csrf_token(&page(&server, "/account/password", Some(&cookie)).await);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("current_password", DEMO_PASSWORD),
        ("new_password", "short"),
        ("repeat_password", "short"),
    ];
    let response = post_form(&server, "/account/password", &fields, Some(&cookie), Some(&origin)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(&response);
    assert!(back.starts_with("/account/password?error=policy"), "{back}");
    let html = page(&server, &back, Some(&cookie)).await;
    assert!(html.contains("密码至少需要10个字符"), "the rule is named");
    assert!(html.contains("密码不能只由一类字符组成"), "every broken rule is named");

    let mismatch = [
        ("csrf_token", csrf.as_str()),
        ("current_password", DEMO_PASSWORD),
        ("new_password", "Xingang-Filer-2024"),
        ("repeat_password", "Xingang-Filer-2025"),
    ];
    let response = post_form(&server, "/account/password", &mismatch, Some(&cookie), Some(&origin)).await;
    let html = page(&server, &location(&response), Some(&cookie)).await;
    assert!(html.contains("两次输入的新密码不一致"));

    let no_csrf = [
        ("current_password", DEMO_PASSWORD),
        ("new_password", "Xingang-Filer-2024"),
        ("repeat_password", "Xingang-Filer-2024"),
    ];
    let response = post_form(&server, "/account/password", &no_csrf, Some(&cookie), Some(&origin)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no csrf token");
    // Nothing changed: the demo password still signs in.
    sign_in(&server, "demo-xingang-filer", DEMO_PASSWORD).await;
    server.stop().await;
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_only_the_new_password_signs_in() {
    let server = TestServer::start().await;
    let origin = own_origin(&server);
    let cookie = sign_in(&server, "demo-hq-viewer", DEMO_PASSWORD).await;
    let other = sign_in(&server, "demo-hq-viewer", DEMO_PASSWORD).await;
    let csrf = csrf_token(&page(&server, "/account/password", Some(&cookie)).await);
    let new_password = "Zongshu-Viewer-2024";
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("current_password", DEMO_PASSWORD),
        ("new_password", new_password),
        ("repeat_password", new_password),
    ];
    let response = post_form(&server, "/account/password", &fields, Some(&cookie), Some(&origin)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/password?status=changed");
    let html = page(&server, "/account/password?status=changed", Some(&cookie)).await;
    assert!(html.contains("密码已修改"), "the page says so");
    assert!(html.contains("退出"), "this session stays signed in");
    assert!(!page(&server, "/catalog", Some(&other)).await.contains("退出"), "the other session ended");
    let old = sign_in_response(&server, "demo-hq-viewer", DEMO_PASSWORD).await;
    assert!(location(&old).starts_with("/login?error=invalid"), "the old password no longer works");
    sign_in(&server, "demo-hq-viewer", new_password).await;
    server.stop().await;
}

#[tokio::test]
async fn an_expired_session_cookie_is_cleared_and_the_page_is_shown_signed_out() {
    let server = TestServer::start().await;
    let cookie = sign_in(&server, "demo-hq-admin", DEMO_PASSWORD).await;
    assert!(page(&server, "/", Some(&cookie)).await.contains("退出"));
    // The session was last used 31 minutes ago: past the 30 minutes idle limit.
    let db = server.dir.path().join("gongkai.db");
    let mut raw = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .expect("options")
        .connect()
        .await
        .expect("raw connection");
    let long_ago = (Utc::now() - Duration::minutes(31)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let token = cookie.trim_start_matches("gongkai_session=");
    sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_sha256 = ?")
        .bind(&long_ago)
        .bind(token_sha256(token))
        .execute(&mut raw)
        .await
        .expect("age the session");
    raw.close().await.expect("close");

    let response = get(&server, "/catalog", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cleared = session_set_cookies(&response);
    assert!(cleared.iter().any(|c| c.contains("Max-Age=0")), "the cookie is removed: {cleared:?}");
    assert!(!response.text().await.expect("body").contains("退出"), "shown signed out");
    server.stop().await;
}

#[tokio::test]
async fn a_tampered_session_cookie_is_ignored_and_removed() {
    let server = TestServer::start().await;
    let response = get(&server, "/catalog", Some("gongkai_session=not-a-real-token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_set_cookies(&response).iter().any(|c| c.contains("Max-Age=0")));
    server.stop().await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_marked_secure_only_when_configured() {
    let plain = TestServer::start().await;
    let cookies = session_set_cookies(&sign_in_response(&plain, "demo-hq-admin", "Gongkai-Demo-2022").await);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("HttpOnly") && cookies[0].contains("SameSite=Lax"), "{}", cookies[0]);
    assert!(!cookies[0].contains("Secure"), "http://127.0.0.1 keeps the cookie usable: {}", cookies[0]);
    plain.stop().await;

    // A Secure deployment is reached over HTTPS (a TLS proxy in front): the browser's Origin says https.
    let secure = TestServer::start_configured(|c| c.secure_cookies = true).await;
    let https_origin = own_origin(&secure).replacen("http://", "https://", 1);
    let form = [("username", "demo-hq-admin"), ("password", "Gongkai-Demo-2022")];
    let response = post_form(&secure, "/auth/login", &form, None, Some(&https_origin)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookies = session_set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("; Secure"), "{}", cookies[0]);
    secure.stop().await;
}
