//! Shared helpers of the cross-crate tests: a real server on port 0 with a temporary database.

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
            secure_cookies: false,
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
