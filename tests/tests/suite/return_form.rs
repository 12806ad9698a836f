//! The web form of a return over HTTP (issue 4, 在线填报): a valid form becomes a draft of source `web` shown as the
//! upload's preview and confirmed there; an invalid one comes back to the form with each message beside its field
//! and nothing stored; an office out of scope and a form without its CSRF token are refused.

use analytics::offices::OfficeCode;
use analytics::returns::form::{FormField, ItemField, RequirementField, ReturnForm};
use analytics::returns::{ParseContext, Period};
use analytics::sheets::SourceFormat;
use gongkai_tests::{client, post_form, post_form_from, session, Session, TestServer};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;

/// The fixture return of 新港海关 for 2022Q3 (the one the upload tests use), as a web form.
fn filled_form() -> ReturnForm {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns/filled.xlsx");
    let bytes = std::fs::read(path).expect("fixture");
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let outcome = analytics::returns::parse_return(
        &bytes,
        SourceFormat::Xlsx,
        &ParseContext::new(app::services::today_in_china(), &catalog),
    );
    let snapshot = outcome.accepted().expect("the fixture is valid").clone();
    let period = Period::parse(&snapshot.period).expect("period");
    ReturnForm::from_snapshot(snapshot.office.clone(), period, &catalog, &snapshot)
}

/// The fields a browser sends for `form`: unticked channels send nothing.
fn fields_of(form: &ReturnForm) -> Vec<(String, String)> {
    let mut fields = vec![("office".to_string(), form.office.to_string()), ("period".to_string(), form.period.code())];
    for row in &form.items {
        let name = |c: ItemField| FormField::Item { key: row.key(), column: Some(c) }.name();
        fields.push((name(ItemField::Disclosed), row.disclosed.clone()));
        for code in &row.channels {
            fields.push((name(ItemField::Channel(*code)), "1".into()));
        }
        for (c, value) in [
            (ItemField::OtherChannel, &row.other_channel),
            (ItemField::Location, &row.location),
            (ItemField::FormedOn, &row.formed_on),
            (ItemField::PublishedOn, &row.published_on),
            (ItemField::ElementsMissing, &row.elements_missing),
            (ItemField::Note, &row.note),
        ] {
            fields.push((name(c), value.clone()));
        }
    }
    for row in &form.requirements {
        for (c, value) in [
            (RequirementField::Fulfilled, &row.fulfilled),
            (RequirementField::Evidence, &row.evidence),
            (RequirementField::Count, &row.count),
        ] {
            fields.push((FormField::Requirement { code: row.code.clone(), column: Some(c) }.name(), value.clone()));
        }
    }
    fields
}

/// POSTs the form as `who` (with its CSRF token) and returns the status and `Location`.
async fn submit(server: &TestServer, who: &Session, form: &ReturnForm) -> (StatusCode, String) {
    let fields = fields_of(form);
    let mut all: Vec<(&str, &str)> = vec![("csrf_token", who.csrf.as_str())];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let response = post_form(server, "/returns/form", &all, Some(&who.cookie)).await;
    let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (response.status(), location)
}

async fn page(server: &TestServer, who: &Session, path: &str) -> (StatusCode, String) {
    let response = client().get(server.url(path)).header(COOKIE, &who.cookie).send().await.expect("page");
    (response.status(), response.text().await.expect("body"))
}

async fn stored_returns(server: &TestServer) -> usize {
    let filter = app::store::ReturnFilter {
        statuses: vec![
            app::store::ReturnStatus::Draft,
            app::store::ReturnStatus::Submitted,
            app::store::ReturnStatus::Accepted,
            app::store::ReturnStatus::Returned,
            app::store::ReturnStatus::Superseded,
        ],
        ..Default::default()
    };
    server.server.store.list_returns(&filter).await.expect("list").len()
}

#[tokio::test]
async fn a_filer_submits_a_valid_form_and_a_web_draft_appears_that_can_be_confirmed() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let (_, returns) = page(&server, &filer, "/returns").await;
    assert!(returns.contains("href=\"/returns/form\""), "the returns page links to the web form");

    let (status, html) = page(&server, &filer, "/returns/form?period=2022Q3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"return-form\"") && html.contains("新港海关"), "the filer's own office");
    assert!(html.contains("name=\"item.24-1.disclosed\""), "item 24 is filled element by element");

    let form = filled_form();
    let (status, location) = submit(&server, &filer, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id: i64 = location.strip_prefix("/returns/").and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        panic!("the preview of a draft, got {location}");
    });
    let record = server.server.store.return_record(id).await.expect("store").expect("the draft");
    assert_eq!(record.summary.source, app::store::ReturnSource::Web);
    assert_eq!(record.summary.status, app::store::ReturnStatus::Draft, "not submitted before confirmation");
    assert_eq!(record.snapshot.office, OfficeCode::parse("0201").expect("code"));
    assert_eq!(record.snapshot.items.len(), form.items.len());
    let (_, preview) = page(&server, &filer, &location).await;
    assert!(preview.contains("确认提交") && preview.contains("预览"), "the same preview as an upload");
    assert!(!preview.contains("下载原始文件"), "a web form has no file to download");

    // The same submission again is the same draft.
    assert_eq!(submit(&server, &filer, &form).await.1, location, "recognised, not stored twice");
    let (_, again) = page(&server, &filer, "/returns/form?office=0201&period=2022Q3").await;
    assert!(again.contains(&format!("已按第{id}号填报")), "the form is prefilled from the draft");

    let confirm =
        post_form(&server, &format!("/returns/{id}/confirm"), &[("csrf_token", &filer.csrf)], Some(&filer.cookie))
            .await;
    assert_eq!(confirm.headers()[LOCATION], format!("/returns/{id}?status=submitted").as_str());
    let record = server.server.store.return_record(id).await.expect("store").expect("the return");
    assert_eq!(record.summary.status, app::store::ReturnStatus::Submitted);
    assert_eq!(
        submit(&server, &filer, &form).await.1,
        format!("/returns/{id}?error=duplicate"),
        "a submitted form sent again is a duplicate"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_invalid_form_goes_back_to_the_form_with_each_message_beside_its_field_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let before = stored_returns(&server).await;
    let mut form = filled_form();
    form.items[4].disclosed = String::new();
    form.items[5].formed_on = "2022年13月1日".into();
    form.items[6].published_on = "2099-01-01".into();
    let (status, location) = submit(&server, &filer, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/returns/form?report="), "back to the form, got {location}");
    assert_eq!(stored_returns(&server).await, before, "nothing was written");

    let path = location.split('#').next().expect("path");
    let (status, html) = page(&server, &filer, path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("提交未成功：有 3 处错误"), "a summary at the top");
    // Each message sits in the row of its field, after the field itself.
    let row = |key: &str| {
        let start = html.find(&format!("data-key=\"{key}\"")).unwrap_or_else(|| panic!("row {key}"));
        let end = html[start..].find("</tr>").expect("end of row") + start;
        html[start..end].to_string()
    };
    let five = row("5");
    assert!(five.contains("aria-invalid=\"true\""), "the field is marked");
    let field = five.find("name=\"item.5.disclosed\"").expect("field");
    let message = five.find("是否公开不能为空：请填 是、否 或 不适用").expect("the import's message");
    assert!(field < message, "the message follows its field");
    let six = row("6");
    assert!(six.contains("value=\"2022年13月1日\""), "the value is shown as typed");
    assert!(six.contains("信息形成或变更日期：无法识别日期“2022年13月1日”"));
    assert!(row("7").contains("公开日期 2099-01-01 晚于今天"));
    assert!(row("8").contains("value=\"http://"), "the other values typed are kept");

    // The form kept is its submitter's only.
    let admin = session(&server, "demo-tianjin-admin").await;
    let (_, other) = page(&server, &admin, path).await;
    assert!(!other.contains("2022年13月1日"), "another user does not see it");
    server.stop().await;
}

#[tokio::test]
async fn a_form_for_an_office_outside_the_callers_scope_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let before = stored_returns(&server).await;
    let mut form = filled_form();
    form.office = OfficeCode::parse("4201").expect("code");
    let (status, location) = submit(&server, &filer, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("error=not_found"), "another district's office reads as unknown: {location}");
    let (status, _) = page(&server, &filer, "/returns/form?office=4201&period=2022Q3").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A viewer of the district may read the office's returns but not file them.
    let viewer = session(&server, "demo-tianjin-viewer").await;
    let (_, location) = submit(&server, &viewer, &filled_form()).await;
    assert!(location.contains("error=forbidden"), "{location}");
    assert_eq!(stored_returns(&server).await, before, "nothing was written");

    // The direct customs' administrator files for an office of its district.
    let admin = session(&server, "demo-tianjin-admin").await;
    let (status, html) = page(&server, &admin, "/returns/form?office=0201&period=2022Q3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<select name=\"office\""), "an administrator chooses among its offices");
    let (_, location) = submit(&server, &admin, &filled_form()).await;
    assert!(location.starts_with("/returns/") && !location.contains('?'), "a draft: {location}");
    server.stop().await;
}

#[tokio::test]
async fn a_form_without_its_csrf_token_or_from_another_site_is_refused_with_403() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let before = stored_returns(&server).await;
    let fields = fields_of(&filled_form());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = post_form(&server, "/returns/form", &fields, Some(&filer.cookie)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let mut with_token = vec![("csrf_token", filer.csrf.as_str())];
    with_token.extend_from_slice(&fields);
    let response =
        post_form_from(&server, "/returns/form", &with_token, Some(&filer.cookie), Some("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "another site's page");
    assert_eq!(stored_returns(&server).await, before, "nothing was written");
    server.stop().await;
}

#[tokio::test]
async fn a_location_longer_than_the_pages_500_characters_is_refused_beside_its_field_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let before = stored_returns(&server).await;
    let mut form = filled_form();
    form.items[4].location = "长".repeat(600);
    let (status, location) = submit(&server, &filer, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/returns/form?report="), "back to the form, not a draft: {location}");
    let (_, html) = page(&server, &filer, &location).await;
    assert!(html.contains("公开位置或网址不能超过 500 个字符（现有 600 个）"), "the message beside the field");
    assert_eq!(stored_returns(&server).await, before, "nothing stored");
    server.stop().await;
}
