//! The permission matrix (issue 3 §5): every page, API endpoint and server function the application serves,
//! enumerated from the router itself, for each of the five demo roles × (own scope, other scope) and signed out.
//!
//! A route the router serves without an entry in [`MATRIX`] fails the test with its name, so a new route cannot be
//! added without deciding who may use it.

use std::collections::BTreeSet;

use gongkai_tests::{client, TestServer};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const DEMO_PASSWORD: &str = "Gongkai-Demo-2022";

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Everyone, signed in or not (public standards and calendars, the sign-in page).
    Public,
    /// Any signed-in role, whatever its office.
    SignedIn,
    /// HQ roles only (总署管理员, 总署查看员).
    Hq,
    /// 总署办公厅管理员 only (users and API tokens).
    HqAdmin,
    /// HQ everything; every other role its own scope only.
    Scoped,
}

/// What is asked of a route: the request (`{own}` / `{other}` fill in below) and, for lists that are cut to the
/// caller's scope, the text that shows the scope was reached.
#[derive(Debug, Clone, Copy)]
struct Probe {
    /// Path and query, or for a server function its url-encoded arguments.
    target: &'static str,
    /// Text the answer must contain to count as allowed (`None`: a 2xx status is enough).
    marker: Option<&'static str>,
}

/// One row of the matrix: how a route is called in the caller's own scope and in another scope, and its rule.
#[derive(Debug, Clone, Copy)]
struct Entry {
    route: &'static str,
    own: Probe,
    other: Probe,
    rule: Rule,
}

const fn same(target: &'static str) -> Probe {
    Probe { target, marker: None }
}

const fn marked(target: &'static str, marker: &'static str) -> Probe {
    Probe { target, marker: Some(marker) }
}

/// Own scope: 天津海关 (0200) and its 新港海关 (0201), where the Tianjin roles and the 新港 filer belong. Other scope:
/// 青岛海关 (4200) and one of its offices (`{other}`, looked up at run time, named `{other_name}`).
const MATRIX: &[Entry] = &[
    // Pages (Leptos routes).
    Entry { route: "page /", own: same("/"), other: same("/"), rule: Rule::Hq },
    Entry { route: "page /catalog", own: same("/catalog"), other: same("/catalog"), rule: Rule::Public },
    Entry {
        route: "page /offices",
        own: marked("/offices", "天津海关"),
        other: marked("/offices", "青岛海关"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "page /offices/{code}",
        own: marked("/offices/0201", "新港海关"),
        other: marked("/offices/{other}", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry { route: "page /login", own: same("/login"), other: same("/login"), rule: Rule::Public },
    Entry {
        route: "page /account/password",
        own: same("/account/password"),
        other: same("/account/password"),
        rule: Rule::SignedIn,
    },
    Entry {
        route: "page /admin/audit",
        own: marked("/admin/audit", "audit-table"),
        other: marked("/admin/audit", "audit-table"),
        rule: Rule::Hq,
    },
    Entry {
        route: "page /admin/users",
        own: marked("/admin/users", "users-table"),
        other: marked("/admin/users", "users-table"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "page /admin/tokens",
        own: marked("/admin/tokens", "tokens-table"),
        other: marked("/admin/tokens", "tokens-table"),
        rule: Rule::HqAdmin,
    },
    // API v1.
    Entry {
        route: "api /api/v1/catalog",
        own: same("/api/v1/catalog"),
        other: same("/api/v1/catalog"),
        rule: Rule::Public,
    },
    Entry {
        route: "api /api/v1/offices",
        own: marked("/api/v1/offices", "天津海关"),
        other: marked("/api/v1/offices", "青岛海关"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "api /api/v1/calendar/deadline",
        own: same("/api/v1/calendar/deadline?start=2024-09-27&working_days=3"),
        other: same("/api/v1/calendar/deadline?start=2024-09-27&working_days=3"),
        rule: Rule::Public,
    },
    Entry {
        route: "api /api/v1/calendar/days/{date}",
        own: same("/api/v1/calendar/days/2024-09-29"),
        other: same("/api/v1/calendar/days/2024-09-29"),
        rule: Rule::Public,
    },
    Entry {
        route: "api /api/v1/openapi.json",
        own: same("/api/v1/openapi.json"),
        other: same("/api/v1/openapi.json"),
        rule: Rule::Public,
    },
    // Server functions (arguments url-encoded).
    Entry { route: "fn /api/fn/catalog", own: same(""), other: same(""), rule: Rule::Public },
    Entry { route: "fn /api/fn/session", own: same(""), other: same(""), rule: Rule::Public },
    Entry { route: "fn /api/fn/overview", own: same(""), other: same(""), rule: Rule::Hq },
    Entry { route: "fn /api/fn/audit_log", own: same(""), other: same(""), rule: Rule::Hq },
    Entry { route: "fn /api/fn/admin_users", own: same(""), other: same(""), rule: Rule::HqAdmin },
    Entry { route: "fn /api/fn/admin_tokens", own: same(""), other: same(""), rule: Rule::HqAdmin },
    Entry {
        route: "fn /api/fn/directory",
        own: marked("", "天津海关"),
        other: marked("", "青岛海关"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "fn /api/fn/office",
        own: marked("code=0201", "新港海关"),
        other: marked("code={other}", "{other_name}"),
        rule: Rule::Scoped,
    },
];

/// The five demo roles: user name and whether it holds an HQ role (the HQ administrator is `demo-hq-admin`).
const ROLES: [(&str, bool); 5] = [
    ("demo-hq-admin", true),
    ("demo-hq-viewer", true),
    ("demo-tianjin-admin", false),
    ("demo-tianjin-viewer", false),
    ("demo-xingang-filer", false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Own,
    Other,
}

/// The HQ administrator among the demo roles.
const HQ_ADMIN: &str = "demo-hq-admin";

/// The expected answer of `rule` for a caller (`None`: signed out; `admin`: the caller is the HQ administrator).
fn expected(rule: Rule, caller: Option<bool>, admin: bool, scope: Scope) -> bool {
    match (rule, caller) {
        (Rule::Public, _) => true,
        (_, None) => false,
        (Rule::SignedIn, Some(_)) => true,
        (Rule::Hq, Some(hq)) => hq,
        (Rule::HqAdmin, Some(_)) => admin,
        (Rule::Scoped, Some(hq)) => hq || scope == Scope::Own,
    }
}

/// Every route the application serves, named as in [`MATRIX`], read from the router's own lists.
fn served_routes() -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for route in leptos_axum::generate_route_list(app::App) {
        routes.insert(format!("page {}", route.path()));
    }
    for path in server::api::API_ROUTES {
        routes.insert(format!("api /api/v1{path}"));
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        routes.insert(format!("fn {path}"));
    }
    routes
}

/// Signs in through the form and returns the session cookie pair.
async fn sign_in(server: &TestServer, username: &str) -> String {
    let response = client()
        .post(server.url("/auth/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ORIGIN, server.url(""))
        .body(format!("username={username}&password={DEMO_PASSWORD}"))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gongkai_session="))
        .unwrap_or_else(|| panic!("{username}: no session cookie"))
        .to_string();
    set.split(';').next().expect("pair").to_string()
}

/// Another office of 青岛海关 (4200) in force today: its code and name.
async fn other_office(server: &TestServer) -> (String, String) {
    let token = server.hq_viewer_token().await;
    let body: Value = client()
        .get(server.url("/api/v1/offices"))
        .bearer_auth(token)
        .send()
        .await
        .expect("offices")
        .json()
        .await
        .expect("json");
    fn find<'a>(nodes: &'a [Value], code: &str) -> Option<&'a Value> {
        nodes.iter().find_map(|n| {
            if n["code"] == code {
                Some(n)
            } else {
                find(n["children"].as_array().map(Vec::as_slice).unwrap_or_default(), code)
            }
        })
    }
    let qingdao = find(body["roots"].as_array().expect("roots"), "4200").expect("青岛海关 in the tree");
    let first = &qingdao["children"].as_array().expect("children")[0];
    (first["code"].as_str().expect("code").to_string(), first["name"].as_str().expect("name").to_string())
}

/// The answer of one probe: (allowed, status, a short excerpt for the failure message).
async fn call(
    server: &TestServer,
    entry: &Entry,
    probe: &Probe,
    cookie: Option<&str>,
    other: &(String, String),
) -> (bool, StatusCode) {
    let fill = |text: &str| text.replace("{other_name}", &other.1).replace("{other}", &other.0);
    let target = fill(probe.target);
    let (kind, path) = entry.route.split_once(' ').expect("kind and path");
    let request = match kind {
        "fn" => {
            let method = leptos::server_fn::axum::server_fn_paths()
                .find(|(p, _)| *p == path)
                .map(|(_, m)| m)
                .expect("registered server function");
            if method == Method::GET {
                client().get(server.url(&format!("{path}?{target}")))
            } else {
                client()
                    .post(server.url(path))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(ORIGIN, server.url(""))
                    .body(target)
            }
        }
        _ => client().get(server.url(&target)),
    };
    let request = match cookie {
        Some(cookie) => request.header(COOKIE, cookie),
        None => request,
    };
    let response = request.send().await.unwrap_or_else(|e| panic!("{}: {e}", entry.route));
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let allowed = status.is_success() && probe.marker.is_none_or(|m| body.contains(&fill(m)));
    (allowed, status)
}

#[tokio::test]
async fn every_route_has_a_rule_and_each_role_gets_exactly_what_its_scope_allows() {
    let served = served_routes();
    let listed: BTreeSet<String> = MATRIX.iter().map(|e| e.route.to_string()).collect();
    let missing: Vec<&String> = served.difference(&listed).collect();
    assert!(missing.is_empty(), "routes served without an entry in the permission matrix: {missing:?}");
    let stale: Vec<&String> = listed.difference(&served).collect();
    assert!(stale.is_empty(), "matrix entries for routes the router no longer serves: {stale:?}");

    let server = TestServer::start().await;
    let other = other_office(&server).await;
    let mut failures = Vec::new();
    let mut callers: Vec<(String, Option<String>, Option<bool>)> = vec![("signed out".into(), None, None)];
    for (username, hq) in ROLES {
        callers.push((username.to_string(), Some(sign_in(&server, username).await), Some(hq)));
    }
    for entry in MATRIX {
        for (who, cookie, hq) in &callers {
            for (scope, probe) in [(Scope::Own, &entry.own), (Scope::Other, &entry.other)] {
                let want = expected(entry.rule, *hq, who == HQ_ADMIN, scope);
                let (got, status) = call(&server, entry, probe, cookie.as_deref(), &other).await;
                if got != want {
                    failures.push(format!(
                        "{} as {who} ({scope:?} scope): expected {}, got {} (status {status})",
                        entry.route,
                        if want { "allow" } else { "deny" },
                        if got { "allow" } else { "deny" },
                    ));
                }
            }
        }
    }
    server.stop().await;
    assert!(failures.is_empty(), "permission matrix violations:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn signed_out_callers_are_sent_to_sign_in_or_told_to_sign_in_in_chinese() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/offices?q=%E6%96%B0")).send().await.expect("page");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/login?next=%2Foffices%3Fq%3D%25E6%2596%25B0");

    let response = client().get(server.url("/api/v1/offices")).send().await.expect("api");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "error": { "code": "unauthorized", "message": "请先登录" } }));

    let response = client()
        .post(server.url("/api/fn/directory"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("server fn");
    assert!(!response.status().is_success());
    assert!(response.text().await.expect("body").contains("Unauthorized"), "the error is AppError::Unauthorized");
    server.stop().await;
}

/// The main navigation of a page.
fn main_nav(html: &str) -> String {
    let start = html.find("class=\"main-nav\"").expect("main navigation");
    let end = html[start..].find("</nav>").expect("end of the navigation");
    html[start..start + end].to_string()
}

#[tokio::test]
async fn a_district_or_office_role_is_sent_from_the_national_overview_to_its_own_home() {
    let server = TestServer::start().await;
    for (username, home) in [
        ("demo-tianjin-admin", "/offices/0200"),
        ("demo-tianjin-viewer", "/offices/0200"),
        ("demo-xingang-filer", "/offices/0201"),
    ] {
        let cookie = sign_in(&server, username).await;
        let response = client().get(server.url("/")).header(COOKIE, &cookie).send().await.expect("overview");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{username}");
        assert_eq!(response.headers()[LOCATION], home, "{username}");
        let html = client().get(server.url(home)).header(COOKIE, &cookie).send().await.expect("home").text().await;
        let html = html.expect("body");
        let nav = main_nav(&html);
        assert!(!nav.contains("全国概览"), "{username}: no 全国概览 in the navigation: {nav}");
        assert!(nav.contains("机构名录"), "{username}: the directory is in the navigation: {nav}");
    }
    let cookie = sign_in(&server, "demo-hq-viewer").await;
    let html = client().get(server.url("/")).header(COOKIE, &cookie).send().await.expect("overview").text().await;
    assert!(main_nav(&html.expect("body")).contains("全国概览"), "HQ sees 全国概览");
    let html = client().get(server.url("/catalog")).send().await.expect("catalog").text().await.expect("body");
    let nav = main_nav(&html);
    assert!(nav.contains("标准目录") && !nav.contains("机构名录") && !nav.contains("全国概览"), "signed out: {nav}");
    assert!(html.contains("account__signin"), "signed out: the 登录 link");
    server.stop().await;
}

#[tokio::test]
async fn an_office_out_of_scope_reads_exactly_like_an_unknown_code() {
    let server = TestServer::start().await;
    let (code, _) = other_office(&server).await;
    let cookie = sign_in(&server, "demo-tianjin-viewer").await;
    let ask = |code: String| {
        client()
            .post(server.url("/api/fn/office"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(COOKIE, &cookie)
            .body(format!("code={code}"))
            .send()
    };
    let hidden = ask(code.clone()).await.expect("out of scope");
    let (hidden_status, hidden_body) = (hidden.status(), hidden.text().await.expect("body"));
    let unknown = ask("9999".into()).await.expect("unknown");
    let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.expect("body"));
    assert_eq!(hidden_status, unknown_status);
    assert_eq!(hidden_body.replace(&code, "9999"), unknown_body, "the same message apart from the code");
    let page = client().get(server.url(&format!("/offices/{code}"))).header(COOKIE, &cookie).send().await;
    assert_eq!(page.expect("page").status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn an_api_token_sees_the_offices_of_its_own_scope_only() {
    let server = TestServer::start().await;
    let url = server.url("/api/v1/offices");
    let offices = |token: String| {
        let url = url.clone();
        async move { client().get(url).bearer_auth(token).send().await.expect("offices").text().await.expect("body") }
    };
    let hq = offices(server.hq_viewer_token().await).await;
    assert!(hq.contains("天津海关") && hq.contains("青岛海关"));
    let district = offices(server.api_token(app::auth::Role::DistrictViewer, "0200").await).await;
    assert!(district.contains("新港海关") && !district.contains("青岛海关"), "{district}");
    let filer = offices(server.api_token(app::auth::Role::OfficeFiler, "0201").await).await;
    assert!(filer.contains("新港海关") && !filer.contains("青岛海关"), "{filer}");
    server.stop().await;
}
