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

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Uploads files through the upload form (multipart) and returns where the server sends the browser.
pub(crate) async fn upload(server: &TestServer, who: &Session, files: &[(&str, Vec<u8>)]) -> String {
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

pub(crate) async fn post(server: &TestServer, who: &Session, path: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("csrf_token", who.csrf.as_str())];
    all.extend_from_slice(fields);
    let response = gongkai_tests::post_form(server, path, &all, Some(&who.cookie)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "POST {path}");
    response.headers()[LOCATION].to_str().expect("location").to_string()
}

pub(crate) fn id_of(location: &str) -> i64 {
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

// ------------------------------------------------------------------------------------------------------------
// Hostile uploads (issue 13): the caller before the body, permits, deadlines, request-wide zip totals

const BOUNDARY: &str = "gongkai-test-boundary";

/// A text field of a multipart body.
fn text_part(name: &str, value: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

/// The start of a file field of a multipart body (its first bytes only).
fn file_start(file_name: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nPK\u{3}\u{4}"
    )
}

/// Opens a connection and sends an upload's headers (announcing 100 MB) and `body_start`, then nothing more, as a
/// slow or hostile client would.
async fn stalled_upload(server: &TestServer, cookie: Option<&str>, body_start: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = server.server.addr;
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /returns/upload HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n{cookie}\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 104857600\r\n\r\n{body_start}"
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send");
    stream.flush().await.expect("flush");
    stream
}

/// The status line and headers the server answers on `stream` within `wait`; `None` when it says nothing.
async fn answer_within(stream: &mut tokio::net::TcpStream, wait: std::time::Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let read = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
            if received.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    };
    tokio::time::timeout(wait, read).await.ok()?;
    (!received.is_empty()).then(|| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn a_signed_out_upload_is_answered_before_its_body_arrives() {
    let server = TestServer::start().await;
    let mut stream = stalled_upload(&server, None, &file_start("a.xlsx")).await;
    let answer = answer_within(&mut stream, std::time::Duration::from_secs(5))
        .await
        .expect("answered at once, without waiting for the 100 MB announced");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("location: /login?next="), "sent to sign in: {answer}");
    server.stop().await;
}

#[tokio::test]
async fn a_file_sent_before_the_csrf_token_is_refused_without_being_read() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let mut stream = stalled_upload(&server, Some(&filer.cookie), &file_start("a.xlsx")).await;
    let answer = answer_within(&mut stream, std::time::Duration::from_secs(5)).await.expect("answered at once");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");

    // A wrong token is refused as soon as it is read, before the file that follows.
    let body = format!("{}{}", text_part("csrf_token", "not-the-token"), file_start("a.xlsx"));
    let mut stream = stalled_upload(&server, Some(&filer.cookie), &body).await;
    let answer = answer_within(&mut stream, std::time::Duration::from_secs(5)).await.expect("answered at once");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn an_upload_that_stalls_is_cut_off_after_ten_idle_seconds_with_a_message() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let body = format!("{}{}", text_part("csrf_token", &filer.csrf), file_start("a.xlsx"));
    let mut stream = stalled_upload(&server, Some(&filer.cookie), &body).await;
    let answer = answer_within(&mut stream, std::time::Duration::from_secs(20))
        .await
        .expect("a stalled body is given up on, not waited for forever");
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains("location: /returns?error=upload_slow"), "{answer}");
    assert!(app::pages::returns::return_error_message("upload_slow").contains("上传超时"));
    server.stop().await;
}

#[tokio::test]
async fn uploads_beyond_the_servers_permits_are_asked_in_chinese_to_try_again() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let body = format!("{}{}", text_part("csrf_token", &admin.csrf), file_start("slow.xlsx"));
    let mut stalled = Vec::new();
    for _ in 0..app::services::UPLOAD_PERMITS {
        stalled.push(stalled_upload(&server, Some(&admin.cookie), &body).await);
    }
    // Each stalled upload holds its permit once its headers are read, and keeps it for the 10 s idle timeout: 2 s
    // leaves a loaded machine time to read them, and the next upload's 3 s wait ends well before they come free.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let form = Form::new()
        .text("csrf_token", admin.csrf.clone())
        .part("file", Part::bytes(fixture("filled.xlsx")).file_name("新港海关.xlsx"));
    let response = client()
        .post(server.url("/returns/upload"))
        .header(COOKIE, &admin.cookie)
        .header(ORIGIN, server.url(""))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.text().await.expect("body").contains("请稍等片刻后重新上传"));
    drop(stalled);
    server.stop().await;
}

/// A zip of `entries` (name, bytes).
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut zip);
        for (name, bytes) in entries {
            writer.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("entry");
            writer.write_all(bytes).expect("write");
        }
        writer.finish().expect("zip");
    }
    zip.into_inner()
}

#[tokio::test]
async fn a_zip_of_a_thousand_megabytes_of_zeros_is_refused_by_its_declared_total_before_unpacking() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let zeros = vec![0u8; 1024 * 1024];
    let entries: Vec<(String, Vec<u8>)> = (0..1000).map(|i| (format!("{i}.xlsx"), zeros.clone())).collect();
    let bomb = zip_of(&entries);
    assert!(bomb.len() < 2 * 1024 * 1024, "about 1 MB packed");
    let location = upload(&server, &admin, &[("零.zip", bomb)]).await;
    assert_eq!(location, "/returns?error=unpacked_too_large");
    assert!(app::pages::returns::return_error_message("unpacked_too_large").contains("分批上传"));
    server.stop().await;
}

#[tokio::test]
async fn a_zip_entry_that_unpacks_to_more_than_it_declares_is_refused() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let mut bytes = zip_of(&[("新港海关.xlsx".to_string(), fixture("filled.xlsx"))]);
    // The uncompressed size, in the central directory (offset 24) and the local header (offset 22): 10 bytes.
    for (signature, offset) in [([0x50u8, 0x4b, 0x01, 0x02], 24usize), ([0x50, 0x4b, 0x03, 0x04], 22)] {
        let at = bytes.windows(4).position(|w| w == signature).expect("header");
        bytes[at + offset..at + offset + 4].copy_from_slice(&10u32.to_le_bytes());
    }
    let location = upload(&server, &admin, &[("伪造.zip", bytes)]).await;
    assert_eq!(location, "/returns?error=zip_size_lie");
    assert!(server.server.store.list_returns(&Default::default()).await.expect("list").is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_file_name_of_forty_thousand_characters_is_stored_cut_to_255_with_its_extension() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let name = format!("{}.xlsx", "新".repeat(40_000));
    let location = upload(&server, &filer, &[(&name, fixture("filled.xlsx"))]).await;
    let id = id_of(&location);
    let record = server.server.store.return_record(id).await.expect("store").expect("the draft");
    let stored = record.summary.source_name.expect("a file name");
    assert_eq!(stored.chars().count(), app::services::returns::MAX_FILE_NAME_CHARS);
    assert!(stored.ends_with("….xlsx"), "cut where it was cut, the extension kept");
    server.stop().await;
}

/// A return of 新港海关 uploaded and confirmed by its filer: submitted, waiting for 天津海关's decision.
async fn submitted(server: &TestServer) -> i64 {
    let filer = session(server, "demo-xingang-filer").await;
    let id = id_of(&upload(server, &filer, &[("新港海关.xlsx", fixture("filled.xlsx"))]).await);
    assert_eq!(
        post(server, &filer, &format!("/returns/{id}/confirm"), &[]).await,
        format!("/returns/{id}?status=submitted")
    );
    id
}

#[tokio::test]
async fn a_decision_stores_reasons_only_for_items_of_the_return_one_each_within_500_characters() {
    let server = TestServer::start().await;
    let id = submitted(&server).await;
    let admin = session(&server, "demo-tianjin-admin").await;
    let path = format!("/returns/{id}/decision");
    let long = "理".repeat(501);
    let refused = [
        (vec![("decision", "return"), ("reason_item_999", "没有这个事项")], "reason_unknown"),
        (vec![("decision", "return"), ("reason_req_no_such_requirement", "没有这项要求")], "reason_unknown"),
        (vec![("decision", "return"), ("reason_item_7", long.as_str())], "reason_too_long"),
        (vec![("decision", "return"), ("reason_item_7", "一"), ("reason_item_7", "二")], "reason_twice"),
    ];
    for (fields, code) in refused {
        let location = post(&server, &admin, &path, &fields).await;
        assert_eq!(location, format!("/returns/{id}?error={code}"), "{fields:?}");
        assert!(!app::pages::returns::return_error_message(code).contains("稍后再试"), "{code} has its own message");
    }
    let comment = "评".repeat(2001);
    let location = post(&server, &admin, &path, &[("decision", "accept"), ("comment", &comment)]).await;
    assert_eq!(location, format!("/returns/{id}?error=comment_too_long"));
    let record = server.server.store.return_record(id).await.expect("store").expect("the return");
    assert!(record.verifications.is_empty(), "nothing of a refused decision is stored");
    assert_eq!(record.summary.status, app::store::ReturnStatus::Submitted);

    let location = post(&server, &admin, &path, &[("decision", "return"), ("reason_item_7", &"理".repeat(500))]).await;
    assert_eq!(location, format!("/returns/{id}?status=returned"), "a reason of 500 characters is kept");
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_return_and_one_outside_the_scope_make_the_same_store_calls() {
    let server = TestServer::start().await;
    let id = submitted(&server).await;
    let (store, calls) = gongkai_tests::counting_store::CountingStore::new(server.server.store.clone());
    // 东疆海关's filer: the same district, another office.
    let outsider = app::services::returns::system_principal("x", "x").expect("principal");
    let outsider = app::auth::Principal {
        grants: vec![app::auth::Grant::new(
            app::auth::Role::OfficeFiler,
            OfficeCode::parse("0202").expect("code"),
            analytics::offices::OfficeKind::Subordinate,
        )
        .expect("grant")],
        ..outsider
    };
    let today = app::services::today_in_china();
    let mut seen = Vec::new();
    for probe in [id, id + 1000] {
        calls.lock().expect("calls").clear();
        let outcome = app::services::returns::record(&store, &outsider, probe, today).await;
        assert!(matches!(outcome, Err(app::services::returns::ReturnError::NotFound)), "{probe}");
        seen.push(calls.lock().expect("calls").clone());
    }
    assert_eq!(seen[0], seen[1], "out of scope and unknown: the same queries");
    server.stop().await;
}

/// `filled.xlsx` with its `公开事项` sheet (sheet2.xml) rewritten by `edit`.
fn filled_with_items_sheet(edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::Read;
    let bytes = fixture("filled.xlsx");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).expect("the fixture is a zip");
    let entries: Vec<(String, Vec<u8>)> = (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read");
            let name = entry.name().to_string();
            if name == "xl/worksheets/sheet2.xml" {
                let xml = String::from_utf8(content).expect("xml");
                (name, edit(&xml).into_bytes())
            } else {
                (name, content)
            }
        })
        .collect();
    zip_of(&entries)
}

#[tokio::test]
async fn a_workbook_whose_cells_lie_far_apart_or_that_declares_the_whole_grid_is_refused_and_the_server_stays_up() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    // Each of these made calamine allocate a dense range of the whole grid (hundreds of gigabytes): the process
    // aborted for every user.
    let far = filled_with_items_sheet(|xml| {
        xml.replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#)
    });
    let whole_grid = filled_with_items_sheet(|xml| {
        let start = xml.find("<dimension ref=\"").expect("a dimension") + "<dimension ref=\"".len();
        let end = start + xml[start..].find('"').expect("its end");
        format!("{}A1:XFD1048576{}", &xml[..start], &xml[end..])
    });
    for (name, bytes) in [("远处单元格.xlsx", far), ("整表范围.xlsx", whole_grid)] {
        assert!(bytes.len() < 64 * 1024, "a small file");
        let location = upload(&server, &filer, &[(name, bytes)]).await;
        assert!(location.starts_with("/returns/uploads/"), "{name}: {location}");
        let (status, html) = page(&server, &filer, &location).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("公开事项"), "{name}: the message names the sheet");
        assert!(html.contains("XFD1048576"), "{name}: and the cell or range beyond the template");
        assert!(html.contains("0 个通过检查，待确认提交；1 个未保存"), "{name}: nothing is stored");
        let health = client().get(server.url("/health")).send().await.expect("the server still answers");
        assert_eq!(health.status(), StatusCode::OK);
    }
    assert!(server.server.store.list_returns(&Default::default()).await.expect("list").is_empty());
    server.stop().await;
}

#[tokio::test]
async fn reviewers_download_a_copy_made_from_what_was_recorded_and_only_hqs_administrator_the_uploaded_file() {
    let server = TestServer::start().await;
    let id = submitted(&server).await;
    let original = fixture("filled.xlsx");
    let download = |who: Session| {
        let server = &server;
        async move {
            let response = client()
                .get(server.url(&format!("/returns/{id}/file")))
                .header(COOKIE, &who.cookie)
                .send()
                .await
                .expect("download");
            assert_eq!(response.status(), StatusCode::OK);
            response.bytes().await.expect("body").to_vec()
        }
    };
    // The direct customs that verifies it, and the filer itself: a workbook written by the product from the
    // recorded snapshot (any formula or content of the uploaded file left behind), which reads back the same.
    let recorded = server.server.store.return_record(id).await.expect("store").expect("the return").snapshot;
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let context = ParseContext::new(app::services::today_in_china(), &catalog);
    for who in ["demo-tianjin-admin", "demo-xingang-filer", "demo-hq-viewer"] {
        let copy = download(session(&server, who).await).await;
        assert_ne!(copy, original, "{who} never gets the filer's own bytes");
        let outcome = analytics::returns::parse_return(&copy, SourceFormat::Xlsx, &context);
        let read_back = outcome.accepted().unwrap_or_else(|| panic!("{who}: the copy is a valid return"));
        assert_eq!(read_back.items, recorded.items, "{who}: the copy holds what was recorded");
    }
    // HQ's administrator keeps the archive: the file exactly as uploaded.
    assert_eq!(download(session(&server, "demo-hq-admin").await).await, original);
    server.stop().await;
}
