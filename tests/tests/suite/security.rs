//! What every response guarantees whatever the input (issue 13): titles made of data are text, scripts run only
//! with the request's Content-Security-Policy nonce, answers that belong to a caller are not stored by caches, a
//! date outside the programme is refused before anything is computed, and a caller's counts stay in its scope.

use analytics::offices::import::ImportPlan;
use analytics::offices::OfficeCode;
use app::store::{Actor, OfficeImport, Store};
use gongkai_tests::{client, session, sign_in, Session, TestServer};
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, ETAG, STRICT_TRANSPORT_SECURITY};
use reqwest::StatusCode;
use serde_json::Value;

/// Renames every version of office `code` straight in the store, as an import whose file said so would. The
/// importer refuses markup in names; the store does not check, which lets the test put in what an older import
/// (or a direct database edit) might have left there.
async fn rename_office(store: &dyn Store, code: &str, name: &str) {
    let mut versions = store.office_versions().await.expect("offices");
    for version in versions.iter_mut().filter(|v| v.code.as_str() == code) {
        version.name = name.to_string();
    }
    let import = OfficeImport {
        source_name: "rename.csv".into(),
        content_sha256: format!("rename-{code}"),
        is_sample: false,
        rows_read: 1,
        plan: ImportPlan {
            versions,
            replaced_codes: vec![OfficeCode::parse(code).expect("code")],
            added: 0,
            changed: 1,
            unchanged: 0,
        },
        expected_generation: store.office_generation().await.expect("generation"),
    };
    store.apply_office_import(&import, &Actor::cli()).await.expect("renamed");
}

/// The nonce of a response's Content-Security-Policy (`'nonce-…'` of `script-src`).
fn csp_nonce(response: &reqwest::Response) -> String {
    let csp = response
        .headers()
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .expect("a Content-Security-Policy header")
        .to_string();
    let start = csp.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    csp[start..start + csp[start..].find('\'').expect("end of the nonce")].to_string()
}

/// Every `<script` tag of `html` carries `nonce="{nonce}"`; returns how many there are.
fn assert_scripts_carry(html: &str, nonce: &str) -> usize {
    let tags: Vec<&str> =
        html.match_indices("<script").map(|(at, _)| &html[at..at + html[at..].find('>').unwrap_or(0)]).collect();
    for tag in &tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "a script without the response's nonce {nonce}: {tag}");
    }
    tags.len()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<&str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn an_office_named_like_markup_is_shown_as_text_in_its_page_title_and_runs_nowhere() {
    let server = TestServer::start().await;
    let name = "</title><script>alert(1)</script>";
    rename_office(server.server.store.as_ref(), "0201", name).await;
    let cookie = sign_in(&server, "demo-tianjin-viewer").await;
    for path in ["/offices/0201", "/offices/0200", "/offices?q=0201"] {
        let response = client().get(server.url(path)).header(COOKIE, &cookie).send().await.expect("page");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.expect("body");
        assert!(!html.contains("<script>alert(1)"), "{path}: the name's script is in the page as markup");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: the name is shown as text");
        assert_eq!(html.matches("<title>").count(), 1, "{path}: one title");
        assert_eq!(html.matches("</title>").count(), 1, "{path}: the title is closed once only");
    }
    let html = client()
        .get(server.url("/offices/0201"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    let title = &html[html.find("<title>").expect("title")..html.find("</title>").expect("end of the title")];
    assert!(title.starts_with("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; — "), "{title}");
    server.stop().await;
}

#[tokio::test]
async fn every_page_has_a_content_security_policy_whose_fresh_nonce_is_on_each_of_its_scripts() {
    let server = TestServer::start().await;
    // A public page, twice: each response has its own nonce.
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = client().get(server.url("/catalog")).send().await.expect("catalog");
        let csp = header(&response, CONTENT_SECURITY_POLICY).expect("policy").to_string();
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'nonce-",
            "'wasm-unsafe-eval'",
            "style-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let nonce = csp_nonce(&response);
        let html = response.text().await.expect("body");
        assert!(assert_scripts_carry(&html, &nonce) >= 1, "the hydration script is there");
        assert!(!html.contains("onclick=") && !html.contains("onload=") && !html.contains("javascript:"));
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");

    // HQ's dashboard is served from the page cache the second time: with the second request's nonce.
    let cookie = sign_in(&server, "demo-hq-viewer").await;
    let mut seen = Vec::new();
    for expected in ["miss", "hit"] {
        let response = client().get(server.url("/")).header(COOKIE, &cookie).send().await.expect("dashboard");
        assert_eq!(header(&response, server::page_cache::CACHE_HEADER.parse().expect("name")), Some(expected));
        let nonce = csp_nonce(&response);
        let html = response.text().await.expect("body");
        assert!(assert_scripts_carry(&html, &nonce) >= 1, "{expected}: scripts with the response's nonce");
        seen.push(nonce);
    }
    assert_ne!(seen[0], seen[1], "the kept page is served with a new nonce");
    server.stop().await;
}

#[tokio::test]
async fn signed_in_pages_api_answers_and_server_functions_are_not_kept_by_caches_and_public_pages_may_be() {
    let server = TestServer::start().await;
    let Session { cookie, csrf } = session(&server, "demo-hq-viewer").await;

    let page = client().get(server.url("/offices")).header(COOKIE, &cookie).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, CACHE_CONTROL), Some("no-store"), "a signed-in page");

    let api = client().get(server.url("/api/v1/offices")).header(COOKIE, &cookie).send().await.expect("api");
    assert_eq!(api.status(), StatusCode::OK);
    assert_eq!(header(&api, CACHE_CONTROL), Some("no-store"), "an API answer");
    let token = server.hq_viewer_token().await;
    let api = client().get(server.url("/api/v1/catalog")).bearer_auth(&token).send().await.expect("api");
    assert_eq!(header(&api, CACHE_CONTROL), Some("no-store"), "an API answer to a token");
    let unauthorized = client().get(server.url("/api/v1/offices")).send().await.expect("api");
    assert_eq!(header(&unauthorized, CACHE_CONTROL), Some("no-store"), "an API refusal");

    let function = client()
        .post(server.url("/api/fn/directory"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .body("")
        .send()
        .await
        .expect("server function");
    assert_eq!(function.status(), StatusCode::OK);
    assert_eq!(header(&function, CACHE_CONTROL), Some("no-store"), "a server function");
    assert!(header(&function, CONTENT_SECURITY_POLICY).is_some());

    // A chart keeps its own revalidation rule (ETag + private, no-cache).
    let chart = client()
        .get(server.url("/dashboard/charts/burn-up.svg?as_of=2022-12-31"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("chart");
    assert_eq!(chart.status(), StatusCode::OK);
    assert_eq!(header(&chart, CACHE_CONTROL), Some("private, no-cache"));
    assert!(header(&chart, ETAG).is_some());

    // The catalog for a signed-out visitor is the same for everyone: no `no-store`.
    let public = client().get(server.url("/catalog")).send().await.expect("catalog");
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(header(&public, CACHE_CONTROL), None);
    assert_eq!(header(&public, STRICT_TRANSPORT_SECURITY), None, "no HSTS over plain HTTP");
    server.stop().await;
}

#[tokio::test]
async fn a_server_with_secure_cookies_tells_browsers_to_use_https_only() {
    let server = TestServer::start_configured(|config| config.secure_cookies = true).await;
    for path in ["/health", "/catalog", "/api/v1/offices"] {
        let response = client().get(server.url(path)).send().await.expect("answer");
        assert_eq!(header(&response, STRICT_TRANSPORT_SECURITY), Some("max-age=31536000"), "{path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_date_outside_the_programme_is_refused_with_its_range_on_every_page_and_endpoint() {
    let server = TestServer::start().await;
    let hq = sign_in(&server, "demo-hq-viewer").await;
    // Before the fix: `/` answered 500 and `/offices/0200` rendered 22 MB (a table row per month up to 9999).
    for path in [
        "/?as_of=9000-01-01",
        "/offices/0200?as_of=9999-12-31",
        "/offices?as_of=2021-12-29",
        "/offices/0201?as_of=9999-12-31",
    ] {
        let response = client().get(server.url(path)).header(COOKIE, &hq).send().await.expect("page");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let html = response.text().await.expect("body");
        assert!(html.contains("超出可查询范围：可查询2021年12月30日至今天"), "{path}: the message with the range");
        assert!(html.len() < 512 * 1024, "{path}: {} bytes", html.len());
    }
    let token = server.hq_viewer_token().await;
    for path in [
        "/api/v1/offices?as_of=9999-12-31",
        "/api/v1/milestones?as_of=9000-01-01",
        "/api/v1/offices/0201/assessment?as_of=2021-01-01",
    ] {
        let response = client().get(server.url(path)).bearer_auth(&token).send().await.expect("api");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["field"], "as_of", "{path}: {body}");
        assert!(body["error"]["message"].as_str().expect("message").contains("超出可查询范围"), "{path}: {body}");
    }
    for path in ["/dashboard/charts/burn-up.svg?as_of=9999-12-31", "/dashboard/tables/burn-up.xlsx?as_of=9999-12-31"] {
        let response = client().get(server.url(path)).header(COOKIE, &hq).send().await.expect("download");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    // The first and the last day of the range are answered.
    let today = app::services::today_in_china();
    for as_of in ["2021-12-30".to_string(), today.to_string()] {
        let response =
            client().get(server.url(&format!("/api/v1/offices?as_of={as_of}"))).bearer_auth(&token).send().await;
        assert_eq!(response.expect("api").status(), StatusCode::OK, "{as_of}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_filer_counts_only_its_own_office_in_the_directory_and_its_api() {
    let server = TestServer::start().await;
    let cookie = sign_in(&server, "demo-xingang-filer").await;
    let response = client().get(server.url("/api/v1/offices")).header(COOKIE, &cookie).send().await.expect("api");
    assert_eq!(response.status(), StatusCode::OK);
    let offices: Value = response.json().await.expect("json");
    assert_eq!(offices["direct_customs"], 0, "{offices}");
    assert_eq!(offices["subordinates"], 1, "{offices}");
    let root = &offices["roots"][0];
    assert_eq!(root["subordinate_count"], 1, "海关总署 counts only the filer's office, not the country's");
    let tianjin = &root["children"][0];
    assert_eq!(tianjin["code"], "0200");
    assert_eq!(tianjin["subordinate_count"], 1, "天津 counts only the filer's office, not the district's");
    assert_eq!(tianjin["children"].as_array().expect("children").len(), 1);

    let html = client().get(server.url("/offices")).header(COOKIE, &cookie).send().await.expect("page");
    let html = html.text().await.expect("body");
    assert!(html.contains("隶属海关 1 个"), "the district tile counts the filer's office only");
    for line in html.split("隶属海关 ").skip(1) {
        let count: String = line.chars().take_while(char::is_ascii_digit).collect();
        assert!(count.is_empty() || count == "1", "a count outside the filer's scope: 隶属海关 {count}");
    }
    server.stop().await;
}
