//! Returns over HTTP (issue 4): the template download, an upload with errors reported cell by cell and nothing
//! stored, a good upload shown as a preview and stored only on confirmation, the same file recognised, an office
//! out of scope refused, the direct customs' queue and decision (reasons required to return), and a batch .zip
//! with one result per file.

use std::io::{Cursor, Write};

use analytics::offices::OfficeCode;
use analytics::returns::{write_filled, ParseContext, Period, TemplateSpec};
use analytics::sheets::SourceFormat;
use gongkai_tests::{client, session, Session, TestServer};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Uploads files through the upload form (multipart) and returns where the server sends the browser.
async fn upload(server: &TestServer, who: &Session, files: &[(&str, Vec<u8>)]) -> String {
    let mut form = Form::new().text("csrf_token", who.csrf.clone());
    for (name, bytes) in files {
        form = form.part("file", Part::bytes(bytes.clone()).file_name(name.to_string()));
    }
    let response = client()
        .post(server.url("/returns/upload"))
        .header(COOKIE, &who.cookie)
        .header(ORIGIN, server.url(""))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the upload form answers with a redirect");
    response.headers()[LOCATION].to_str().expect("location").to_string()
}

async fn page(server: &TestServer, who: &Session, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).header(COOKIE, &who.cookie).send().await.expect("page");
    (response.status(), response.text().await.expect("body"))
}

async fn post(server: &TestServer, who: &Session, path: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("csrf_token", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let response = gongkai_tests::post_form(server, path, &all, Some(&who.cookie)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {path}");
    response.headers()[LOCATION].to_str().expect("location").to_string()
}

fn id_of(location: &str) -> i64 {
    location.trim_start_matches("/returns/").split('?').next().expect("id").parse().expect("a return id")
}

/// A filled return of another office, written with the product's own template writer from a parsed fixture.
fn filled_for(office: &str, name: &str) -> Vec<u8> {
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let today = app::services::today_in_china();
    let outcome = analytics::returns::parse_return(
        &fixture("filled.xlsx"),
        SourceFormat::Xlsx,
        &ParseContext::new(today, &catalog),
    );
    let mut snapshot = outcome.accepted().expect("the fixture is valid").clone();
    snapshot.office = OfficeCode::parse(office).expect("code");
    let spec = TemplateSpec {
        office: snapshot.office.clone(),
        office_name: name.into(),
        district_name: String::new(),
        period: Period::parse(&snapshot.period).expect("period"),
        catalog_version: catalog.code.clone(),
        catalog,
    };
    write_filled(&spec, &snapshot).expect("workbook")
}

#[tokio::test]
async fn a_filer_downloads_the_template_of_its_own_office_only() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let response = client()
        .get(server.url("/returns/template.xlsx?office=0201&period=2022Q3"))
        .header(COOKIE, &filer.cookie)
        .send()
        .await
        .expect("template");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"].to_str().expect("header").contains("2022Q3"));
    let bytes = response.bytes().await.expect("bytes");
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let outcome = analytics::returns::parse_return(
        &bytes,
        SourceFormat::Xlsx,
        &ParseContext::new(app::services::today_in_china(), &catalog),
    );
    assert_eq!(outcome.meta.office.as_ref().map(OfficeCode::as_str), Some("0201"), "the template names its office");
    assert!(outcome.has_errors(), "an empty template is not a return");

    let other = client()
        .get(server.url("/returns/template.xlsx?office=4201&period=2022Q3"))
        .header(COOKIE, &filer.cookie)
        .send()
        .await
        .expect("template");
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "another district's office reads as unknown");
    let bad = client()
        .get(server.url("/returns/template.xlsx?office=0201&period=2022Q9"))
        .header(COOKIE, &filer.cookie)
        .send()
        .await
        .expect("template");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.expect("body").contains("period"), "the message names the field");
    server.stop().await;
}

#[tokio::test]
async fn a_workbook_with_errors_is_reported_cell_by_cell_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let before = server.server.store.list_returns(&Default::default()).await.expect("list").len();
    let location = upload(&server, &filer, &[("新港海关-有错误.xlsx", fixture("errors.xlsx"))]).await;
    assert!(location.starts_with("/returns/uploads/"), "{location}");
    let (status, html) = page(&server, &filer, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("公开事项!F4：是否公开不能为空"), "the error names its cell");
    assert!(html.contains("基本要求!E4"), "errors of every sheet");
    assert!(html.contains("未保存任何内容"));
    let after = server.server.store.list_returns(&Default::default()).await.expect("list").len();
    assert_eq!(before, after, "nothing was written");
    // Another user cannot read the report.
    let other = session(&server, "demo-tianjin-admin").await;
    assert_eq!(page(&server, &other, &location).await.0, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn a_good_return_is_previewed_confirmed_queued_and_accepted_by_the_direct_customs() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let location = upload(&server, &filer, &[("新港海关-2022Q3.ods", fixture("filled.ods"))]).await;
    let id = id_of(&location);
    let (_, preview) = page(&server, &filer, &location).await;
    assert!(preview.contains("确认提交") && preview.contains("预览"), "a preview with the confirm button");
    assert_eq!(
        server.server.store.return_record(id).await.expect("store").expect("draft").summary.status,
        app::store::ReturnStatus::Draft,
        "not submitted before confirmation"
    );
    let admin = session(&server, "demo-tianjin-admin").await;
    let (_, queue) = page(&server, &admin, "/returns").await;
    assert!(!queue.contains(&format!("第{id}号")), "a draft is not in the queue");

    // The same file again is the same draft, not a second one.
    assert_eq!(upload(&server, &filer, &[("again.ods", fixture("filled.ods"))]).await, format!("/returns/{id}"));
    assert_eq!(
        post(&server, &filer, &format!("/returns/{id}/confirm"), &[]).await,
        format!("/returns/{id}?status=submitted")
    );
    let again = upload(&server, &filer, &[("again.ods", fixture("filled.ods"))]).await;
    let (_, report) = page(&server, &filer, &again).await;
    assert!(report.contains("已上传过") && report.contains(&format!("第 {id} 号")), "a duplicate is recognised");

    let (_, queue) = page(&server, &admin, "/returns").await;
    assert!(queue.contains("待审核") && queue.contains(&format!("第{id}号")), "the return waits in the queue");
    // The filer cannot decide on its own return.
    assert_eq!(
        post(&server, &filer, &format!("/returns/{id}/decision"), &[("decision", "accept")]).await,
        format!("/returns/{id}?error=forbidden")
    );
    // Returning it needs a reason.
    assert_eq!(
        post(&server, &admin, &format!("/returns/{id}/decision"), &[("decision", "return")]).await,
        format!("/returns/{id}?error=reasons")
    );
    assert_eq!(
        post(
            &server,
            &admin,
            &format!("/returns/{id}/decision"),
            &[("decision", "return"), ("reason_item_7", "请补充第7项的公开网址")]
        )
        .await,
        format!("/returns/{id}?status=returned")
    );
    let (_, returned) = page(&server, &filer, &format!("/returns/{id}")).await;
    assert!(returned.contains("退回原因：请补充第7项的公开网址"), "the filer sees the reason at the item");

    // The office resubmits (the LibreOffice-saved .xls of the same return), and the direct customs accepts it.
    let second = id_of(&upload(&server, &filer, &[("新港海关-2022Q3.xls", fixture("filled.xls"))]).await);
    post(&server, &filer, &format!("/returns/{second}/confirm"), &[]).await;
    assert_eq!(
        server.server.store.return_record(id).await.expect("store").expect("first").summary.status,
        app::store::ReturnStatus::Superseded
    );
    assert_eq!(
        post(&server, &admin, &format!("/returns/{second}/decision"), &[("decision", "accept")]).await,
        format!("/returns/{second}?status=accepted")
    );
    let (_, accepted) = page(&server, &filer, &format!("/returns/{second}")).await;
    assert!(accepted.contains("已通过") && accepted.contains("审核通过"));
    let audit = server
        .server
        .store
        .search_audit(&app::store::AuditFilter { entity_type: Some("return".into()), ..Default::default() }, 100, 0)
        .await;
    let (rows, _) = audit.expect("audit");
    for action in ["create_draft", "submit", "return", "accept"] {
        assert!(rows.iter().any(|r| r.action == action), "{action} is in the audit log");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_return_for_an_office_outside_the_uploaders_scope_is_refused() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let location = upload(&server, &filer, &[("别的关.xlsx", filled_for("0202", "东疆海关"))]).await;
    let (_, report) = page(&server, &filer, &location).await;
    assert!(report.contains("不在您的报送范围内"), "{report}");
    let viewer = session(&server, "demo-tianjin-viewer").await;
    let location = upload(&server, &viewer, &[("新港.xlsx", fixture("filled.xlsx"))]).await;
    let (_, report) = page(&server, &viewer, &location).await;
    assert!(report.contains("不在您的报送范围内"), "a viewer submits nothing");
    assert!(server.server.store.list_returns(&Default::default()).await.expect("list").is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_direct_customs_imports_a_zip_batch_with_one_result_per_file_and_confirms_the_good_ones() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let mut zip = Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut zip);
        for (name, bytes) in [
            ("天津/新港海关.xlsx", fixture("filled.xlsx")),
            ("天津/东疆海关.xlsx", filled_for("0202", "东疆海关")),
            ("天津/有错误.xlsx", fixture("errors.xlsx")),
            ("天津/说明.txt", b"read me".to_vec()),
        ] {
            writer.start_file(name, zip::write::SimpleFileOptions::default()).expect("entry");
            writer.write_all(&bytes).expect("write");
        }
        writer.finish().expect("zip");
    }
    let location = upload(
        &server,
        &admin,
        &[("天津海关第三季度.zip", zip.into_inner()), ("坏文件.xlsx", fixture("zip-bomb-ratio.xlsx"))],
    )
    .await;
    let (_, report) = page(&server, &admin, &location).await;
    assert!(report.contains("共 5 个文件：2 个通过检查"), "{report}");
    assert!(report.contains("公开事项!F4"), "the bad file's errors are listed");
    assert!(report.contains("不支持的文件类型"), "the text file is refused by name");
    assert!(report.contains("压缩"), "the bomb is refused before unpacking");
    let ids = report.split("name=\"ids\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("ids").to_string();
    assert_eq!(ids.split(',').count(), 2);
    let done = post(&server, &admin, "/returns/confirm", &[("ids", &ids)]).await;
    assert_eq!(done, "/returns?status=confirmed&done=2&failed=0");
    let waiting = server
        .server
        .store
        .list_returns(&app::store::ReturnFilter {
            statuses: vec![app::store::ReturnStatus::Submitted],
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(waiting.len(), 2);
    server.stop().await;
}

#[tokio::test]
async fn an_upload_form_without_the_csrf_token_or_from_another_site_stores_nothing() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let form = Form::new().part("file", Part::bytes(fixture("filled.xlsx")).file_name("a.xlsx"));
    let response = client()
        .post(server.url("/returns/upload"))
        .header(COOKIE, &filer.cookie)
        .header(ORIGIN, server.url(""))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let form = Form::new()
        .text("csrf_token", filer.csrf.clone())
        .part("file", Part::bytes(fixture("filled.xlsx")).file_name("a.xlsx"));
    let response = client()
        .post(server.url("/returns/upload"))
        .header(COOKIE, &filer.cookie)
        .header(ORIGIN, "http://evil.example")
        .header(CONTENT_TYPE, "multipart/form-data")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(server.server.store.list_returns(&Default::default()).await.expect("list").is_empty());
    server.stop().await;
}

// ------------------------------------------------------------------------------------------------------------
// The command line and the demo history

async fn run_cli(args: &[&str]) -> std::process::ExitCode {
    use clap::Parser;
    let mut argv = vec!["gongkai"];
    argv.extend_from_slice(args);
    server::cli::run(server::cli::Cli::parse_from(argv)).await
}

#[tokio::test]
async fn the_cli_imports_good_returns_and_refuses_bad_ones_without_storing_them() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let store = app::store::connect(&url).await.expect("store");
    app::services::setup::prepare(store.as_ref(), true).await.expect("prepare");
    store.close().await;
    let good = dir.path().join("新港海关.xlsx");
    std::fs::write(&good, fixture("filled.xlsx")).expect("write");
    let bad = dir.path().join("有错误.xlsx");
    std::fs::write(&bad, fixture("errors.xlsx")).expect("write");
    let (good, bad) = (good.to_str().expect("path"), bad.to_str().expect("path"));

    let dry = run_cli(&["--database-url", &url, "returns", "import", "--dry-run", good]).await;
    assert_eq!(dry, std::process::ExitCode::SUCCESS);
    let mixed = run_cli(&["--database-url", &url, "returns", "import", good, bad]).await;
    assert_eq!(mixed, std::process::ExitCode::FAILURE, "one file was refused");
    let store = app::store::connect(&url).await.expect("store");
    let stored = store.list_returns(&Default::default()).await.expect("list");
    assert_eq!(stored.len(), 1, "the good file only, and not the dry run");
    assert_eq!(stored[0].status, app::store::ReturnStatus::Submitted);
    store.close().await;
}

#[tokio::test]
async fn the_demo_history_goes_through_the_pipeline_and_tianjins_pilots_are_accepted_by_the_end_of_august_2022() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store =
        app::store::connect(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.expect("store");
    app::services::setup::prepare(store.as_ref(), true).await.expect("prepare");
    let until = chrono::NaiveDate::from_ymd_opt(2022, 9, 15).expect("date");
    let mut calls = 0;
    let summary = app::services::demo_history::load_demo_history(store.as_ref(), until, |_, _| calls += 1)
        .await
        .expect("history");
    assert!(summary.filed > 40 && summary.accepted > 40, "{summary:?}");
    assert!(calls > summary.filed, "progress is reported");
    let accepted = store.accepted_snapshots(None).await.expect("snapshots");
    let deadline = chrono::NaiveDate::from_ymd_opt(2022, 8, 31).expect("date");
    let tianjin_pilots: Vec<_> = accepted
        .iter()
        .filter(|s| s.office.as_str().starts_with("02") && s.verified_on.is_some_and(|d| d <= deadline))
        .collect();
    assert!(tianjin_pilots.len() >= 2, "天津's two pilots completed on time");
    let pilot = tianjin_pilots[0].office.clone();
    let own = store.accepted_snapshots(Some(&pilot)).await.expect("one office's");
    let expected: Vec<_> = accepted.iter().filter(|s| s.office == pilot).cloned().collect();
    assert!(!own.is_empty() && own == expected, "one office's accepted returns are exactly its share of all");
    let rows = store
        .search_audit(&app::store::AuditFilter { actor: Some("demo".into()), ..Default::default() }, 10, 0)
        .await
        .expect("audit");
    assert!(rows.1 > 0, "the demo's writes are audited under its own name");
    // A second load does nothing.
    let again = app::services::demo_history::load_demo_history(store.as_ref(), until, |_, _| {}).await.expect("again");
    assert_eq!(again.filed, 0);
    store.close().await;
}

#[tokio::test]
async fn a_filers_home_is_its_to_do_list_of_returns_to_file_confirm_and_fix() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let (_, home) = page(&server, &filer, "/returns").await;
    let quarter = Period::containing(app::services::today_in_china()).name_zh();
    assert!(home.contains(&format!("新港海关 尚未报送{quarter}的填报")), "the current quarter is to file");
    let id = id_of(&upload(&server, &filer, &[("新港海关.xlsx", fixture("filled.xlsx"))]).await);
    let (_, home) = page(&server, &filer, "/returns").await;
    assert!(home.contains(&format!("尚未确认提交（第{id}号）")), "the draft is to confirm");
    post(&server, &filer, &format!("/returns/{id}/confirm"), &[]).await;
    let admin = session(&server, "demo-tianjin-admin").await;
    post(&server, &admin, &format!("/returns/{id}/decision"), &[("decision", "return"), ("reason_general", "请补充")])
        .await;
    let (_, home) = page(&server, &filer, "/returns").await;
    assert!(
        home.contains(&format!("被退回修改，请按退回原因修改后重新上传（第{id}号）")),
        "the returned one is to fix"
    );
    let (_, admin_home) = page(&server, &admin, "/returns").await;
    assert!(!admin_home.contains("尚未报送"), "a direct customs files nothing of its own");
    server.stop().await;
}

#[tokio::test]
async fn an_offices_page_shows_its_returns_over_time_and_what_changed_between_accepted_ones() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let (_, empty) = page(&server, &filer, "/offices/0201").await;
    assert!(empty.contains("填报记录") && empty.contains("尚未报送填报表"), "the section is there before any return");

    // 2022年第三季度 as in the fixture, then 2022年第四季度 with item 7's location changed.
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let today = app::services::today_in_china();
    let outcome = analytics::returns::parse_return(
        &fixture("filled.xlsx"),
        SourceFormat::Xlsx,
        &ParseContext::new(today, &catalog),
    );
    let mut later = outcome.accepted().expect("the fixture is valid").clone();
    later.period = "2022Q4".into();
    let item = later.items.iter_mut().find(|i| i.item == 7).expect("item 7");
    item.location = Some("http://tianjin.customs.gov.cn/xingang/zhinan".into());
    let spec = TemplateSpec {
        office: later.office.clone(),
        office_name: "新港海关".into(),
        district_name: String::new(),
        period: Period::parse("2022Q4").expect("period"),
        catalog_version: catalog.code.clone(),
        catalog,
    };
    let later_file = write_filled(&spec, &later).expect("workbook");
    for (name, bytes) in [("2022Q3.xlsx", fixture("filled.xlsx")), ("2022Q4.xlsx", later_file)] {
        let id = id_of(&upload(&server, &filer, &[(name, bytes)]).await);
        post(&server, &filer, &format!("/returns/{id}/confirm"), &[]).await;
        post(&server, &admin, &format!("/returns/{id}/decision"), &[("decision", "accept")]).await;
    }
    let (status, history) = page(&server, &admin, "/offices/0201").await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains("填报记录（2份）"), "both returns are listed");
    assert!(history.contains("2022年第四季度") && history.contains("2022年第三季度"));
    assert!(history.contains("首份通过的填报"), "the first accepted return has nothing to compare with");
    assert!(
        history.contains("1处变化") && history.contains("xingang/zhinan"),
        "the change is shown with its new value"
    );
    assert!(history.find("2022年第四季度").expect("Q4") < history.find("2022年第三季度").expect("Q3"), "newest first");
    server.stop().await;
}
