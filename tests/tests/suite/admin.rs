//! Administration (issue 3 §6–§7): the audit log page and its Excel export, users and API tokens.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gongkai_tests::{client, csrf_token, post_form, sign_in, sign_in_with, TestServer, DEMO_PASSWORD};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use reqwest::StatusCode;

/// The answer of the sign-in form, whatever it is.
async fn login_response(server: &TestServer, username: &str, password: &str) -> reqwest::Response {
    post_form(server, "/auth/login", &[("username", username), ("password", password)], None).await
}

async fn get(server: &TestServer, path: &str, cookie: &str) -> reqwest::Response {
    client().get(server.url(path)).header(COOKIE, cookie).send().await.expect("request")
}

/// The text of every cell of class `class` on a page, in order.
fn cells(html: &str, class: &str) -> Vec<String> {
    let open = format!("class=\"{class}\">");
    html.split(&open)
        .skip(1)
        .map(|rest| {
            let text = &rest[..rest.find("</td>").expect("end of cell")];
            text.replace("<!>", "")
                .replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

fn today() -> String {
    app::services::today_in_china().format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn the_hq_admin_searches_the_audit_log_by_entity_type_and_date_and_finds_the_sign_in_entries() {
    let server = TestServer::start().await;
    sign_in(&server, "demo-tianjin-viewer").await;
    let cookie = sign_in(&server, "demo-hq-admin").await;
    let today = today();
    let response = get(&server, &format!("/admin/audit?entity_type=user&from={today}&to={today}"), &cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(html.contains("审计日志"), "the page is the audit log");
    let summaries = cells(&html, "audit-summary");
    assert!(summaries.len() >= 2, "sign-ins of today are listed: {summaries:?}");
    assert!(html.contains("sign_in"), "the sign-in action is shown");
    assert!(html.contains("demo-hq-admin") && html.contains("demo-tianjin-viewer"), "both sign-ins are listed");
    assert!(html.contains("<details>"), "before/after are collapsed");
    // Newest first: the HQ admin signed in last.
    let actors = cells(&html, "audit-actor");
    assert_eq!(actors.first().map(String::as_str), Some("demo-hq-admin"), "newest first: {actors:?}");
    // The time is Beijing time, written as officials write it.
    let times = cells(&html, "audit-at");
    assert!(times[0].contains('年') && times[0].contains('日') && times[0].contains(':'), "{}", times[0]);

    // Another entity type or a day long past finds none of them.
    let html = get(&server, &format!("/admin/audit?entity_type=api_token&from={today}&to={today}"), &cookie)
        .await
        .text()
        .await
        .expect("body");
    assert!(!html.contains("sign_in"), "no sign-in among API tokens");
    let html = get(&server, "/admin/audit?entity_type=user&from=2001-01-01&to=2001-01-31", &cookie)
        .await
        .text()
        .await
        .expect("body");
    assert!(cells(&html, "audit-summary").is_empty(), "nothing in January 2001");
    assert!(html.contains("共 0 条"));

    // A malformed date is refused with a Chinese message.
    let response = get(&server, "/admin/audit?from=2022-13-01", &cookie).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.expect("body").contains("格式有误"));
    server.stop().await;
}

#[tokio::test]
async fn the_excel_export_is_a_valid_workbook_whose_rows_equal_the_pages_rows() {
    let server = TestServer::start().await;
    sign_in(&server, "demo-xingang-filer").await;
    let cookie = sign_in(&server, "demo-hq-viewer").await;
    let filters = format!("entity_type=user&from={0}&to={0}", today());
    let html = get(&server, &format!("/admin/audit?{filters}"), &cookie).await.text().await.expect("page");
    let page_summaries = cells(&html, "audit-summary");
    let page_actors = cells(&html, "audit-actor");
    assert!(!page_summaries.is_empty());
    assert!(html.contains(&format!("/admin/audit.xlsx?actor=&amp;office=&amp;{}", filters.replace('&', "&amp;"))));

    let response = get(&server, &format!("/admin/audit.xlsx?{filters}"), &cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = response.bytes().await.expect("workbook").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a valid xlsx");
    let range = book.worksheet_range("审计日志").expect("the sheet");
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], Data::String("时间（北京时间）".into()));
    assert_eq!(rows[0][7], Data::String("摘要".into()));
    let body = &rows[1..];
    assert_eq!(body.len(), page_summaries.len(), "one row per entry of the page");
    for (i, row) in body.iter().enumerate() {
        assert!(matches!(row[0], Data::DateTime(_)), "row {i}: the time is a date cell: {:?}", row[0]);
        assert_eq!(row[1], Data::String(page_actors[i].clone()), "row {i}: actor");
        assert_eq!(row[7], Data::String(page_summaries[i].clone()), "row {i}: summary");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_district_admin_gets_403_for_the_audit_page_and_its_export() {
    let server = TestServer::start().await;
    let cookie = sign_in(&server, "demo-tianjin-admin").await;
    let page = get(&server, "/admin/audit", &cookie).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(!page.text().await.expect("body").contains("audit-table"));
    let export = get(&server, "/admin/audit.xlsx", &cookie).await;
    assert_eq!(export.status(), StatusCode::FORBIDDEN);
    let signed_out = client().get(server.url("/admin/audit.xlsx")).send().await.expect("export");
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

/// The id of a user on the users page (from its row's forms).
fn user_id(html: &str, username: &str) -> String {
    let row = &html[html.find(&format!("data-username=\"{username}\"")).expect("the user's row")..];
    let start = row.find("/admin/users/").expect("a form of the row") + "/admin/users/".len();
    row[start..start + row[start..].find('/').expect("id")].to_string()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().expect("location").to_string()
}

#[tokio::test]
async fn creating_a_user_from_the_form_works_and_appears_in_the_audit_log() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    assert!(html.contains("demo-tianjin-viewer") && html.contains("直属海关查看员 · 0200"), "users with roles");
    let csrf = csrf_token(&html);
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("username", "wang-dalian"),
        ("display_name", "王大连"),
        ("password", "Dalian-Haiguan-2024"),
        ("role", "district_viewer"),
        ("office", "0900"),
    ];
    let response = post_form(&server, "/admin/users", &fields, Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/users?status=created");
    let html = get(&server, "/admin/users?status=created", &admin).await.text().await.expect("users page");
    assert!(html.contains("用户已创建") && html.contains("wang-dalian") && html.contains("王大连"));
    sign_in_with(&server, "wang-dalian", "Dalian-Haiguan-2024").await;

    let html =
        get(&server, "/admin/audit?actor=demo-hq-admin&entity_type=user", &admin).await.text().await.expect("log");
    let summaries = cells(&html, "audit-summary");
    assert!(summaries.iter().any(|s| s.contains("wang-dalian")), "the creation is audited: {summaries:?}");

    // A weak password, a taken name, a wrong office: Chinese messages back on the page, nothing created.
    let before = server.server.store.list_users().await.expect("users").len();
    for (field, value, code, message) in [
        ("password", "short", "policy", "密码不符合要求"),
        ("username", "demo-hq-viewer", "exists", "该用户名已存在"),
        ("office", "0201", "office", "机构代码无效"),
    ] {
        let mut fields = fields;
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
            if f.0 == "username" && field != "username" {
                f.1 = "li-qingdao";
            }
        }
        let response = post_form(&server, "/admin/users", &fields, Some(&admin)).await;
        assert_eq!(location(&response), format!("/admin/users?error={code}"), "{field}");
        let html = get(&server, &location(&response), &admin).await.text().await.expect("page");
        assert!(html.contains(message), "{field}: {message}");
    }
    assert_eq!(server.server.store.list_users().await.expect("users").len(), before);

    // Without the CSRF token, from another site, or from a district admin: refused.
    let mut no_csrf = fields;
    no_csrf[0].1 = "";
    no_csrf[1].1 = "zhao-x";
    assert_eq!(post_form(&server, "/admin/users", &no_csrf, Some(&admin)).await.status(), StatusCode::FORBIDDEN);
    let district = sign_in(&server, "demo-tianjin-admin").await;
    let district_csrf = csrf_token(&get(&server, "/offices/0200", &district).await.text().await.expect("page"));
    let mut by_district = fields;
    by_district[0].1 = &district_csrf;
    by_district[1].1 = "zhao-y";
    assert_eq!(post_form(&server, "/admin/users", &by_district, Some(&district)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(&server, "/admin/users", &district).await.status(), StatusCode::FORBIDDEN);
    let foreign = client()
        .post(server.url("/admin/users"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ORIGIN, "http://evil.example")
        .header(COOKIE, &admin)
        .body(format!(
            "csrf_token={csrf}&username=zhao-z&display_name=x&password=Dalian-Haiguan-2024&role=hq_viewer&office=0000"
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(server.server.store.list_users().await.expect("users").len(), before);
    server.stop().await;
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_until_enabled_again() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let viewer = sign_in(&server, "demo-tianjin-viewer").await;
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    let (csrf, id) = (csrf_token(&html), user_id(&html, "demo-tianjin-viewer"));
    let response =
        post_form(&server, &format!("/admin/users/{id}/disable"), &[("csrf_token", &csrf)], Some(&admin)).await;
    assert_eq!(location(&response), "/admin/users?status=disabled");
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    assert!(html.contains("已停用"));
    // The open session ended, and signing in is refused with the Chinese reason.
    assert_eq!(get(&server, "/offices", &viewer).await.status(), StatusCode::SEE_OTHER);
    let refused = login_response(&server, "demo-tianjin-viewer", DEMO_PASSWORD).await;
    assert_eq!(location(&refused), "/login?error=disabled");
    let html =
        client().get(server.url("/login?error=disabled")).send().await.expect("login").text().await.expect("body");
    assert!(html.contains("该账户已停用"));

    let response =
        post_form(&server, &format!("/admin/users/{id}/enable"), &[("csrf_token", &csrf)], Some(&admin)).await;
    assert_eq!(location(&response), "/admin/users?status=enabled");
    sign_in(&server, "demo-tianjin-viewer").await;
    let html =
        get(&server, "/admin/audit?entity_type=user&actor=demo-hq-admin", &admin).await.text().await.expect("log");
    assert!(html.contains("disable") && html.contains("enable"), "both changes are audited");
    server.stop().await;
}

#[tokio::test]
async fn resetting_a_password_ends_the_users_sessions() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let filer = sign_in(&server, "demo-xingang-filer").await;
    assert_eq!(get(&server, "/offices/0201", &filer).await.status(), StatusCode::OK);
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    let (csrf, id) = (csrf_token(&html), user_id(&html, "demo-xingang-filer"));
    let path = format!("/admin/users/{id}/password");
    let weak = post_form(&server, &path, &[("csrf_token", &csrf), ("new_password", "abc")], Some(&admin)).await;
    assert_eq!(location(&weak), "/admin/users?error=policy");
    assert_eq!(get(&server, "/offices/0201", &filer).await.status(), StatusCode::OK, "a refused reset changes nothing");
    let response =
        post_form(&server, &path, &[("csrf_token", &csrf), ("new_password", "Xingang-Reset-2024")], Some(&admin)).await;
    assert_eq!(location(&response), "/admin/users?status=reset");
    assert_eq!(get(&server, "/offices/0201", &filer).await.status(), StatusCode::SEE_OTHER, "the session ended");
    assert_eq!(location(&login_response(&server, "demo-xingang-filer", DEMO_PASSWORD).await), "/login?error=invalid");
    sign_in_with(&server, "demo-xingang-filer", "Xingang-Reset-2024").await;
    assert_eq!(get(&server, "/admin/audit", &admin).await.status(), StatusCode::OK, "the admin's own session stays");
    server.stop().await;
}

#[tokio::test]
async fn a_created_token_authenticates_the_offices_api_and_stops_working_after_revoke() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let html = get(&server, "/admin/tokens", &admin).await.text().await.expect("tokens page");
    let csrf = csrf_token(&html);
    let fields = [("csrf_token", csrf.as_str()), ("name", "统计系统"), ("role", "district_viewer"), ("office", "0200")];
    let response = post_form(&server, "/admin/tokens", &fields, Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.expect("result page");
    let start = html.find("class=\"new-token\">").expect("the token is shown") + "class=\"new-token\">".len();
    let token = html[start..start + html[start..].find('<').expect("end")].to_string();
    assert!(token.starts_with("gk_"), "{token}");
    assert!(html.contains("只显示这一次"));

    let offices = |token: String| {
        let url = server.url("/api/v1/offices");
        async move { client().get(url).bearer_auth(token).send().await.expect("offices") }
    };
    let answer = offices(token.clone()).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body = answer.text().await.expect("body");
    assert!(body.contains("天津海关") && !body.contains("青岛海关"), "scoped like its role and office");

    let html = get(&server, "/admin/tokens", &admin).await.text().await.expect("tokens page");
    assert!(
        html.contains("统计系统") && html.contains("直属海关查看员") && !html.contains(&token),
        "listed, never shown again"
    );
    let row = &html[html.find("统计系统").expect("row")..];
    let start = row.find("/admin/tokens/").expect("revoke form") + "/admin/tokens/".len();
    let id = &row[start..start + row[start..].find('/').expect("id")];
    let response =
        post_form(&server, &format!("/admin/tokens/{id}/revoke"), &[("csrf_token", &csrf)], Some(&admin)).await;
    assert_eq!(location(&response), "/admin/tokens?status=revoked");
    assert_eq!(offices(token).await.status(), StatusCode::UNAUTHORIZED);
    let html = get(&server, "/admin/audit?entity_type=api_token", &admin).await.text().await.expect("log");
    assert!(cells(&html, "audit-summary").len() >= 2, "creation and revocation are audited");
    server.stop().await;
}

#[tokio::test]
async fn an_administrator_grants_and_removes_roles_and_the_users_scope_follows_at_its_next_request() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let viewer = sign_in(&server, "demo-tianjin-viewer").await;
    assert_eq!(get(&server, "/offices/4200", &viewer).await.status(), StatusCode::NOT_FOUND, "青岛 is out of scope");
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    let (csrf, id) = (csrf_token(&html), user_id(&html, "demo-tianjin-viewer"));
    let path = format!("/admin/users/{id}/grants");
    let grant = |change: &'static str, role: &'static str, office: &'static str| {
        let fields =
            [("csrf_token", csrf.clone()), ("change", change.into()), ("role", role.into()), ("office", office.into())];
        let (server, admin, path) = (&server, &admin, &path);
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            location(&post_form(server, path, &fields, Some(admin)).await)
        }
    };
    assert_eq!(
        grant("add", "district_viewer", "4201").await,
        "/admin/users?error=office",
        "a role needs an office of its kind"
    );
    assert_eq!(grant("add", "district_viewer", "4200").await, "/admin/users?status=granted");
    assert_eq!(grant("add", "district_viewer", "4200").await, "/admin/users?error=grant_unchanged");
    assert_eq!(get(&server, "/offices/4200", &viewer).await.status(), StatusCode::OK, "青岛 is now in scope");
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    assert!(html.contains("直属海关查看员 · 4200"), "the page lists the new role");

    assert_eq!(grant("remove", "district_viewer", "0200").await, "/admin/users?status=ungranted");
    assert_eq!(get(&server, "/offices/0201", &viewer).await.status(), StatusCode::NOT_FOUND, "天津 left the scope");
    assert_eq!(
        grant("remove", "district_viewer", "4200").await,
        "/admin/users?error=last_grant",
        "the last role stays"
    );
    let page = get(&server, "/admin/users?error=last_grant", &admin).await.text().await.expect("page");
    assert!(page.contains("不能移除账号的最后一个角色"), "the refusal is explained in Chinese");

    let audit = get(&server, "/admin/audit?entity_type=user", &admin).await.text().await.expect("audit");
    assert!(audit.contains("授予用户 demo-tianjin-viewer 角色"), "the grant is in the audit log");
    assert!(audit.contains("revoke"), "the removal is in the audit log");
    server.stop().await;
}

#[tokio::test]
async fn an_administrator_cannot_remove_their_own_administrator_role() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let html = get(&server, "/admin/users", &admin).await.text().await.expect("users page");
    let (csrf, id) = (csrf_token(&html), user_id(&html, "demo-hq-admin"));
    let path = format!("/admin/users/{id}/grants");
    let add = [("csrf_token", csrf.as_str()), ("change", "add"), ("role", "hq_viewer"), ("office", "0000")];
    assert_eq!(location(&post_form(&server, &path, &add, Some(&admin)).await), "/admin/users?status=granted");
    let remove = [("csrf_token", csrf.as_str()), ("change", "remove"), ("role", "hq_admin"), ("office", "0000")];
    assert_eq!(location(&post_form(&server, &path, &remove, Some(&admin)).await), "/admin/users?error=own_admin");
    assert_eq!(get(&server, "/admin/users", &admin).await.status(), StatusCode::OK, "still the administrator");
    server.stop().await;
}

#[tokio::test]
async fn an_audit_entry_longer_than_an_excel_cell_is_exported_cut_with_a_mark_and_formulas_stay_text() {
    let server = TestServer::start().await;
    let actor = app::store::Actor::cli();
    let store = &server.server.store;
    store.set_setting("test.long", &"长".repeat(40_000), &actor).await.expect("setting");
    store.set_setting("test.formula", "=HYPERLINK(\"http://evil.example\")", &actor).await.expect("setting");
    let cookie = sign_in(&server, "demo-hq-admin").await;
    let response = get(&server, "/admin/audit.xlsx?entity_type=setting", &cookie).await;
    assert_eq!(response.status(), StatusCode::OK, "one oversized entry does not break the export");
    let bytes = response.bytes().await.expect("workbook").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a valid xlsx");
    let range = book.worksheet_range("审计日志").expect("the sheet");
    let texts: Vec<String> = range
        .rows()
        .skip(1)
        .flat_map(|row| row.iter().filter_map(|c| if let Data::String(s) = c { Some(s.clone()) } else { None }))
        .collect();
    let cut = texts.iter().find(|t| t.starts_with("长长")).expect("the long value");
    assert!(cut.ends_with(analytics::sheets::TRUNCATION_MARK), "cut with a visible mark");
    assert_eq!(cut.encode_utf16().count(), analytics::sheets::MAX_CELL_CHARS);
    assert!(texts.iter().any(|t| t == "'=HYPERLINK(\"http://evil.example\")"), "a formula stays text: {texts:?}");
    server.stop().await;
}
