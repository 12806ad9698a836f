//! The page frame every page passes through (issue 14): the demo mark (示例数据 · 演示模式) on every page while the
//! demo data set is loaded and on none without it, and the header's link to the caller's own office or district;
//! and the wording of pages as each role reads them (no filer's wording or to-dos for HQ, grade bands that read
//! right).

use gongkai_tests::{client, session, Session, TestServer};
use reqwest::header::COOKIE;
use reqwest::StatusCode;

use crate::returns::{fixture, id_of, post, upload};

const MARK: &str = "示例数据 · 演示模式";

async fn page(server: &TestServer, cookie: &str, path: &str) -> String {
    let response = client().get(server.url(path)).header(COOKIE, cookie).send().await.expect("page");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("body")
}

/// The header's main navigation of a page.
fn main_nav(html: &str) -> &str {
    let start = html.find("class=\"main-nav\"").expect("the page has the main navigation");
    let end = start + html[start..].find("</nav>").expect("end of the navigation");
    &html[start..end]
}

#[tokio::test]
async fn every_page_shows_the_demo_mark_exactly_once_while_the_demo_set_is_loaded() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let draft = upload(&server, &filer, &[("新港海关-2022Q3.ods", fixture("filled.ods"))]).await;
    let id = id_of(&draft);
    let return_page = format!("/returns/{id}");
    let admin: Session = session(&server, "demo-hq-admin").await;
    let district = session(&server, "demo-tianjin-viewer").await;
    let pages: Vec<(&Session, &str)> = vec![
        (&filer, "/returns"),
        (&filer, "/returns/form"),
        (&filer, &return_page),
        (&filer, "/offices/0201"),
        (&filer, "/account/password"),
        (&district, "/offices/0200"),
        (&district, "/returns"),
        (&admin, "/"),
        (&admin, "/catalog"),
        (&admin, "/offices"),
        (&admin, "/admin/audit"),
        (&admin, "/admin/users"),
        (&admin, "/admin/tokens"),
        (&admin, "/admin/schemes"),
        (&admin, "/admin/calendar"),
    ];
    for (who, path) in pages {
        let html = page(&server, &who.cookie, path).await;
        assert_eq!(html.matches(MARK).count(), 1, "{path} shows the demo mark once");
    }
    let english = page(&server, &format!("{}; gongkai_lang=en", admin.cookie), "/admin/users").await;
    assert!(english.contains("Sample data · demo mode"), "the mark in English mode");
    let signed_out = page(&server, "", "/catalog").await;
    assert!(signed_out.contains(MARK), "signed out, too");
}

#[tokio::test]
async fn no_page_shows_the_demo_mark_without_the_demo_set() {
    let server = TestServer::start_with(false).await;
    for path in ["/catalog", "/login"] {
        let html = page(&server, "", path).await;
        assert!(!html.contains("示例数据"), "{path} has no demo mark without the demo set");
    }
}

#[tokio::test]
async fn the_header_links_a_filer_to_its_office_scorecard_and_a_district_role_to_its_dashboard() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let html = page(&server, &filer.cookie, "/returns").await;
    let nav = main_nav(&html);
    assert!(nav.contains("href=\"/offices/0201\"") && nav.contains("本单位评分"), "{nav}");
    let english = page(&server, &format!("{}; gongkai_lang=en", filer.cookie), "/returns").await;
    assert!(
        main_nav(&english).contains("My office&#x27;s scorecard")
            || main_nav(&english).contains("My office's scorecard")
    );

    for viewer in ["demo-tianjin-admin", "demo-tianjin-viewer"] {
        let who = session(&server, viewer).await;
        let html = page(&server, &who.cookie, "/returns").await;
        let nav = main_nav(&html);
        assert!(nav.contains("href=\"/offices/0200\"") && nav.contains("本关区概览"), "{viewer}: {nav}");
        assert!(!nav.contains("本单位评分"), "{viewer}");
    }

    let hq = session(&server, "demo-hq-admin").await;
    let html = page(&server, &hq.cookie, "/returns").await;
    let nav = main_nav(&html);
    assert!(!nav.contains("本单位评分") && !nav.contains("本关区概览"), "HQ has the national overview instead: {nav}");
}

#[tokio::test]
async fn hq_is_not_offered_the_filer_s_template_wording_nor_the_filer_s_to_dos() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let id = id_of(&upload(&server, &filer, &[("新港海关-2022Q3.ods", fixture("filled.ods"))]).await);
    post(&server, &filer, &format!("/returns/{id}/confirm"), &[]).await;
    let district = session(&server, "demo-tianjin-admin").await;
    let fields = [("decision", "return"), ("reason_item_7", "请补充第7项的公开网址")];
    assert_eq!(
        post(&server, &district, &format!("/returns/{id}/decision"), &fields).await,
        format!("/returns/{id}?status=returned")
    );

    let own = page(&server, &filer.cookie, "/returns").await;
    assert!(own.contains("下载本单位的填报模板"), "a filer files its own office's return");
    assert!(own.contains("被退回修改"), "the filer's to-do: fix the returned return");
    for hq in ["demo-hq-admin", "demo-hq-viewer"] {
        let who = session(&server, hq).await;
        let html = page(&server, &who.cookie, "/returns").await;
        assert!(!html.contains("下载本单位的填报模板"), "{hq} has no office of its own to file for");
        assert!(!html.contains("被退回修改"), "{hq} does not fix an office's returned return");
    }
}

#[tokio::test]
async fn the_lowest_grade_band_reads_below_the_pass_mark() {
    let server = TestServer::start().await;
    let admin = session(&server, "demo-hq-admin").await;
    let html = page(&server, &admin.cookie, "/admin/schemes").await;
    assert!(html.contains("不合格（60分以下）"), "the lowest band by its upper bound");
    assert!(!html.contains("0分以上"), "no band reads 0分以上");
}
