//! Assessment settings that headquarters keeps (issue 5 §3, §5, §1): the completion definition and the "as
//! needed" staleness window as part of a scoring scheme version, and newly published holiday years imported into
//! the working-day calendar — through the service, the administration pages and the command line.

use app::services::calendar::{import_file, working_calendar};
use app::services::rollout::{milestones, store_scheme_settings, SchemeSettingsForm};
use chrono::NaiveDate;
use gongkai_tests::{client, post_form, session, TestServer};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Offices that ever completed benchmarking, over every district.
fn completed(view: &app::services::rollout::MilestonesView) -> usize {
    view.districts.iter().map(|d| d.completed_ever).sum()
}

fn loose(valid_from: &str) -> SchemeSettingsForm {
    SchemeSettingsForm {
        code: "loose-2023".into(),
        title: "只看必备要求的对标标准（测试）".into(),
        valid_from: valid_from.into(),
        require_verified: true,
        require_disclosed: false,
        require_channel: false,
        require_mandatory_requirements: true,
        staleness_days: "90".into(),
    }
}

#[tokio::test]
async fn a_new_completion_definition_counts_returns_accepted_from_its_first_day_and_leaves_earlier_ones_alone() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("settings.db").display());
    let store = app::store::connect(&url).await.expect("store");
    app::services::setup::prepare(store.as_ref(), true).await.expect("prepare");
    app::services::demo_history::load_demo_history(store.as_ref(), day(2023, 6, 30), |_, _| {}).await.expect("history");
    let hq = app::services::returns::system_principal("test", "测试").expect("principal");
    let today = app::services::today_in_china();
    let before_end_2022 = completed(&milestones(store.as_ref(), &hq, day(2022, 12, 31), today).await.expect("view"));
    let before_mid_2023 = completed(&milestones(store.as_ref(), &hq, day(2023, 6, 30), today).await.expect("view"));
    let actor = app::store::Actor::cli();

    // Every field is checked, with its name, and nothing is stored while one is wrong.
    let pretend_today = day(2022, 12, 31);
    let refused = |form: SchemeSettingsForm| {
        let store = store.clone();
        let actor = actor.clone();
        async move {
            store_scheme_settings(store.as_ref(), &form, pretend_today, &actor).await.expect_err("refused").to_string()
        }
    };
    assert!(refused(loose("2022-06-01")).await.contains("适用起始日期"), "a version cannot reach back before today");
    assert!(refused(SchemeSettingsForm { staleness_days: "0".into(), ..loose("2023-01-01") })
        .await
        .contains("1至3650"));
    assert!(refused(SchemeSettingsForm { staleness_days: "半年".into(), ..loose("2023-01-01") })
        .await
        .contains("不是整数天数"));
    let empty = SchemeSettingsForm { require_mandatory_requirements: false, ..loose("2023-01-01") };
    assert!(refused(empty).await.contains("对标完成标准至少应要求"));
    assert!(refused(SchemeSettingsForm { code: "宽松".into(), ..loose("2023-01-01") }).await.contains("方案编码"));
    assert_eq!(store.schemes().await.expect("schemes").len(), 1, "nothing stored");

    // From 2023: a return counts as complete when the guide's mandatory requirements are met, items aside. The
    // demo's incomplete returns lack items only, so offices accepted in 2023 now count; 2022 is as it was.
    let scheme =
        store_scheme_settings(store.as_ref(), &loose("2023-01-01"), pretend_today, &actor).await.expect("stored");
    assert_eq!(scheme.clocks.staleness_days, 90);
    assert_eq!(scheme.indicators, store.schemes().await.expect("schemes")[0].indicators, "weights kept");
    let after_end_2022 = completed(&milestones(store.as_ref(), &hq, day(2022, 12, 31), today).await.expect("view"));
    let after_mid_2023 = completed(&milestones(store.as_ref(), &hq, day(2023, 6, 30), today).await.expect("view"));
    assert_eq!(after_end_2022, before_end_2022, "returns accepted before the version keep their judgement");
    assert!(after_mid_2023 > before_mid_2023, "{after_mid_2023} > {before_mid_2023}");
    assert!(refused(loose("2023-01-01")).await.contains("已存在"), "a code is used once");
    store.close().await;
}

const YEAR_2031: &str = r#"
[[years]]
year = 2031
notice = "测试用：2031年部分节假日安排（虚构）"
holidays = [
  { name = "元旦", from = 2031-01-01, to = 2031-01-01 },
  { name = "春节", from = 2031-01-22, to = 2031-01-28 },
]
make_up_days = [2031-01-19]
"#;

#[tokio::test]
async fn an_imported_year_is_counted_by_the_clocks_and_a_bundled_year_cannot_be_changed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("calendar.db").display());
    let store = app::store::connect(&url).await.expect("store");
    app::services::setup::prepare(store.as_ref(), false).await.expect("prepare");
    let actor = app::store::Actor::cli();
    let unknown = working_calendar(store.as_ref()).await.expect("calendar").add_working_days(day(2031, 1, 17), 1);
    assert!(unknown.is_err(), "2031 is unknown until imported");

    let done = import_file(store.as_ref(), YEAR_2031, &actor).await.expect("imported");
    assert_eq!(done.len(), 1);
    let calendar = working_calendar(store.as_ref()).await.expect("calendar");
    // Friday 17 January → Sunday 19 January is a make-up working day.
    assert_eq!(calendar.add_working_days(day(2031, 1, 17), 1), Ok(day(2031, 1, 19)));
    // Tuesday 21 January + 2 working days: the Spring Festival runs 22–28 January.
    assert_eq!(calendar.add_working_days(day(2031, 1, 21), 2), Ok(day(2031, 1, 30)));
    // The same file again changes nothing; a correction is stored beside the first import.
    import_file(store.as_ref(), YEAR_2031, &actor).await.expect("again");
    assert_eq!(store.calendar_years().await.expect("years").len(), 1);
    let corrected = YEAR_2031.replace("to = 2031-01-28", "to = 2031-01-27");
    import_file(store.as_ref(), &corrected, &actor).await.expect("corrected");
    assert_eq!(store.calendar_years().await.expect("years").len(), 2);
    let calendar = working_calendar(store.as_ref()).await.expect("calendar");
    assert_eq!(calendar.add_working_days(day(2031, 1, 21), 2), Ok(day(2031, 1, 29)), "the correction is in force");

    // A bundled year is refused unless identical; a malformed file names what is wrong; nothing is stored.
    let bundled_2024 = r#"
[[years]]
year = 2024
notice = "改过的2024年"
holidays = [{ name = "元旦", from = 2024-01-01, to = 2024-01-01 }]
make_up_days = []
"#;
    let e = import_file(store.as_ref(), bundled_2024, &actor).await.expect_err("bundled");
    assert!(e.to_string().contains("随程序发布"), "{e}");
    let e =
        import_file(store.as_ref(), &YEAR_2031.replace("2031-01-19", "2031-01-20"), &actor).await.expect_err("weekday");
    assert!(e.to_string().contains("2031年") && e.to_string().contains("不是周末"), "{e}");
    let e = import_file(store.as_ref(), "years = 3", &actor).await.expect_err("syntax");
    assert!(e.to_string().contains("TOML"), "{e}");
    assert_eq!(store.calendar_years().await.expect("years").len(), 2);
    store.close().await;

    // The command line imports and lists through the same service.
    let file = dir.path().join("2032.toml");
    std::fs::write(&file, YEAR_2031.replace("2031", "2032").replace("2032-01-19", "2032-01-18")).expect("file");
    let run = |args: Vec<String>| async move {
        use clap::Parser;
        server::cli::run(server::cli::Cli::parse_from(args)).await
    };
    let base = vec!["gongkai".to_string(), "--database-url".into(), url.clone(), "calendar".into()];
    let status = run([base.clone(), vec!["import".into(), file.display().to_string()]].concat()).await;
    assert_eq!(status, std::process::ExitCode::SUCCESS);
    let status = run([base.clone(), vec!["deadline".into(), "2032-01-16".into(), "1".into()]].concat()).await;
    assert_eq!(status, std::process::ExitCode::SUCCESS, "2032 is known to the command line now");
    let store = app::store::connect(&url).await.expect("store");
    let years = app::services::calendar::known_years(store.as_ref()).await.expect("years");
    let y2032 = years.iter().find(|y| y.arrangement.year == 2032).expect("2032 listed");
    assert!(matches!(y2032.source, app::services::calendar::YearSource::Imported { .. }));
    assert!(years
        .iter()
        .any(|y| y.arrangement.year == 2026 && y.source == app::services::calendar::YearSource::Bundled));
    store.close().await;
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

async fn page(server: &TestServer, path: &str, cookie: &str) -> String {
    client().get(server.url(path)).header(COOKIE, cookie).send().await.expect("page").text().await.expect("body")
}

#[tokio::test]
async fn the_hq_admin_imports_a_year_and_stores_a_scheme_version_from_the_pages_and_a_viewer_only_reads_them() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-hq-admin").await;

    // A line that is not a period: the reason names the line, the typed values come back, nothing is stored.
    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("year", "2033"),
        ("notice", "测试用：2033年部分节假日安排（虚构）"),
        ("holidays", "元旦 2033-01-01 2033-01-03\n春节 2033-02-30"),
        ("make_up_days", ""),
    ];
    let response = post_form(&server, "/admin/calendar", &fields, Some(&admin.cookie)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = page(&server, &location(&response), &admin.cookie).await;
    assert!(html.contains("放假安排第2行"), "the line is named");
    assert!(html.contains("春节 2033-02-30"), "what was typed is kept");
    assert!(!html.contains("data-year=\"2033\""), "nothing stored");

    let fields = [
        ("csrf_token", admin.csrf.as_str()),
        ("year", "2033"),
        ("notice", "测试用：2033年部分节假日安排（虚构）"),
        ("holidays", "元旦 2033-01-01 2033-01-03\n春节：2033年1月30日至2033年2月5日"),
        ("make_up_days", "2033-01-29, 2033-02-06"),
    ];
    let response = post_form(&server, "/admin/calendar", &fields, Some(&admin.cookie)).await;
    let html = page(&server, &location(&response), &admin.cookie).await;
    assert!(html.contains("2033年节假日安排已导入"), "the outcome is shown");
    assert!(html.contains("data-year=\"2033\""), "the year is listed");
    assert!(html.contains("春节：1月30日至2月5日"));
    let deadline: serde_json::Value = client()
        .get(server.url("/api/v1/calendar/deadline?start=2033-01-28&working_days=1"))
        .header(COOKIE, &admin.cookie)
        .send()
        .await
        .expect("deadline")
        .json()
        .await
        .expect("json");
    assert_eq!(deadline["deadline"], "2033-01-29", "the make-up Saturday counts: {deadline}");

    // A new scheme version from the page: refused with the field named, then stored.
    let scheme = |valid_from: &'static str, staleness: &'static str| {
        vec![
            ("csrf_token", admin.csrf.clone()),
            ("code", "hq-2099".to_string()),
            ("title", "测试方案".to_string()),
            ("valid_from", valid_from.to_string()),
            ("require_verified", "on".to_string()),
            ("require_disclosed", "on".to_string()),
            ("staleness_days", staleness.to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let server = &server;
        let cookie = admin.cookie.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(server, "/admin/schemes", &fields, Some(&cookie)).await
        }
    };
    let response = send(scheme("2099-01-01", "0")).await;
    let html = page(&server, &location(&response), &admin.cookie).await;
    assert!(html.contains("1至3650"), "the staleness window's range is named");
    assert!(html.contains("value=\"hq-2099\""), "the typed code is kept");
    assert!(!html.contains("data-code=\"hq-2099\""), "nothing stored");
    let response = send(scheme("2099-01-01", "120")).await;
    let html = page(&server, &location(&response), &admin.cookie).await;
    assert!(html.contains("评分方案 hq-2099（测试方案）已保存"), "the outcome is shown");
    assert!(html.contains("data-code=\"hq-2099\"") && html.contains("120个自然日"));

    // The viewer reads both pages without their forms, and its posts are refused.
    let viewer = session(&server, "demo-hq-viewer").await;
    let html = page(&server, "/admin/schemes", &viewer.cookie).await;
    assert!(html.contains("data-code=\"hq-2099\"") && !html.contains("action=\"/admin/schemes\""));
    let html = page(&server, "/admin/calendar", &viewer.cookie).await;
    assert!(html.contains("data-year=\"2033\"") && !html.contains("action=\"/admin/calendar\""));
    let fields =
        [("csrf_token", viewer.csrf.as_str()), ("year", "2034"), ("notice", "x"), ("holidays", "元旦 2034-01-01")];
    let response = post_form(&server, "/admin/calendar", &fields, Some(&viewer.cookie)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Without the CSRF token even the administrator is refused.
    let fields = [("csrf_token", "wrong"), ("year", "2034"), ("notice", "x"), ("holidays", "元旦 2034-01-01")];
    let response = post_form(&server, "/admin/calendar", &fields, Some(&admin.cookie)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = page(&server, "/admin/calendar", &admin.cookie).await;
    assert!(!html.contains("data-year=\"2034\""));
    server.stop().await;
}
