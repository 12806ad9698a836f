//! Browser tests: the `gongkai` binary and the client in `target/site` (`scripts/test` builds both), driven by headless Chromium through
//! chromedriver — every scenario with JavaScript (the page hydrates) and without it (server HTML alone).
//!
//! They need `GONGKAI_E2E_BIN` (the `gongkai` binary, see `scripts/test`), `target/site` and
//! chromedriver. When those are missing the tests say so and pass, unless `GONGKAI_REQUIRE_BROWSER=1` or
//! `CI=true`, where a missing piece fails the run.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_tests::site_root;

/// Kills the child process when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn required() -> bool {
    std::env::var("GONGKAI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// What the browser tests need, or why they cannot run.
fn prerequisites() -> Result<(PathBuf, PathBuf), String> {
    let bin = std::env::var("GONGKAI_E2E_BIN")
        .map(PathBuf::from)
        .map_err(|_| "GONGKAI_E2E_BIN is not set (run scripts/test)".to_string())?;
    if !bin.exists() {
        return Err(format!("{} does not exist (run scripts/test)", bin.display()));
    }
    let site = site_root();
    if !site.join("pkg").join("gongkai.js").exists() {
        return Err(format!("{} has no built client (scripts/lib/site.sh: build_site)", site.display()));
    }
    let driver = which("chromedriver").ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
    Ok((bin, driver))
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(name)).find(|p| p.exists())
}

async fn wait_until_up(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let http = reqwest::Client::new();
    while Instant::now() < deadline {
        if http.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} did not come up at {url} within 60 s");
}

/// The product (the binary and client of `scripts/test`) with a fresh demo database, and a chromedriver.
struct Rig {
    base: String,
    driver_url: String,
    _server: Guard,
    _driver: Guard,
    _dir: tempfile::TempDir,
}

impl Rig {
    async fn start() -> Option<Rig> {
        let (bin, driver) = match prerequisites() {
            Ok(p) => p,
            Err(why) if required() => panic!("browser tests cannot run: {why}"),
            Err(why) => {
                eprintln!("SKIPPED browser test: {why}");
                return None;
            }
        };
        let dir = tempfile::tempdir().expect("temporary folder");
        let port = free_port();
        let server = Command::new(bin)
            .args(["--database-url", &format!("sqlite://{}", dir.path().join("e2e.db").display())])
            // The demo's history of returns loads in the background for minutes in a debug build: the browser tests
            // do without it, so that the machine is not busy with it while they measure nothing but pages.
            .args(["serve", "--no-demo-history", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--site-root")
            .arg(site_root())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gongkai");
        let server = Guard(server);
        let base = format!("http://127.0.0.1:{port}");
        wait_until_up(&format!("{base}/health"), "gongkai").await;

        let driver_port = free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Guard(driver);
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        wait_until_up(&format!("{driver_url}/status"), "chromedriver").await;
        Some(Rig { base, driver_url, _server: server, _driver: driver, _dir: dir })
    }

    async fn browser(&self, javascript: bool) -> Client {
        let mut prefs = serde_json::Map::new();
        if !javascript {
            prefs.insert("profile.managed_default_content_settings.javascript".into(), 2.into());
        }
        let profile = tempfile::tempdir().expect("profile folder").keep();
        let options = serde_json::json!({
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1440,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": prefs,
        });
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        // The console, for the Content-Security-Policy violations the browser reports there (`console_problems`).
        caps.insert("goog:loggingPrefs".into(), serde_json::json!({ "browser": "ALL" }));
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.driver_url)
            .await
            .expect("chromedriver session")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Files and decides the demo history of the offices of `district` up to `until`, straight into the rig's
    /// database: the rig runs without the demo history, whose whole load takes minutes.
    async fn load_district_history(&self, district: &str, until: chrono::NaiveDate) {
        use analytics::returns::demo::{history, DemoDecision};
        use app::store::{Actor, Decision, DraftOutcome, NewReturnDraft, ReturnReason, ReturnSource};
        use chrono::TimeZone;

        let url = format!("sqlite://{}", self._dir.path().join("e2e.db").display());
        let store = app::store::connect(&url).await.expect("the rig's database");
        let directory = analytics::offices::Directory::new(store.office_versions().await.expect("offices"));
        let catalog = store.standard_catalog().await.expect("catalog").expect("a catalog");
        let actor = Actor::cli();
        let morning =
            |day: chrono::NaiveDate| chrono::Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).expect("10:00 in China"));
        let in_district = |code: &analytics::offices::OfficeCode| {
            directory
                .versions()
                .iter()
                .any(|v| &v.code == code && v.parent.as_ref().is_some_and(|p| p.as_str() == district))
        };
        for filing in history(&directory, &catalog, until).into_iter().filter(|f| in_district(&f.snapshot.office)) {
            let draft = NewReturnDraft {
                content_sha256: format!("browser-{}-{}", filing.snapshot.office, filing.submitted_on),
                snapshot: filing.snapshot,
                catalog_code: catalog.code.clone(),
                template_version: None,
                source: ReturnSource::Demo,
                source_name: None,
                warnings: Vec::new(),
                file: None,
            };
            let (outcome, _) =
                store.create_and_submit_return(&draft, morning(filing.submitted_on), &actor).await.expect("filed");
            let DraftOutcome::Created(id) = outcome else { continue };
            if let Some((decision, day)) = filing.decision {
                let (decision, reasons) = match decision {
                    DemoDecision::Accept => (Decision::Accepted, Vec::new()),
                    DemoDecision::Return { item, reason } => {
                        (Decision::Returned, vec![ReturnReason { item: Some(item), requirement: None, reason }])
                    }
                };
                store.decide_return(id, decision, "", &reasons, morning(day), &actor).await.expect("decided");
            }
        }
        store.close().await;
    }
}

async fn screenshot(client: &Client, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    if std::fs::create_dir_all(&dir).is_ok() {
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }
}

async fn hydrated(client: &Client) -> bool {
    client.find(Locator::Css("body")).await.expect("body").attr("data-hydrated").await.expect("attribute").as_deref()
        == Some("true")
}

async fn catalog_rows(client: &Client) -> usize {
    client.find_all(Locator::Css("table.catalog-table tbody tr")).await.expect("rows").len()
}

#[tokio::test]
async fn the_catalog_page_shows_all_25_items_with_and_without_javascript() {
    let Some(rig) = Rig::start().await else { return };

    // Without JavaScript: the server's HTML alone carries the whole catalog.
    let plain = rig.browser(false).await;
    plain.goto(&rig.url("/catalog")).await.expect("open catalog");
    assert_eq!(catalog_rows(&plain).await, 25, "25 second-level items without JavaScript");
    let text = plain.find(Locator::Css("main")).await.expect("main").text().await.expect("text");
    assert!(text.contains("海关总署网站"), "item 3's other channel is shown");
    assert!(text.contains("〔原文缺失〕"), "extraction gaps stay visible");
    assert!(text.contains("《中华人民共和国政府信息公开条例》"), "basis ① with its full title");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!hydrated(&plain).await, "no script ran, so the page is not hydrated");
    screenshot(&plain, "catalog-no-js").await;
    plain.close().await.expect("close");

    // With JavaScript: the same page, then hydrated by the wasm client.
    let js = rig.browser(true).await;
    js.goto(&rig.url("/catalog")).await.expect("open catalog");
    js.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-hydrated='true']"))
        .await
        .expect("the page hydrates within 30 s");
    assert_eq!(catalog_rows(&js).await, 25, "25 second-level items after hydration");
    let recommended = js.find_all(Locator::Css("#item-3 .channel-list li.on")).await.expect("channels").len();
    assert_eq!(recommended, 5, "item 3 recommends A, C, D, E and H");
    screenshot(&js, "catalog").await;
    js.close().await.expect("close");
}

/// Signs in through the sign-in form as `username` (a demo account) and waits for the 退出 button.
async fn sign_in(client: &Client, rig: &Rig, username: &str, javascript: bool) {
    client.goto(&rig.url("/login")).await.expect("open sign-in page");
    if javascript {
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body[data-hydrated='true']"))
            .await
            .expect("hydrates");
    }
    client
        .find(Locator::Css("input[name='username']"))
        .await
        .expect("user name")
        .send_keys(username)
        .await
        .expect("type");
    client
        .find(Locator::Css("input[name='password']"))
        .await
        .expect("password")
        .send_keys("Gongkai-Demo-2022")
        .await
        .expect("type");
    client
        .find(Locator::Css("form.auth-form button[type='submit']"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(".account__signout button"))
        .await
        .expect("signed in: the 退出 button appears");
}

#[tokio::test]
async fn the_office_directory_searches_and_navigates_with_and_without_javascript() {
    let Some(rig) = Rig::start().await else { return };
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        // The directory needs a signed-in user; an HQ viewer sees every district.
        sign_in(&client, &rig, "demo-hq-viewer", javascript).await;
        client.goto(&rig.url("/")).await.expect("open overview");
        if javascript {
            client
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css("body[data-hydrated='true']"))
                .await
                .expect("hydrates");
        }
        // The navigation link to the directory (client-side routing when hydrated, a plain link otherwise).
        client
            .find(Locator::Css("nav.main-nav a[href='/offices']"))
            .await
            .expect("nav link")
            .click()
            .await
            .expect("click");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("form.search-form"))
            .await
            .expect("directory page");
        let districts = client.find_all(Locator::Css("details.district")).await.expect("districts").len();
        assert_eq!(districts, 42, "42 direct customs listed (javascript: {javascript})");

        // Search by name with the GET form.
        let input = client.find(Locator::Css("input[name='q']")).await.expect("search box");
        input.send_keys("新港").await.expect("type");
        client
            .find(Locator::Css("form.search-form button[type='submit']"))
            .await
            .expect("button")
            .click()
            .await
            .expect("submit");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath("//ul[contains(@class,'office-list')]//a[text()='新港海关']"))
            .await
            .expect("新港海关 is found");
        // 新港海关 is also in the unfiltered list, so wait for the filtered one to replace it (with JavaScript the
        // list is updated in place).
        let mut shown = 0;
        for _ in 0..40 {
            shown = client.find_all(Locator::Css("details.district")).await.expect("districts").len();
            if shown == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(shown, 1, "only 天津海关 holds 新港海关 (javascript: {javascript})");
        screenshot(&client, if javascript { "directory-search" } else { "directory-search-no-js" }).await;

        // Switch to English with the plain link and come back to the same page.
        client
            .find(Locator::Css(".lang-switch a[hreflang='en']"))
            .await
            .expect("English link")
            .click()
            .await
            .expect("click");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("html[lang='en']"))
            .await
            .expect("the page is in English");
        let heading = client.find(Locator::Css("h1")).await.expect("h1").text().await.expect("text");
        assert!(heading.starts_with("Offices as of"), "English heading, got {heading}");
        client.close().await.expect("close");
    }
}

#[tokio::test]
async fn the_hq_administrator_signs_in_and_out_with_and_without_javascript() {
    let Some(rig) = Rig::start().await else { return };
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        client.goto(&rig.url("/login")).await.expect("open sign-in page");
        if javascript {
            client
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css("body[data-hydrated='true']"))
                .await
                .expect("hydrates");
        }
        client
            .find(Locator::Css("input[name='username']"))
            .await
            .expect("user name")
            .send_keys("demo-hq-admin")
            .await
            .expect("type");
        client
            .find(Locator::Css("input[name='password']"))
            .await
            .expect("password")
            .send_keys("Gongkai-Demo-2022")
            .await
            .expect("type");
        client
            .find(Locator::Css("form.auth-form button[type='submit']"))
            .await
            .expect("button")
            .click()
            .await
            .expect("submit");
        let signout = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(".account__signout button"))
            .await
            .expect("signed in: the 退出 button appears");
        assert_eq!(signout.text().await.expect("text"), "退出", "javascript: {javascript}");
        let url = client.current_url().await.expect("url");
        assert_eq!(url.path(), "/", "HQ lands on the national overview (javascript: {javascript})");
        let name = client.find(Locator::Css(".account__name")).await.expect("name").text().await.expect("text");
        assert_eq!(name, "总署办公厅（演示管理员）", "javascript: {javascript}");
        screenshot(&client, if javascript { "signed-in" } else { "signed-in-no-js" }).await;

        signout.click().await.expect("sign out");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("a.account__signin"))
            .await
            .expect("signed out: the 登录 link is back");
        assert_eq!(client.current_url().await.expect("url").path(), "/login");
        client.close().await.expect("close");
    }
}

/// Clicks 退出 and waits for the 登录 link.
async fn sign_out(client: &Client) {
    client.find(Locator::Css(".account__signout button")).await.expect("退出").click().await.expect("sign out");
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("a.account__signin"))
        .await
        .expect("signed out: the 登录 link is back");
}

/// The labels of the main navigation, in order.
async fn nav_labels(client: &Client) -> Vec<String> {
    let mut labels = Vec::new();
    for link in client.find_all(Locator::Css("nav.main-nav .main-nav__label")).await.expect("navigation") {
        labels.push(link.text().await.expect("label"));
    }
    labels
}

#[tokio::test]
async fn every_demo_role_lands_on_its_own_home_page_and_sees_only_its_own_navigation() {
    let Some(rig) = Rig::start().await else { return };
    // (user name, home page, navigation, districts the directory shows)
    let roles: [(&str, &str, &[&str], usize); 5] = [
        ("demo-hq-admin", "/", &["全国概览", "标准目录", "机构名录", "填报与审核", "系统管理"], 42),
        ("demo-hq-viewer", "/", &["全国概览", "标准目录", "机构名录", "填报与审核", "系统管理"], 42),
        ("demo-tianjin-admin", "/offices/0200", &["标准目录", "机构名录", "填报与审核", "本关区概览"], 1),
        ("demo-tianjin-viewer", "/offices/0200", &["标准目录", "机构名录", "填报与审核", "本关区概览"], 1),
        ("demo-xingang-filer", "/returns", &["标准目录", "机构名录", "填报与审核", "本单位评分"], 1),
    ];
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        for (username, home, navigation, districts) in roles {
            sign_in(&client, &rig, username, javascript).await;
            let url = client.current_url().await.expect("url");
            assert_eq!(url.path(), home, "{username} lands on its home page (javascript: {javascript})");
            assert_eq!(nav_labels(&client).await, navigation, "{username}'s navigation (javascript: {javascript})");
            screenshot(&client, &format!("home-{username}{}", if javascript { "" } else { "-no-js" })).await;
            if javascript {
                client
                    .wait()
                    .at_most(Duration::from_secs(30))
                    .for_element(Locator::Css("body[data-hydrated='true']"))
                    .await
                    .expect("hydrates");
            }
            // With JavaScript this is client-side routing: the directory comes from a server function called
            // with the session's CSRF token, which the server insists on.
            client
                .find(Locator::Css("nav.main-nav a[href='/offices']"))
                .await
                .expect("nav link")
                .click()
                .await
                .expect("click");
            client
                .wait()
                .at_most(Duration::from_secs(15))
                .for_element(Locator::Css("form.search-form"))
                .await
                .unwrap_or_else(|_| panic!("{username}: the directory opens (javascript: {javascript})"));
            let shown = client.find_all(Locator::Css("details.district")).await.expect("districts").len();
            assert_eq!(shown, districts, "{username} sees its districts only (javascript: {javascript})");
            sign_out(&client).await;
        }
        client.close().await.expect("close");
    }
}

fn return_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns").join(name);
    path.canonicalize().expect("fixture").display().to_string()
}

/// Chooses `file` in the upload form and submits it.
async fn upload_file(client: &Client, file: &str) {
    client
        .find(Locator::Css("form.upload-form input[type='file']"))
        .await
        .expect("file input")
        .send_keys(file)
        .await
        .expect("choose file");
    client
        .find(Locator::Css("form.upload-form button[type='submit']"))
        .await
        .expect("upload button")
        .click()
        .await
        .expect("upload");
}

#[tokio::test]
async fn a_filer_fixes_a_return_from_the_cell_report_confirms_it_and_the_direct_customs_accepts_it() {
    let Some(rig) = Rig::start().await else { return };
    for (javascript, good) in [(false, "filled.xlsx"), (true, "filled.ods")] {
        let client = rig.browser(javascript).await;
        sign_in(&client, &rig, "demo-xingang-filer", javascript).await;
        client.goto(&rig.url("/returns")).await.expect("returns page");
        upload_file(&client, &return_fixture("errors.xlsx")).await;
        let report = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("table.upload-report"))
            .await
            .expect("the upload report");
        let text = report.text().await.expect("text");
        assert!(text.contains("公开事项!F4"), "the report names the cell (javascript: {javascript}): {text}");
        screenshot(&client, if javascript { "return-errors" } else { "return-errors-no-js" }).await;

        client.goto(&rig.url("/returns")).await.expect("returns page");
        upload_file(&client, &return_fixture(good)).await;
        let confirm = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("button.confirm-button"))
            .await
            .expect("the preview with its confirm button");
        screenshot(&client, if javascript { "return-preview" } else { "return-preview-no-js" }).await;
        confirm.click().await.expect("confirm");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath("//p[contains(@class,'notice-box') and contains(., '填报已提交')]"))
            .await
            .expect("submitted");
        let id = client.current_url().await.expect("url").path().trim_start_matches("/returns/").to_string();
        sign_out(&client).await;

        sign_in(&client, &rig, "demo-tianjin-admin", javascript).await;
        client.goto(&rig.url("/returns")).await.expect("returns page");
        let queued = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath(&format!(
                "//section[contains(@class,'returns-queue')]//a[@href='/returns/{id}']"
            )))
            .await
            .expect("the return waits in the queue");
        screenshot(&client, if javascript { "return-queue" } else { "return-queue-no-js" }).await;
        queued.click().await.expect("open");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("form.decision-form input[value='accept']"))
            .await
            .expect("the decision form")
            .click()
            .await
            .expect("choose accept");
        client
            .find(Locator::Css("form.decision-form button[type='submit']"))
            .await
            .expect("submit")
            .click()
            .await
            .expect("decide");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath("//p[contains(@class,'notice-box') and contains(., '已审核通过')]"))
            .await
            .expect("accepted");
        sign_out(&client).await;
        client.close().await.expect("close");
    }
}

/// Clicks the first element matching `css` and waits for the element at XPath `then` to appear.
async fn click_and_wait(client: &Client, css: &str, then: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css}")).click().await.expect("click");
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(then))
        .await
        .unwrap_or_else(|_| panic!("{then} appears after clicking {css}"));
}

/// Whether the image `css` has loaded and shows something, waiting up to ten seconds.
async fn image_loaded(client: &Client, css: &str) -> bool {
    let script = format!("const i = document.querySelector({css:?}); return !!i && i.complete && i.naturalWidth > 0;");
    for _ in 0..40 {
        if client.execute(&script, vec![]).await.expect("script") == serde_json::Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// Makes the window as tall as the page (at most 6000 pixels), so a screenshot shows all of it.
async fn whole_page(client: &Client) {
    let height = client
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(3000)
        .clamp(1000, 6000);
    let _ = client.set_window_size(1440, height as u32).await;
}

/// On a direct customs' dashboard: click 2, an office of its table that lost points (score column) → the office page
/// and its scorecard (screenshot `shot`); click 3, the first item that lost points → its row with the engine's reason.
async fn office_scorecard_and_reason(client: &Client, javascript: bool, as_of: Option<&str>, shot: &str) {
    let mut office = None;
    for row in client.find_all(Locator::Css("#office-table tbody tr")).await.expect("rows") {
        let cells = row.find_all(Locator::Css("td")).await.expect("cells");
        let mut texts = Vec::new();
        for cell in &cells {
            texts.push(cell.text().await.expect("text"));
        }
        if texts.get(7).and_then(|s| s.parse::<f64>().ok()).is_some_and(|s| s < 100.0) {
            office = Some((texts[0].clone(), texts[1].clone()));
            break;
        }
    }
    let (code, name) = office.expect("an office of the district that lost points");
    click_and_wait(
        client,
        &format!("#office-table a[href^='/offices/{code}']"),
        &format!("//section[contains(@class,'page-head')]/h1[text()='{name}']"),
    )
    .await;
    let url = client.current_url().await.expect("url");
    assert_eq!(url.path(), format!("/offices/{code}"), "javascript: {javascript}");
    if let Some(as_of) = as_of {
        assert_eq!(url.query(), Some(format!("as_of={as_of}").as_str()), "the date is kept");
    }
    client.find(Locator::Css("#scorecard [data-figure='score']")).await.expect("the score");
    let sum = client.find(Locator::Css("#score-sum")).await.expect("the sum").text().await.expect("text");
    assert!(sum.starts_with("扣分合计"), "{sum}");
    whole_page(client).await;
    screenshot(client, &if javascript { shot.to_string() } else { format!("{shot}-no-js") }).await;
    let _ = client.set_window_size(1440, 1000).await;

    // Click 3: the first item that lost points → its row, with the engine's reason.
    let link = client.find(Locator::Css("a.lost-item")).await.expect("an item that lost points");
    let anchor = link.attr("href").await.expect("href").expect("a link");
    link.click().await.expect("click");
    let row = client.find(Locator::Css(&format!("tr{anchor}"))).await.expect("the item's row");
    assert!(row.is_displayed().await.expect("displayed"));
    let reason = row.find(Locator::Css("td.score-reasons")).await.expect("reasons").text().await.expect("text");
    assert!(reason.contains('扣') && reason.contains('：'), "the engine's reason: {reason}");
    let url = client.current_url().await.expect("url");
    assert_eq!(url.fragment(), Some(&anchor[1..]), "javascript: {javascript}");
}

#[tokio::test]
async fn hq_sees_the_national_dashboard_and_drills_down_to_a_district_an_office_and_an_items_reason_in_three_clicks() {
    let Some(rig) = Rig::start().await else { return };
    rig.load_district_history("0200", chrono::NaiveDate::from_ymd_opt(2023, 1, 15).expect("date")).await;
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        sign_in(&client, &rig, "demo-hq-viewer", javascript).await;
        client.goto(&rig.url("/?as_of=2022-12-31")).await.expect("open the dashboard");
        if javascript {
            client
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css("body[data-hydrated='true']"))
                .await
                .expect("hydrates");
        }
        for css in ["#progress-table", "#at-risk"] {
            client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css} (javascript: {javascript})"));
        }
        for chart in ["burn-up", "matrix", "ranking", "scores"] {
            let img = format!("#chart-{chart} img");
            assert!(image_loaded(&client, &img).await, "{img} shows its SVG (javascript: {javascript})");
        }
        let head = client.find(Locator::Css(".page-head")).await.expect("head").text().await.expect("text");
        assert!(head.contains("截至2022年12月31日"), "{head}");
        whole_page(&client).await;
        screenshot(&client, if javascript { "dashboard-hq" } else { "dashboard-hq-no-js" }).await;
        let _ = client.set_window_size(1440, 1000).await;

        // Click 1: a district in the progress table → its dashboard, the date kept.
        click_and_wait(&client, "#progress-table a[href^='/offices/0200']", "//table[@id='office-table']").await;
        let url = client.current_url().await.expect("url");
        assert_eq!((url.path(), url.query()), ("/offices/0200", Some("as_of=2022-12-31")), "javascript: {javascript}");
        // The heatmap from its SVG route, whether the server rendered the page or the browser built it.
        let heatmap = client.find(Locator::Css("#chart-heatmap img")).await.expect("the heatmap");
        let src = heatmap.attr("src").await.expect("src").unwrap_or_default();
        assert!(src.starts_with("/dashboard/charts/heatmap.svg?as_of=2022-12-31&district=0200"), "{src}");
        assert!(
            image_loaded(&client, "#chart-heatmap img").await,
            "the heatmap's SVG loads (javascript: {javascript})"
        );
        whole_page(&client).await;
        screenshot(&client, if javascript { "dashboard-district" } else { "dashboard-district-no-js" }).await;
        let _ = client.set_window_size(1440, 1000).await;

        // Clicks 2 and 3: an office that lost points, then the first item that lost points.
        office_scorecard_and_reason(&client, javascript, Some("2022-12-31"), "scorecard").await;
        if javascript {
            // The print layout, approximated on screen: the print rules applied to the page at A4 landscape's width.
            let _ = client
                .execute(
                    "for (const sheet of document.styleSheets) {
                       let rules; try { rules = Array.from(sheet.cssRules); } catch (e) { continue; }
                       for (const rule of rules) {
                         if (rule instanceof CSSMediaRule && rule.media.mediaText.includes('print')) {
                           for (const inner of Array.from(rule.cssRules)) {
                             if (!(inner instanceof CSSPageRule)) { sheet.insertRule(inner.cssText, sheet.cssRules.length); }
                           }
                         }
                       }
                     }
                     document.body.style.width = '1020px';",
                    vec![],
                )
                .await;
            whole_page(&client).await;
            screenshot(&client, "scorecard-print").await;
        }
        client.close().await.expect("close");
    }
}

#[tokio::test]
async fn a_direct_customs_drills_down_from_its_dashboard_to_an_offices_item_reason_with_and_without_javascript() {
    let Some(rig) = Rig::start().await else { return };
    rig.load_district_history("0200", chrono::NaiveDate::from_ymd_opt(2023, 1, 15).expect("date")).await;
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        // Signing in lands 天津's viewer on its own dashboard (today).
        sign_in(&client, &rig, "demo-tianjin-viewer", javascript).await;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#office-table"))
            .await
            .expect("the district's dashboard is its home");
        assert_eq!(client.current_url().await.expect("url").path(), "/offices/0200");
        office_scorecard_and_reason(&client, javascript, None, "scorecard-district-viewer").await;
        client.close().await.expect("close");
    }
}

#[tokio::test]
async fn a_filer_fills_in_the_web_form_sees_an_error_beside_its_field_fixes_it_and_confirms_with_and_without_javascript(
) {
    let Some(rig) = Rig::start().await else { return };
    for javascript in [false, true] {
        let client = rig.browser(javascript).await;
        sign_in(&client, &rig, "demo-xingang-filer", javascript).await;
        // A draft of 2022Q3 to prefill the form from (the demo database has no return of 新港海关 without its
        // history); the second run finds the same draft again.
        client.goto(&rig.url("/returns")).await.expect("returns page");
        upload_file(&client, &return_fixture("filled.xlsx")).await;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("button.confirm-button"))
            .await
            .expect("the draft's preview");

        client.goto(&rig.url("/returns")).await.expect("returns page");
        client.find(Locator::Css("a.online-form-link")).await.expect("在线填报").click().await.expect("open the form");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("form.return-form"))
            .await
            .expect("form");
        client.goto(&rig.url("/returns/form?period=2022Q3")).await.expect("the form of 2022Q3");
        if javascript {
            client
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css("body[data-hydrated='true']"))
                .await
                .expect("hydrates");
        }
        let source = client.find(Locator::Css(".form-source")).await.expect("prefill note").text().await.expect("text");
        assert!(source.contains("预填"), "prefilled from the draft (javascript: {javascript}): {source}");
        screenshot(&client, if javascript { "return-form" } else { "return-form-no-js" }).await;

        // 是否公开 of item 5 left empty, and a note that differs per run (each run files a new return).
        client
            .find(Locator::Css("select[name='item.5.disclosed']"))
            .await
            .expect("是否公开 of item 5")
            .select_by_value("")
            .await
            .expect("choose 请选择");
        let note = format!("在线填报（{}）", if javascript { "JS" } else { "无JS" });
        client
            .find(Locator::Css("input[name='item.5.note']"))
            .await
            .expect("备注 of item 5")
            .send_keys(&note)
            .await
            .expect("type");
        client.find(Locator::Css("button.submit-form")).await.expect("submit").click().await.expect("submit");
        let message = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::XPath(
                "//tr[@data-key='5']//td[contains(@class,'col-answer')]//li[contains(@class,'field-error')]",
            ))
            .await
            .expect("the message beside 是否公开 of item 5");
        assert_eq!(message.text().await.expect("text"), "是否公开不能为空：请填 是、否 或 不适用");
        let summary = client.find(Locator::Css("#form-summary")).await.expect("summary").text().await.expect("text");
        assert!(summary.contains("提交未成功：有 1 处错误"), "javascript: {javascript}: {summary}");
        let kept = client
            .find(Locator::Css("input[name='item.5.note']"))
            .await
            .expect("备注")
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        assert!(kept.contains(&note), "what was typed is kept (javascript: {javascript}): {kept}");
        screenshot(&client, if javascript { "return-form-errors" } else { "return-form-errors-no-js" }).await;

        client
            .find(Locator::Css("select[name='item.5.disclosed']"))
            .await
            .expect("是否公开 of item 5")
            .select_by_value("是")
            .await
            .expect("choose 是");
        client.find(Locator::Css("button.submit-form")).await.expect("submit").click().await.expect("submit");
        let confirm = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("button.confirm-button"))
            .await
            .expect("the preview with its confirm button");
        confirm.click().await.expect("confirm");
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath("//p[contains(@class,'notice-box') and contains(., '填报已提交')]"))
            .await
            .expect("submitted");
        sign_out(&client).await;
        client.close().await.expect("close");
    }
}

/// Chromedriver's `POST /session/{id}/se/log` for the browser's console: the entries since the last call.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// The console messages since the last call that report a Content-Security-Policy violation (Chromium writes
/// "Refused to … because it violates the following Content Security Policy directive …").
async fn csp_violations(client: &Client) -> Vec<String> {
    let entries = client.issue_cmd(BrowserLog).await.expect("the browser's console log");
    entries
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| e["message"].as_str())
                .filter(|m| m.contains("Content Security Policy") || m.contains("Content-Security-Policy"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_page_hydrates_under_the_content_security_policy_without_a_violation() {
    let Some(rig) = Rig::start().await else { return };
    let client = rig.browser(true).await;
    let hydrates = |path: String| {
        let client = client.clone();
        async move {
            client
                .wait()
                .at_most(Duration::from_secs(30))
                .for_element(Locator::Css("body[data-hydrated='true']"))
                .await
                .unwrap_or_else(|_| panic!("{path} hydrates under the policy"));
        }
    };
    // Signed out: the public pages (and the sign-in page, which `sign_in` opens and waits for).
    for path in ["/catalog", "/no-such-page"] {
        client.goto(&rig.url(path)).await.expect("open");
        hydrates(path.to_string()).await;
        assert_eq!(csp_violations(&client).await, Vec::<String>::new(), "{path}");
    }
    sign_in(&client, &rig, "demo-hq-admin", true).await;
    assert_eq!(csp_violations(&client).await, Vec::<String>::new(), "/login and the sign-in");
    // Every page of the router that needs no record of its own, as 总署办公厅管理员, who may open them all.
    for path in [
        "/",
        "/?as_of=2022-12-31",
        "/catalog",
        "/offices",
        "/offices/0200",
        "/offices/0201",
        "/account/password",
        "/admin/audit",
        "/admin/users",
        "/admin/tokens",
        "/admin/schemes",
        "/admin/calendar",
        "/returns",
        "/returns/form",
        "/no-such-page",
    ] {
        client.goto(&rig.url(path)).await.expect("open");
        hydrates(path.to_string()).await;
        // Give late requests (charts, the wasm's own fetches) the time to be refused, if they are.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(csp_violations(&client).await, Vec::<String>::new(), "{path}");
        screenshot(&client, &format!("csp{}", path.replace(['/', '?', '=', '-'], "_"))).await;
    }
    // The pages of a filer: its to-do list and the online form.
    sign_out(&client).await;
    sign_in(&client, &rig, "demo-xingang-filer", true).await;
    for path in ["/returns", "/returns/form", "/offices/0201"] {
        client.goto(&rig.url(path)).await.expect("open");
        hydrates(path.to_string()).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(csp_violations(&client).await, Vec::<String>::new(), "{path} as a filer");
    }
    client.close().await.expect("close");
}
