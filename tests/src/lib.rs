//! Shared helpers of the cross-crate tests: a real server on port 0 with a temporary database.

pub mod counting_store;

use std::path::PathBuf;

use server::{Config, RunningServer};

/// A running server and the temporary folder holding its database.
pub struct TestServer {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts the real application on 127.0.0.1:0 with a fresh SQLite file, loading the demo data set.
    pub async fn start() -> TestServer {
        Self::start_with(true).await
    }

    pub async fn start_with(demo: bool) -> TestServer {
        Self::start_configured(|config| config.demo_if_empty = demo).await
    }

    /// Starts the server with the default test configuration changed by `adjust` (demo set on, cookies not Secure).
    pub async fn start_configured(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = dir.path().join("gongkai.db");
        let mut config = Config {
            database_url: format!("sqlite://{}", db.display()),
            addr: "127.0.0.1:0".parse().expect("address"),
            site_root: site_root(),
            demo_if_empty: true,
            demo_history: false,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
        };
        adjust(&mut config);
        let server = server::start(config).await.expect("server starts");
        TestServer { server, dir }
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// Issues an API token (`gk_…`, sent as `Authorization: Bearer`) for `role` at `office`, as the command line would.
    pub async fn api_token(&self, role: app::auth::Role, office: &str) -> String {
        let office = analytics::offices::OfficeCode::parse(office).expect("office code");
        let (_, token) = app::services::accounts::issue_api_token(
            self.server.store.as_ref(),
            "测试令牌",
            role,
            &office,
            app::services::today_in_china(),
            chrono::Utc::now(),
            &app::store::Actor::cli(),
        )
        .await
        .expect("token issued");
        token.token
    }

    /// An API token of an HQ viewer (reads everything).
    pub async fn hq_viewer_token(&self) -> String {
        self.api_token(app::auth::Role::HqViewer, "0000").await
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}

/// The site folder cargo-leptos builds (`target/site` at the workspace root).
pub fn site_root() -> PathBuf {
    std::env::var("LEPTOS_SITE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site"))
}

/// An HTTP client that does not follow redirects, so tests can check each 303 and its `Set-Cookie`.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Percent-encodes a value for an `application/x-www-form-urlencoded` body.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The password of every demo account (demo mode only; README).
pub const DEMO_PASSWORD: &str = "Gongkai-Demo-2022";

/// The demo accounts: (user name, display name, home page).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
    ("demo-hq-admin", "总署办公厅（演示管理员）", "/"),
    ("demo-hq-viewer", "总署办公厅（演示查看员）", "/"),
    ("demo-tianjin-admin", "天津海关办公室（演示管理员）", "/offices/0200"),
    ("demo-tianjin-viewer", "天津海关办公室（演示查看员）", "/offices/0200"),
    ("demo-xingang-filer", "新港海关（演示填报员）", "/returns"),
];

/// POSTs a url-encoded HTML form from this server's own pages (`Origin`), asking for HTML, with the cookie when
/// given.
pub async fn post_form(
    server: &TestServer,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    post_form_from(server, path, fields, cookie, Some(&server.url(""))).await
}

/// POSTs a url-encoded HTML form with the given `Origin` header (none when `None`).
pub async fn post_form_from(
    server: &TestServer,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> reqwest::Response {
    use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, ORIGIN};
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let mut request = client()
        .post(server.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "text/html")
        .body(body);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

/// The `name=value` pair of the session cookie a response set, if it set one.
pub fn session_cookie_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gongkai_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// Signs in through the `/login` form with `password` and returns the session cookie pair to send back.
pub async fn sign_in_with(server: &TestServer, username: &str, password: &str) -> String {
    let response = post_form(server, "/auth/login", &[("username", username), ("password", password)], None).await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER, "sign-in of {username}");
    let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(!location.starts_with("/login"), "{username} signed in (sent to {location})");
    session_cookie_of(&response).unwrap_or_else(|| panic!("{username}: no session cookie"))
}

/// Signs in a demo account and returns the session cookie pair.
pub async fn sign_in(server: &TestServer, username: &str) -> String {
    sign_in_with(server, username, DEMO_PASSWORD).await
}

/// A signed-in demo account: its cookie and the session's CSRF token, as a page of the session carries it.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in a demo account and reads its CSRF token from a page.
pub async fn session(server: &TestServer, username: &str) -> Session {
    let cookie = sign_in(server, username).await;
    let html = client()
        .get(server.url("/account/password"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .expect("password page")
        .text()
        .await
        .expect("body");
    Session { cookie, csrf: csrf_token(&html) }
}

/// The CSRF token of a signed-in page (the hidden `csrf_token` field of its 退出 form).
pub fn csrf_token(html: &str) -> String {
    let at = html.find("name=\"csrf_token\"").expect("the page has the csrf field");
    let rest = &html[at..];
    let start = rest.find("value=\"").expect("value") + "value=\"".len();
    rest[start..start + rest[start..].find('"').expect("end of value")].to_string()
}
