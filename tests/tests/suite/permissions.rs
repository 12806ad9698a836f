//! The permission matrix (issue 3 §5): every page, API endpoint and server function the application serves,
//! enumerated from the router itself, for each of the five demo roles × (own scope, other scope) and signed out.
//!
//! A route the router serves without an entry in [`MATRIX`] fails the test with its name, so a new route cannot be
//! added without deciding who may use it.

use std::collections::BTreeSet;

use gongkai_tests::{client, session, sign_in, Session, TestServer};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::Value;

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
    /// Changing an office's returns: 总署办公厅管理员 everywhere; the direct customs administrator and the filer in
    /// their own scope; viewers never.
    ScopedWrite,
    /// Deciding on an office's returns: 总署办公厅管理员 everywhere; the direct customs administrator in its district.
    ScopedVerify,
    /// District figures: HQ everything; the direct customs roles their own district; a subordinate office's filer
    /// nothing (its scope is its own office).
    District,
    /// A signed-in caller's own things only (the report of its own upload), whatever its role.
    OwnOnly,
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
    Entry {
        route: "page /admin/schemes",
        own: marked("/admin/schemes", "scheme-version"),
        other: marked("/admin/schemes", "scheme-version"),
        rule: Rule::Hq,
    },
    Entry {
        route: "page /admin/calendar",
        own: marked("/admin/calendar", "calendar-years"),
        other: marked("/admin/calendar", "calendar-years"),
        rule: Rule::Hq,
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
        route: "api /api/v1/offices/{code}/assessment",
        own: marked("/api/v1/offices/0201/assessment?as_of=2024-12-31", "新港海关"),
        other: marked("/api/v1/offices/{other}/assessment?as_of=2024-12-31", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "api /api/v1/milestones",
        own: marked("/api/v1/milestones?as_of=2022-12-31", "\"0200\""),
        other: marked("/api/v1/milestones?as_of=2022-12-31", "\"4200\""),
        rule: Rule::District,
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
    Entry { route: "fn /api/fn/national_dashboard", own: same(""), other: same(""), rule: Rule::Hq },
    Entry {
        route: "fn /api/fn/district_dashboard",
        own: marked("code=0200", "天津海关"),
        other: marked("code=4200", "青岛海关"),
        rule: Rule::District,
    },
    Entry { route: "fn /api/fn/audit_log", own: same(""), other: same(""), rule: Rule::Hq },
    Entry { route: "fn /api/fn/admin_users", own: same(""), other: same(""), rule: Rule::HqAdmin },
    Entry { route: "fn /api/fn/admin_tokens", own: same(""), other: same(""), rule: Rule::HqAdmin },
    Entry { route: "fn /api/fn/admin_schemes", own: same(""), other: same(""), rule: Rule::Hq },
    Entry { route: "fn /api/fn/admin_calendar", own: same(""), other: same(""), rule: Rule::Hq },
    Entry {
        route: "fn /api/fn/directory",
        own: marked("", "天津海关"),
        other: marked("", "青岛海关"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "fn /api/fn/office_returns",
        own: marked("code=0201", "新港海关"),
        other: marked("code={other}", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "fn /api/fn/office",
        own: marked("code=0201", "新港海关"),
        other: marked("code={other}", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "fn /api/fn/scorecard",
        own: marked("code=0201&as_of=2024-12-31", "新港海关"),
        other: marked("code={other}&as_of=2024-12-31", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "page /returns",
        own: marked("/returns", "填报记录"),
        other: marked("/returns", "填报记录"),
        rule: Rule::SignedIn,
    },
    Entry {
        route: "page /returns/{id}",
        own: marked("/returns/{own_return}", "新港海关"),
        other: marked("/returns/{other_return}", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "page /returns/uploads/{key}",
        own: marked("/returns/uploads/{own_report}", "upload-report"),
        other: marked("/returns/uploads/{other_report}", "upload-report"),
        rule: Rule::OwnOnly,
    },
    Entry {
        route: "page /returns/form",
        own: marked("/returns/form?office=0201&period=2022Q3", "return-form"),
        other: marked("/returns/form?office={other}&period=2022Q3", "return-form"),
        rule: Rule::ScopedWrite,
    },
    Entry {
        route: "fn /api/fn/return_form",
        own: same("office=0201&period=2022Q3"),
        other: same("office={other}&period=2022Q3"),
        rule: Rule::ScopedWrite,
    },
    Entry { route: "fn /api/fn/returns", own: same(""), other: same(""), rule: Rule::SignedIn },
    Entry {
        route: "fn /api/fn/return",
        own: marked("id={own_return}", "新港海关"),
        other: marked("id={other_return}", "{other_name}"),
        rule: Rule::Scoped,
    },
    Entry {
        route: "fn /api/fn/upload_report",
        own: same("key={own_report}"),
        other: same("key={other_report}"),
        rule: Rule::OwnOnly,
    },
    // The server's own routes. Form posts send the caller's CSRF token (`{csrf}`) and input that an authorised
    // caller gets refused for its content (so nothing changes), or that changes nothing that matters here.
    Entry { route: "get /health", own: same("/health"), other: same("/health"), rule: Rule::Public },
    Entry {
        route: "get /lang/{code}",
        own: same("/lang/en?next=%2Fcatalog"),
        other: same("/lang/zh?next=%2Fcatalog"),
        rule: Rule::Public,
    },
    Entry {
        route: "post /auth/login",
        own: same("username=demo-hq-viewer&password=Gongkai-Demo-2022"),
        other: same("username=demo-hq-viewer&password=Gongkai-Demo-2022"),
        rule: Rule::Public,
    },
    // Signing out without a session just shows the sign-in page: there is nothing to end.
    Entry {
        route: "post /auth/logout",
        own: same("csrf_token={csrf}"),
        other: same("csrf_token={csrf}"),
        rule: Rule::Public,
    },
    Entry {
        route: "post /account/password",
        own: same("csrf_token={csrf}&current_password=x&new_password=Aa-1234567&repeat_password=Bb-1234567"),
        other: same("csrf_token={csrf}&current_password=x&new_password=Aa-1234567&repeat_password=Bb-1234567"),
        rule: Rule::SignedIn,
    },
    Entry {
        route: "get /admin/audit.xlsx",
        own: same("/admin/audit.xlsx"),
        other: same("/admin/audit.xlsx?office=4200"),
        rule: Rule::Hq,
    },
    Entry {
        route: "post /admin/users",
        own: same("csrf_token={csrf}&username=&display_name=&password=&role=hq_viewer&office=0000"),
        other: same("csrf_token={csrf}&username=&display_name=&password=&role=hq_viewer&office=4200"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/users/{id}/password",
        own: same("csrf_token={csrf}&new_password=short"),
        other: same("csrf_token={csrf}&new_password=short"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/users/{id}/grants",
        own: same("csrf_token={csrf}&change=add&role=district_viewer&office=9999"),
        other: same("csrf_token={csrf}&change=add&role=district_viewer&office=4200x"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/users/{id}/{act}",
        own: same("csrf_token={csrf}"),
        other: same("csrf_token={csrf}"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/tokens",
        own: same("csrf_token={csrf}&name=&role=hq_viewer&office=0000"),
        other: same("csrf_token={csrf}&name=&role=hq_viewer&office=4200"),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/tokens/{id}/revoke",
        own: same("csrf_token={csrf}"),
        other: same("csrf_token={csrf}"),
        rule: Rule::HqAdmin,
    },
    // The assessment settings' forms, with fields that are refused (nothing is stored by the matrix).
    Entry {
        route: "post /admin/schemes",
        own: same("csrf_token={csrf}&code=&title=&valid_from=&staleness_days="),
        other: same("csrf_token={csrf}&code=&title=&valid_from=&staleness_days="),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "post /admin/calendar",
        own: same("csrf_token={csrf}&year=&notice=&holidays=&make_up_days="),
        other: same("csrf_token={csrf}&year=&notice=&holidays=&make_up_days="),
        rule: Rule::HqAdmin,
    },
    Entry {
        route: "get /returns/template.xlsx",
        own: same("/returns/template.xlsx?office=0201&period=2022Q3"),
        other: same("/returns/template.xlsx?office={other}&period=2022Q3"),
        rule: Rule::Scoped,
    },
    // A multipart form without a file (see `call`): the route is for every signed-in caller; the office of each
    // file is checked on its own (tests/tests/returns.rs).
    Entry { route: "post /returns/upload", own: same(""), other: same(""), rule: Rule::SignedIn },
    // An empty form: a permitted caller is sent back to the form with its errors (nothing is stored).
    Entry {
        route: "post /returns/form",
        own: same("csrf_token={csrf}&office=0201&period=2022Q3"),
        other: same("csrf_token={csrf}&office={other}&period=2022Q3"),
        rule: Rule::ScopedWrite,
    },
    Entry {
        route: "post /returns/confirm",
        own: same("csrf_token={csrf}&ids="),
        other: same("csrf_token={csrf}&ids="),
        rule: Rule::SignedIn,
    },
    // The returns of `{own_return}` and `{other_return}` are submitted already: a permitted caller is told the
    // state does not allow it (nothing changes), the others are refused or told it does not exist.
    Entry {
        route: "post /returns/{id}/confirm",
        own: same("/returns/{own_return}/confirm|csrf_token={csrf}"),
        other: same("/returns/{other_return}/confirm|csrf_token={csrf}"),
        rule: Rule::ScopedWrite,
    },
    Entry {
        route: "post /returns/{id}/discard",
        own: same("/returns/{own_return}/discard|csrf_token={csrf}"),
        other: same("/returns/{other_return}/discard|csrf_token={csrf}"),
        rule: Rule::ScopedWrite,
    },
    Entry {
        route: "post /returns/{id}/decision",
        own: same("/returns/{own_return}/decision|csrf_token={csrf}&decision=return"),
        other: same("/returns/{other_return}/decision|csrf_token={csrf}&decision=return"),
        rule: Rule::ScopedVerify,
    },
    Entry {
        route: "get /returns/{id}/file",
        own: same("/returns/{own_return}/file"),
        other: same("/returns/{other_return}/file"),
        rule: Rule::Scoped,
    },
    // The dashboards' downloads: a direct customs' charts and tables (the national ones are HQ's: tests/dashboard.rs).
    Entry {
        route: "get /dashboard/charts/{file}",
        own: same("/dashboard/charts/burn-up.svg?district=0200"),
        other: same("/dashboard/charts/burn-up.svg?district=4200"),
        rule: Rule::District,
    },
    Entry {
        route: "get /dashboard/tables/{file}",
        own: same("/dashboard/tables/offices.xlsx?district=0200"),
        other: same("/dashboard/tables/offices.xlsx?district=4200"),
        rule: Rule::District,
    },
    // An office's scorecard tables: whoever may read the office (the 新港 filer its own).
    Entry {
        route: "get /offices/{code}/scorecard/{file}",
        own: same("/offices/0201/scorecard/items.xlsx?as_of=2024-12-31"),
        other: same("/offices/{other}/scorecard/requirements.xlsx?as_of=2024-12-31"),
        rule: Rule::Scoped,
    },
];

/// The concrete path of a server route with path parameters: the user of `{id}` is the 新港 filer (enabled
/// again by `/enable`, a no-op), the token of `{id}` does not exist.
fn concrete_path(route_path: &str, filer_id: i64) -> String {
    match route_path {
        "/admin/users/{id}/password" => format!("/admin/users/{filer_id}/password"),
        "/admin/users/{id}/grants" => format!("/admin/users/{filer_id}/grants"),
        "/admin/users/{id}/{act}" => format!("/admin/users/{filer_id}/enable"),
        "/admin/tokens/{id}/revoke" => "/admin/tokens/999999/revoke".to_string(),
        other => other.to_string(),
    }
}

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
fn expected(rule: Rule, caller: Option<bool>, who: &str, scope: Scope) -> bool {
    let admin = who == HQ_ADMIN;
    let own = scope == Scope::Own;
    let writer = matches!(who, "demo-hq-admin" | "demo-tianjin-admin" | "demo-xingang-filer");
    let verifier = matches!(who, "demo-hq-admin" | "demo-tianjin-admin");
    match (rule, caller) {
        (Rule::Public, _) => true,
        (_, None) => false,
        (Rule::SignedIn, Some(_)) => true,
        (Rule::Hq, Some(hq)) => hq,
        (Rule::HqAdmin, Some(_)) => admin,
        (Rule::Scoped, Some(hq)) => hq || own,
        (Rule::District, Some(hq)) => hq || (own && matches!(who, "demo-tianjin-admin" | "demo-tianjin-viewer")),
        (Rule::ScopedWrite, Some(_)) => writer && (admin || own),
        (Rule::ScopedVerify, Some(_)) => verifier && (admin || own),
        (Rule::OwnOnly, Some(_)) => own,
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
    for (method, path) in server::web::SERVER_ROUTES {
        routes.insert(format!("{} {path}", method.to_ascii_lowercase()));
    }
    routes
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

/// Who calls: a name, the signed-in session (none: signed out), whether it holds an HQ role, the key of an upload
/// report of its own and of someone else's.
struct Caller {
    who: String,
    session: Option<Session>,
    hq: Option<bool>,
    own_report: String,
    other_report: String,
}

/// What the run needs besides the caller: another district's office, the 新港 filer's user id, a submitted return
/// of 新港海关 and one of the other office.
struct Fixture {
    other: (String, String),
    filer_id: i64,
    own_return: i64,
    other_return: i64,
}

/// A submitted return of `office` (the return fixture of 新港海关 moved to `office`), stored as the CLI would.
async fn submitted_return(server: &TestServer, office: &str) -> i64 {
    use analytics::returns::ParseContext;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns/filled.xlsx");
    let bytes = std::fs::read(path).expect("fixture");
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    let today = app::services::today_in_china();
    let outcome = analytics::returns::parse_return(
        &bytes,
        analytics::sheets::SourceFormat::Xlsx,
        &ParseContext::new(today, &catalog),
    );
    let mut snapshot = outcome.accepted().expect("valid fixture").clone();
    snapshot.office = analytics::offices::OfficeCode::parse(office).expect("code");
    let store = server.server.store.as_ref();
    let draft = app::store::NewReturnDraft {
        snapshot,
        catalog_code: catalog.code.clone(),
        template_version: Some("1".into()),
        source: app::store::ReturnSource::Excel,
        source_name: Some(format!("{office}.xlsx")),
        content_sha256: format!("matrix-{office}"),
        warnings: Vec::new(),
        file: Some(bytes),
    };
    let actor = app::store::Actor::cli();
    let app::store::DraftOutcome::Created(id) = store.create_return_draft(&draft, &actor).await.expect("draft") else {
        panic!("a new draft");
    };
    store.submit_return(id, chrono::Utc::now(), &actor).await.expect("submit");
    id
}

/// The key of an upload report of `caller` (an upload of a workbook with errors).
async fn report_of(server: &TestServer, caller: &Session) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../analytics/tests/fixtures/returns/errors.xlsx");
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", caller.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(std::fs::read(path).expect("fixture")).file_name("errors.xlsx"));
    let response = client()
        .post(server.url("/returns/upload"))
        .header(COOKIE, &caller.cookie)
        .header(ORIGIN, server.url(""))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let location = response.headers()[LOCATION].to_str().expect("location").to_string();
    location.strip_prefix("/returns/uploads/").unwrap_or_else(|| panic!("a report: {location}")).to_string()
}

/// The answer of one probe: (allowed, status).
async fn call(
    server: &TestServer,
    entry: &Entry,
    probe: &Probe,
    caller: &Caller,
    fixture: &Fixture,
) -> (bool, StatusCode) {
    let fresh;
    // Signing in ends the session the request carries, and signing out ends it: both use a fresh session of the
    // caller, so the caller's own session lives on for the other probes.
    let session = if matches!(entry.route, "post /auth/login" | "post /auth/logout") && caller.session.is_some() {
        fresh = session(server, &caller.who).await;
        Some(&fresh)
    } else {
        caller.session.as_ref()
    };
    let csrf = session.map(|s| s.csrf.as_str()).unwrap_or("");
    let fill = |text: &str| {
        text.replace("{other_name}", &fixture.other.1)
            .replace("{other_return}", &fixture.other_return.to_string())
            .replace("{own_return}", &fixture.own_return.to_string())
            .replace("{other_report}", &caller.other_report)
            .replace("{own_report}", &caller.own_report)
            .replace("{other}", &fixture.other.0)
            .replace("{csrf}", csrf)
    };
    let target = fill(probe.target);
    let (kind, path) = entry.route.split_once(' ').expect("kind and path");
    let request = match kind {
        "fn" => {
            let method = leptos::server_fn::axum::server_fn_paths()
                .find(|(p, _)| *p == path)
                .map(|(_, m)| m)
                .expect("registered server function");
            let request = if method == Method::GET {
                client().get(server.url(&format!("{path}?{target}")))
            } else {
                client()
                    .post(server.url(path))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(ORIGIN, server.url(""))
                    .body(target)
            };
            // What the browser's client sends (app::functions::client::CsrfClient).
            match session {
                Some(session) => request.header("x-csrf-token", &session.csrf),
                None => request,
            }
        }
        "post" if path == "/returns/upload" => client()
            .post(server.url(path))
            .header(ORIGIN, server.url(""))
            .multipart(reqwest::multipart::Form::new().text("csrf_token", csrf.to_string())),
        "post" => {
            // `PATH|BODY` when the probe names its own path.
            let (url, body) = match target.split_once('|') {
                Some((url, body)) => (url.to_string(), body.to_string()),
                None => (concrete_path(path, fixture.filer_id), target),
            };
            client()
                .post(server.url(&url))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ORIGIN, server.url(""))
                .body(body)
        }
        _ => client().get(server.url(&target)),
    };
    let request = match session {
        Some(session) => request.header(COOKIE, &session.cookie),
        None => request,
    };
    let response = request.send().await.unwrap_or_else(|e| panic!("{}: {e}", entry.route));
    let status = response.status();
    let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = response.text().await.unwrap_or_default();
    let allowed = match kind {
        // The server's own routes answer a refused caller with 401/403 or send it to sign in; an authorised one
        // gets its answer, often a redirect back to the form with a status or an error about the input.
        "get" | "post" => {
            let refused = matches!(status.as_u16(), 401 | 403 | 404 | 405)
                || (status.is_redirection() && location.starts_with("/login?next="))
                || location.contains("error=forbidden")
                || location.contains("error=not_found");
            !refused
        }
        _ => status.is_success() && probe.marker.is_none_or(|m| body.contains(&fill(m))),
    };
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
    let filer_id =
        server.server.store.find_user_for_login("demo-xingang-filer").await.expect("store").expect("the demo filer").id;
    let other = other_office(&server).await;
    let fixture = Fixture {
        own_return: submitted_return(&server, "0201").await,
        other_return: submitted_return(&server, &other.0).await,
        other,
        filer_id,
    };
    let mut failures = Vec::new();
    let mut callers = vec![Caller {
        who: "signed out".into(),
        session: None,
        hq: None,
        own_report: "none".into(),
        other_report: "none".into(),
    }];
    for (username, hq) in ROLES {
        let session = session(&server, username).await;
        let own_report = report_of(&server, &session).await;
        callers.push(Caller {
            who: username.to_string(),
            session: Some(session),
            hq: Some(hq),
            own_report,
            other_report: String::new(),
        });
    }
    // Everyone's "other" report is the next caller's own.
    let reports: Vec<String> = callers.iter().map(|c| c.own_report.clone()).collect();
    for (index, caller) in callers.iter_mut().enumerate().skip(1) {
        caller.other_report = reports[if index + 1 < reports.len() { index + 1 } else { 1 }].clone();
    }
    for entry in MATRIX {
        for caller in &callers {
            for (scope, probe) in [(Scope::Own, &entry.own), (Scope::Other, &entry.other)] {
                let want = expected(entry.rule, caller.hq, &caller.who, scope);
                let (got, status) = call(&server, entry, probe, caller, &fixture).await;
                if got != want {
                    failures.push(format!(
                        "{} as {} ({scope:?} scope): expected {}, got {} (status {status})",
                        entry.route,
                        caller.who,
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
        ("demo-xingang-filer", "/returns"),
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
    let Session { cookie, csrf } = session(&server, "demo-tianjin-viewer").await;
    let ask = |code: String| {
        client()
            .post(server.url("/api/fn/office"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .body(format!("code={code}"))
            .send()
    };
    let own = ask("0201".into()).await.expect("own office");
    assert_eq!(own.status(), StatusCode::OK, "the viewer reads its own district's office");
    let hidden = ask(code.clone()).await.expect("out of scope");
    let (hidden_status, hidden_body) = (hidden.status(), hidden.text().await.expect("body"));
    let unknown = ask("9999".into()).await.expect("unknown");
    let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.expect("body"));
    assert_eq!(hidden_status, StatusCode::NOT_FOUND);
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

#[tokio::test]
async fn a_server_function_called_with_the_session_cookie_but_without_its_csrf_token_is_refused() {
    let server = TestServer::start().await;
    let Session { cookie, csrf } = session(&server, "demo-hq-admin").await;
    let call = |path: &'static str, token: Option<&str>, body: &str| {
        let mut request = client()
            .post(server.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(COOKIE, &cookie)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    for path in ["/api/fn/admin_users", "/api/fn/session", "/api/fn/directory"] {
        let missing = call(path, None, "").await.expect("call");
        assert_eq!(missing.status(), StatusCode::FORBIDDEN, "{path} without the token");
        let body: Value = missing.json().await.expect("json");
        assert_eq!(body["error"]["message"], "表单已失效或缺少安全校验码：请刷新页面后重试。", "{path}");
        let wrong = call(path, Some("not-the-token"), "").await.expect("call");
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "{path} with a wrong token");
        let right = call(path, Some(&csrf), "").await.expect("call");
        assert_eq!(right.status(), StatusCode::OK, "{path} with the token");
    }
    // A plain HTML form (no script, no header) carries the token as a field; the function still gets its body.
    let form = call("/api/fn/office", None, &format!("csrf_token={csrf}&code=0201")).await.expect("form");
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.expect("body").contains("新港海关"), "the arguments reach the function");
    // A GET-encoded call (what SameSite=Lax lets a cross-site link make) needs it too, in the query.
    let get = client().get(server.url("/api/fn/session")).header(COOKIE, &cookie).send().await.expect("get");
    assert_eq!(get.status(), StatusCode::FORBIDDEN);
    // Without a cookie there is no ambient credential to abuse: public functions answer without a token.
    let anonymous = client()
        .post(server.url("/api/fn/catalog"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("anonymous");
    assert_eq!(anonymous.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn an_api_write_relying_on_the_session_cookie_needs_the_csrf_token_but_a_bearer_token_does_not() {
    let server = TestServer::start().await;
    let Session { cookie, csrf } = session(&server, "demo-hq-admin").await;
    // No API v1 route accepts a write yet: the guard answers before the router's 404/405 would.
    let refused = client().post(server.url("/api/v1/offices")).header(COOKIE, &cookie).send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let passed = client()
        .post(server.url("/api/v1/offices"))
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("post");
    assert_ne!(passed.status(), StatusCode::FORBIDDEN, "with the token the request reaches the router");
    let bearer = client()
        .post(server.url("/api/v1/offices"))
        .bearer_auth(server.hq_viewer_token().await)
        .send()
        .await
        .expect("post");
    assert_ne!(bearer.status(), StatusCode::FORBIDDEN, "a bearer token carries no ambient credential");
    server.stop().await;
}
