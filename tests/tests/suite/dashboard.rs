//! The dashboards (issue 6): headquarters' national dashboard on `/` and a direct customs' dashboard on its page,
//! as of a date, with the demo history of returns loaded; their downloads (SVG, PNG, Excel) and who may see them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use gongkai_tests::{client, sign_in, TestServer};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(crate) async fn get(server: &TestServer, path: &str, cookie: &str) -> reqwest::Response {
    client().get(server.url(path)).header(COOKIE, cookie).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

pub(crate) async fn page(server: &TestServer, path: &str, cookie: &str) -> String {
    let response = get(server, path, cookie).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("body")
}

/// The text of an HTML fragment: tags and comments dropped, entities decoded, white space trimmed.
pub(crate) fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// The value of the headline figure `name` (`data-figure="name"`).
pub(crate) fn figure(html: &str, name: &str) -> String {
    let start = html.find(&format!("data-figure=\"{name}\"")).unwrap_or_else(|| panic!("figure {name}"));
    let rest = &html[start..];
    let value = rest.find("figure__value").expect("value");
    let rest = &rest[value..];
    let open = rest.find('>').expect("tag end");
    let close = rest.find("</span>").expect("value end");
    text(&rest[open + 1..close])
}

/// The body rows of the table with `id`, as text.
pub(crate) fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("table {id}"));
    let rest = &html[start..];
    let body = &rest[rest.find("<tbody").expect("tbody")..rest.find("</tbody>").expect("tbody end")];
    body.split("</tr>")
        .filter(|r| r.contains("<td"))
        .map(|r| {
            r.split("<td").skip(1).map(|c| text(&format!("<td{}", c.split("</td>").next().unwrap_or("")))).collect()
        })
        .collect()
}

/// The first sheet's rows, as the page writes each cell (`expected` gives the form: a share, a decimal, a date).
pub(crate) fn sheet_rows(bytes: Vec<u8>, expected: &[Vec<String>]) -> (Vec<String>, Vec<Vec<String>>, usize) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a valid xlsx");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let mut rows = range.rows();
    let headers: Vec<String> = rows.next().expect("header row").iter().map(|c| c.to_string()).collect();
    let mut dates = 0;
    let body = rows
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, cell)| {
                    let want = expected.get(r).and_then(|row| row.get(c)).map(String::as_str).unwrap_or("");
                    match cell {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) if want.ends_with('%') => format!("{:.1}%", f * 100.0),
                        Data::Float(f) if want.contains('.') => format!("{f:.1}"),
                        Data::Float(f) => format!("{}", *f as i64),
                        Data::Int(i) => i.to_string(),
                        Data::DateTime(d) => {
                            dates += 1;
                            let day = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch")
                                + chrono::Duration::days(d.as_f64() as i64);
                            app::i18n::Lang::Zh.date(day)
                        }
                        other => other.to_string(),
                    }
                })
                .collect()
        })
        .collect();
    (headers, body, dates)
}

fn header_of(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

#[tokio::test]
async fn with_the_demo_history_hq_sees_the_national_dashboard_a_district_its_own_and_every_download_matches_the_page() {
    let server = TestServer::start().await;
    let until = chrono::NaiveDate::from_ymd_opt(2023, 1, 15).expect("date");
    app::services::demo_history::load_demo_history(server.server.store.as_ref(), until, |_, _| {})
        .await
        .expect("demo history");
    let hq = sign_in(&server, "demo-hq-viewer").await;

    // The national dashboard as of 2022年12月31日.
    let html = page(&server, "/?as_of=2022-12-31", &hq).await;
    assert!(html.contains("截至2022年12月31日"), "the date as officials write it");
    assert!(html.contains("name=\"as_of\"") && html.contains("value=\"2022-12-31\""), "the as-of form keeps the date");
    for chart in ["chart-burn-up", "chart-matrix", "chart-ranking", "chart-scores"] {
        let at = html.find(&format!("id=\"{chart}\"")).unwrap_or_else(|| panic!("{chart}"));
        let src = format!("/dashboard/charts/{}.svg?as_of=2022-12-31", &chart[6..]);
        let figure = &html[at..at + html[at..].find("</figure>").expect("figure end")];
        assert!(figure.contains(&format!("<img src=\"{src}\"")), "{chart} shows its SVG route: {figure}");
        let drawn = get(&server, &src, &hq).await.text().await.expect("svg");
        assert!(drawn.starts_with("<svg") && drawn.contains("<title>"), "{chart} is drawn by its route");
        assert!(html.contains(&format!("/dashboard/charts/{}.svg?as_of=2022-12-31", &chart[6..])), "{chart} SVG link");
        assert!(html.contains(&format!("/dashboard/charts/{}.png?as_of=2022-12-31", &chart[6..])), "{chart} PNG link");
    }
    assert!(
        html.contains("隶属海关完成对标进度")
            && html.contains("全国各直属海关里程碑（M1–M5）完成情况（截至2022年12月31日）"),
        "chart titles"
    );
    // The charts are not inline (the page stays light); each has a text table, the matrix and the ranking the
    // progress table, which carries their numbers.
    assert_eq!(html.matches("viewBox=").count(), 0, "no chart inline");
    assert_eq!(html.matches("<details class=\"chart__table\"").count(), 2, "burn-up and scores have their tables");
    assert_eq!(html.matches("aria-describedby=\"progress-table\"").count(), 2, "matrix and ranking refer to it");
    assert!(html.contains("href=\"#progress-table\""), "and link to it");

    // The figures agree with /api/v1/milestones for the same date.
    let api: Value = get(&server, "/api/v1/milestones?as_of=2022-12-31", &hq).await.json().await.expect("json");
    let national = &api["national"];
    assert_eq!(figure(&html, "completed"), format!("{} / {}", national["completed_ever"], national["offices"]));
    let districts = api["districts"].as_array().expect("districts");
    let statuses = |d: &Value| -> Vec<(String, bool)> {
        d["milestones"]
            .as_array()
            .expect("milestones")
            .iter()
            .map(|m| (m["status"]["status"].as_str().unwrap_or("").to_string(), m["status"]["on_track"] == false))
            .collect()
    };
    // 2022-12-31 is M4's due date: a district short of it is due today (listed), not missed.
    let troubled = |s: &(String, bool)| s.0 == "missed" || s.0 == "due_today" || (s.0 == "not_yet_due" && s.1);
    let on_track = districts.iter().filter(|d| !statuses(d).iter().any(troubled)).count();
    assert_eq!(figure(&html, "on-track"), format!("{on_track} / {}", districts.len()));
    let problems: usize = districts.iter().map(|d| statuses(d).iter().filter(|s| troubled(s)).count()).sum();
    assert!(problems > 0, "the demo has late districts");
    assert_eq!(figure(&html, "at-risk"), problems.to_string());
    let at_risk = table_rows(&html, "at-risk-table");
    assert_eq!(at_risk.len(), problems, "the list names every missed or at-risk milestone");
    assert!(at_risk.iter().all(|r| !r[5].is_empty()), "each with its reason");
    let m4: Vec<&Vec<String>> = at_risk.iter().filter(|r| r[2] == "M4").collect();
    assert!(!m4.is_empty(), "the demo has districts short of M4 on its due date");
    for row in m4 {
        assert_eq!(row[4], "今日到期", "on the due date the status is due today, not missed: {row:?}");
        assert!(!row[5].contains("已过") && row[5].starts_with("今日到期"), "nor already passed: {row:?}");
    }
    assert!(!html.contains("截止日当日"), "one vocabulary: no other words for it");
    let pilots: (usize, usize) = districts.iter().fold((0, 0), |acc, d| {
        let p: Vec<&Value> =
            d["pilots"].as_array().expect("pilots").iter().filter(|p| p["in_district"] == true).collect();
        (acc.0 + p.iter().filter(|p| !p["completed_on"].is_null()).count(), acc.1 + p.len())
    });
    assert_eq!(figure(&html, "pilots"), format!("{} / {}", pilots.0, pilots.1));

    // The ranking of the 42 direct customs by progress, each leading to its dashboard, each milestone cell too.
    let progress = table_rows(&html, "progress-table");
    assert_eq!(progress.len(), districts.len());
    assert_eq!(progress[0][0], "1");
    let tianjin = progress.iter().find(|r| r[1] == "0200").expect("天津 in the ranking");
    assert_eq!(tianjin[2], "天津海关");
    assert!(html.contains("href=\"/offices/0200?as_of=2022-12-31\""), "district row → district dashboard");
    assert!(html.contains("href=\"/offices/0200?as_of=2022-12-31#milestones\""), "milestone cell → the district");
    let api_tianjin = districts.iter().find(|d| d["district"] == "0200").expect("天津 in the API");
    assert_eq!(tianjin[3], api_tianjin["offices"].to_string());
    assert_eq!(tianjin[4], api_tianjin["completed_ever"].to_string());

    // Downloads: SVG, PNG, Excel with the page's rows (dates as date cells).
    let svg = get(&server, "/dashboard/charts/burn-up.svg?as_of=2022-12-31", &hq).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(header_of(&svg, CONTENT_TYPE), "image/svg+xml");
    let disposition = header_of(&svg, CONTENT_DISPOSITION);
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E5%85%A8%E5%9B%BD_"),
        "{disposition}"
    );
    let tag = header_of(&svg, reqwest::header::ETAG);
    assert!(header_of(&svg, reqwest::header::CACHE_CONTROL).contains("no-cache"), "revalidated on every use");
    let svg = svg.text().await.expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("截至2022年12月31日"));
    // Shown again with the same figures: 304, no body.
    let again = client()
        .get(server.url("/dashboard/charts/burn-up.svg?as_of=2022-12-31"))
        .header(COOKIE, &hq)
        .header(reqwest::header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "tag {tag}");
    let other_day = get(&server, "/dashboard/charts/burn-up.svg?as_of=2022-10-31", &hq).await;
    assert_ne!(header_of(&other_day, reqwest::header::ETAG), tag, "other figures, another tag");
    let png = get(&server, "/dashboard/charts/matrix.png?as_of=2022-12-31", &hq).await;
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(header_of(&png, CONTENT_TYPE), "image/png");
    assert!(png.bytes().await.expect("png").starts_with(b"\x89PNG"));
    let xlsx = get(&server, "/dashboard/tables/progress.xlsx?as_of=2022-12-31", &hq).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert_eq!(header_of(&xlsx, CONTENT_TYPE), XLSX);
    let (headers, rows, _) = sheet_rows(xlsx.bytes().await.expect("xlsx").to_vec(), &progress);
    assert_eq!(headers[2], "直属海关");
    assert_eq!(rows, progress, "the workbook holds the page's rows");
    let xlsx = get(&server, "/dashboard/tables/burn-up.xlsx?as_of=2022-12-31", &hq).await;
    let burn_rows = table_rows(&html, "chart-burn-up");
    let template = vec![burn_rows[0].clone(); 2000];
    let (_, daily, dates) = sheet_rows(xlsx.bytes().await.expect("xlsx").to_vec(), &template);
    assert!(dates > 0, "dates are date cells");
    // The page lists the count at each month's end; the workbook every day it changed. They agree.
    let day = |text: &str| server::dashboard::parse_date_zh(text).unwrap_or_else(|| panic!("a date: {text}"));
    assert!(burn_rows.len() < daily.len(), "{} monthly rows, {} daily", burn_rows.len(), daily.len());
    assert!(html.contains("逐日数据请下载 Excel"), "the page says where the daily numbers are");
    for row in burn_rows.iter().filter(|r| r[1] == "累计完成对标") {
        let by_then = daily.iter().rfind(|d| d[1] == "累计完成对标" && day(&d[0]) <= day(&row[0]));
        assert_eq!(by_then.map_or("0", |d| d[2].as_str()), row[2], "{row:?}");
    }
    for target in daily.iter().filter(|d| d[1].ends_with("目标")) {
        assert!(burn_rows.contains(target), "the targets are on the page: {target:?}");
    }
    assert_eq!(get(&server, "/dashboard/charts/nothing.svg", &hq).await.status(), StatusCode::NOT_FOUND);
    // Every table of the national dashboard downloads under its own title; an unknown one is not found.
    let mut dispositions = Vec::new();
    for name in ["at-risk", "matrix", "ranking", "scores"] {
        let xlsx = get(&server, &format!("/dashboard/tables/{name}.xlsx?as_of=2022-12-31"), &hq).await;
        assert_eq!(xlsx.status(), StatusCode::OK, "{name}");
        dispositions.push(header_of(&xlsx, CONTENT_DISPOSITION));
        assert!(xlsx.bytes().await.expect("xlsx").starts_with(b"PK"), "{name}: a workbook");
    }
    let encoded: String = "逾期与风险事项".bytes().map(|b| format!("%{b:02X}")).collect();
    assert!(dispositions[0].contains(&encoded), "{}", dispositions[0]);
    dispositions.dedup();
    assert_eq!(dispositions.len(), 4, "each table under its own name: {dispositions:?}");
    assert_eq!(get(&server, "/dashboard/tables/nothing.xlsx", &hq).await.status(), StatusCode::NOT_FOUND);

    // 天津's administrator: its own district's dashboard, not another's, not the national one.
    let tj = sign_in(&server, "demo-tianjin-admin").await;
    let html = page(&server, "/offices/0200?as_of=2022-12-31", &tj).await;
    assert!(html.contains("id=\"dashboard\""), "the district dashboard is on the direct customs' page");
    let offices = table_rows(&html, "office-table");
    assert_eq!(offices.len(), api_tianjin["offices"].as_u64().expect("count") as usize);
    assert!(offices.iter().any(|r| r[2] == "试点" && r[3].ends_with('日')), "a pilot with its completion date");
    assert!(offices.iter().any(|r| r[7].parse::<f64>().is_ok()), "latest scores");
    assert!(html.contains("href=\"/offices/0201?as_of=2022-12-31\""), "office rows lead to the office page");
    let milestones = table_rows(&html, "milestone-table");
    assert_eq!(milestones.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["M1", "M2", "M3", "M4", "M5"]);
    let at = html.find("id=\"chart-heatmap\"").expect("heatmap");
    assert!(
        html[at..].contains("<img src=\"/dashboard/charts/heatmap.svg?as_of=2022-12-31&amp;district=0200\"")
            && html.contains("隶属海关标准目录事项公开情况")
    );
    assert!(html.contains("按时公开"), "the heatmap's table names the states");
    let xlsx = get(&server, "/dashboard/tables/offices.xlsx?as_of=2022-12-31&district=0200", &tj).await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let (_, rows, dates) = sheet_rows(xlsx.bytes().await.expect("xlsx").to_vec(), &offices);
    assert_eq!(rows, offices);
    assert!(dates > 0, "completion dates are date cells");
    let heat = get(&server, "/dashboard/charts/heatmap.svg?as_of=2022-12-31&district=0200", &tj).await;
    assert_eq!(heat.status(), StatusCode::OK);
    assert_eq!(get(&server, "/offices/4200?as_of=2022-12-31", &tj).await.status(), StatusCode::NOT_FOUND);
    let other = get(&server, "/dashboard/charts/heatmap.svg?as_of=2022-12-31&district=4200", &tj).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let national = get(&server, "/dashboard/charts/burn-up.svg?as_of=2022-12-31", &tj).await;
    assert_eq!(national.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn a_filer_is_refused_the_dashboards_and_their_downloads_and_a_bad_date_is_explained() {
    let server = TestServer::start().await;
    let filer = sign_in(&server, "demo-xingang-filer").await;
    let home = get(&server, "/", &filer).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "the filer is sent to its own home");
    assert_eq!(header_of(&home, LOCATION), "/returns");
    assert_eq!(get(&server, "/offices/0200", &filer).await.status(), StatusCode::NOT_FOUND);
    for path in [
        "/dashboard/charts/burn-up.svg",
        "/dashboard/tables/progress.xlsx",
        "/dashboard/charts/heatmap.png?district=0200",
        "/dashboard/tables/offices.xlsx?district=0200",
    ] {
        let status = get(&server, path, &filer).await.status();
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {status}");
    }
    assert_eq!(client().get(server.url("/dashboard/charts/burn-up.svg")).send().await.expect("get").status(), 401);

    let hq = sign_in(&server, "demo-hq-viewer").await;
    let bad = get(&server, "/dashboard/tables/progress.xlsx?as_of=2022-13-01", &hq).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    // Without any accepted return the dashboard still renders: nothing completed, every chart drawn.
    let html = page(&server, "/", &hq).await;
    assert!(html.contains("id=\"chart-burn-up\"") && html.contains("id=\"progress-table\""));
    server.stop().await;
}

/// Changes what the dashboards read: publishes a (fictitious) holiday year.
async fn change_the_data(server: &TestServer) {
    let year = r#"
[[years]]
year = 2031
notice = "测试用：2031年节假日安排（虚构）"
holidays = [{ name = "元旦", from = 2031-01-01, to = 2031-01-01 }]
make_up_days = []
"#;
    let store = server.server.store.as_ref();
    app::services::calendar::import_file(store, year, &app::store::Actor::cli()).await.expect("imported");
}

#[tokio::test]
async fn a_burst_of_dashboard_requests_after_a_change_computes_the_figures_once() {
    let server = TestServer::start().await;
    let store = server.server.store.clone();
    let until = chrono::NaiveDate::from_ymd_opt(2022, 12, 31).expect("date");
    app::services::demo_history::load_demo_history(store.as_ref(), until, |_, _| {}).await.expect("demo history");
    let hq = sign_in(&server, "demo-hq-viewer").await;
    let computations = || app::services::dashboard::computations(store.instance(), until);

    // Six officials open the dashboard at the same moment: one computation, six identical pages.
    let pages = futures::future::join_all((0..6).map(|_| page(&server, "/?as_of=2022-12-31", &hq))).await;
    assert_eq!(computations(), 1, "one computation for the whole burst");
    let completed: Vec<String> = pages.iter().map(|html| figure(html, "completed")).collect();
    assert!(completed.iter().all(|c| c == &completed[0]), "every page shows the same figures: {completed:?}");
    page(&server, "/?as_of=2022-12-31", &hq).await;
    assert_eq!(computations(), 1, "nothing changed, nothing computed");

    // A change of the data (a newly published holiday year) is computed once more, on the next request.
    change_the_data(&server).await;
    page(&server, "/?as_of=2022-12-31", &hq).await;
    assert_eq!(computations(), 2, "the change is computed on the next request");
    server.stop().await;
}

#[tokio::test]
async fn the_national_dashboard_is_rendered_once_per_session_language_and_change_of_the_data() {
    let server = TestServer::start().await;
    let admin = sign_in(&server, "demo-hq-admin").await;
    let viewer = sign_in(&server, "demo-hq-viewer").await;
    let cache = |response: &reqwest::Response| header_of(response, "x-gongkai-page-cache".parse().expect("name"));
    // Each response has its own Content-Security-Policy nonce, written on the page's scripts: apart from it, the
    // kept page is the same.
    let nonce = |response: &reqwest::Response| {
        let csp = header_of(response, reqwest::header::CONTENT_SECURITY_POLICY);
        let start = csp.find("'nonce-").expect("a nonce") + "'nonce-".len();
        csp[start..start + csp[start..].find('\'').expect("end of the nonce")].to_string()
    };
    let first = get(&server, "/", &admin).await;
    assert_eq!(cache(&first), "miss");
    let first_nonce = nonce(&first);
    let first = first.text().await.expect("body");
    let again = get(&server, "/", &admin).await;
    assert_eq!(cache(&again), "hit", "the same session, nothing changed");
    let again_nonce = nonce(&again);
    assert_ne!(again_nonce, first_nonce);
    let again = again.text().await.expect("body");
    assert_eq!(again.replace(&again_nonce, "NONCE"), first.replace(&first_nonce, "NONCE"), "the same page");
    let reload = client()
        .get(server.url("/"))
        .header(COOKIE, &admin)
        .header(reqwest::header::CACHE_CONTROL, "no-cache")
        .send()
        .await
        .expect("get");
    assert_eq!(cache(&reload), "miss", "a forced reload renders again");

    // Another session has its own page: its own user and CSRF token.
    let other = get(&server, "/", &viewer).await;
    assert_eq!(cache(&other), "miss");
    let other = other.text().await.expect("body");
    assert_ne!(other, first);
    let token = |html: &str| {
        let at = html.find("name=\"csrf-token\" content=\"").expect("the CSRF token") + 27;
        html[at..at + html[at..].find('"').expect("end")].to_string()
    };
    assert_ne!(token(&other), token(&first), "each session its own token");

    // Another language, another date: other pages.
    let english = get(&server, "/", &format!("{admin}; gongkai_lang=en")).await;
    assert_eq!(cache(&english), "miss");
    assert!(english.text().await.expect("body").contains("National overview"));
    assert_eq!(cache(&get(&server, "/?as_of=2022-12-31", &admin).await), "miss");

    // A change of the data (a newly published holiday year): rendered again.
    change_the_data(&server).await;
    assert_eq!(cache(&get(&server, "/", &admin).await), "miss", "the data changed");
    assert_eq!(cache(&get(&server, "/", &admin).await), "hit");

    // Signed out, the session's page is gone with it: sign-in instead.
    let page = page(&server, "/", &admin).await;
    let csrf = token(&page);
    let out = gongkai_tests::post_form(&server, "/auth/logout", &[("csrf_token", csrf.as_str())], Some(&admin)).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(get(&server, "/", &admin).await.status(), StatusCode::SEE_OTHER, "sent to sign in");
    server.stop().await;
}

/// The `href`s of the links of an HTML page (`<a href="…">`), entities decoded.
fn links(html: &str) -> Vec<String> {
    html.split("<a ")
        .skip(1)
        .filter_map(|a| {
            let start = a.find("href=\"")? + "href=\"".len();
            let end = start + a[start..].find('"')?;
            Some(a[start..end].replace("&amp;", "&"))
        })
        .collect()
}

#[tokio::test]
async fn a_filers_directory_counts_what_it_lists_and_no_link_on_it_leads_to_a_404() {
    let server = TestServer::start().await;
    let filer = sign_in(&server, "demo-xingang-filer").await;
    let html = page(&server, "/offices?as_of=2022-12-31", &filer).await;
    assert!(html.contains("天津海关"), "天津 is shown as the path to the filer's office");
    assert!(!html.contains("href=\"/offices/0200"), "but not as a link: the filer may not open it");
    assert!(html.contains("href=\"/offices/0201?as_of=2022-12-31\""), "its own office is a link");
    // The tiles count the one office the list shows, none of the district's or the country's others.
    let tiles = &html[html.find("class=\"figures\"").expect("tiles")..];
    let tiles = &tiles[..tiles.find("</section>").expect("tiles end")];
    let values: Vec<String> = tiles
        .split("figure__value")
        .skip(1)
        .map(|v| text(&v[v.find('>').expect("tag end") + 1..v.find("</span>").expect("value end")]))
        .collect();
    assert_eq!(values, ["0", "1"], "no direct customs of its own, one subordinate office");
    let list = &html[html.find("class=\"office-list\"").expect("the list")..];
    assert_eq!(list[..list.find("</ul>").expect("list end")].matches("<li").count(), 1, "the list shows that one");
    let links = links(&html);
    assert!(links.iter().any(|l| l.starts_with("/offices/0201")));
    for link in links.iter().filter(|l| l.starts_with('/') && !l.starts_with("/logout")) {
        let status = get(&server, link, &filer).await.status();
        assert_ne!(status, StatusCode::NOT_FOUND, "{link}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_filers_own_office_page_names_its_district_without_linking_to_a_page_it_may_not_open() {
    let server = TestServer::start().await;
    let filer = sign_in(&server, "demo-xingang-filer").await;
    let html = page(&server, "/offices/0201", &filer).await;
    let crumbs = &html[html.find("class=\"breadcrumbs\"").expect("breadcrumbs")..];
    let crumbs = &crumbs[..crumbs.find("</nav>").expect("breadcrumbs end")];
    assert!(crumbs.contains("天津海关"), "the district is named: {crumbs}");
    assert!(!crumbs.contains("href=\"/offices/0200"), "but not linked: the filer may not open it");
    for link in links(&html).iter().filter(|l| l.starts_with('/') && !l.starts_with("/logout")) {
        assert_ne!(get(&server, link, &filer).await.status(), StatusCode::NOT_FOUND, "{link}");
    }
    // A direct customs' own roles still go up to their district from an office.
    let admin = sign_in(&server, "demo-tianjin-admin").await;
    assert!(page(&server, "/offices/0201", &admin).await.contains("href=\"/offices/0200"));
    server.stop().await;
}

/// The file name of a download (its `filename*`, decoded).
async fn download_name(server: &TestServer, path: &str, cookie: &str) -> String {
    let response = get(server, path, cookie).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let disposition = header_of(&response, CONTENT_DISPOSITION);
    let encoded = disposition.split("filename*=UTF-8''").nth(1).unwrap_or_else(|| panic!("{path}: {disposition}"));
    let bytes: Vec<u8> = {
        let mut out = Vec::new();
        let mut rest = encoded.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'%' && tail.len() >= 2 {
                let hex = std::str::from_utf8(&tail[..2]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                rest = &tail[2..];
            } else {
                out.push(b);
                rest = tail;
            }
        }
        out
    };
    String::from_utf8(bytes).expect("utf-8 name")
}

#[tokio::test]
async fn every_download_of_the_dashboards_and_a_scorecard_names_its_subject_and_date_under_its_own_name() {
    let server = TestServer::start().await;
    let hq = sign_in(&server, "demo-hq-viewer").await;
    let q = "?as_of=2022-12-31";
    let mut downloads: Vec<(String, &str)> = Vec::new();
    for chart in ["burn-up", "matrix", "ranking", "scores"] {
        for ext in ["svg", "png"] {
            downloads.push((format!("/dashboard/charts/{chart}.{ext}{q}"), "全国"));
        }
    }
    for table in ["burn-up", "matrix", "ranking", "scores", "progress", "at-risk"] {
        downloads.push((format!("/dashboard/tables/{table}.xlsx{q}"), "全国"));
    }
    let d = "&district=0200";
    for chart in ["burn-up", "heatmap"] {
        for ext in ["svg", "png"] {
            downloads.push((format!("/dashboard/charts/{chart}.{ext}{q}{d}"), "天津海关"));
        }
    }
    for table in ["burn-up", "heatmap", "offices", "milestones"] {
        downloads.push((format!("/dashboard/tables/{table}.xlsx{q}{d}"), "天津海关"));
    }
    for table in ["items", "requirements"] {
        downloads.push((format!("/offices/0201/scorecard/{table}.xlsx{q}"), "新港海关"));
    }
    let mut names = Vec::new();
    for (path, whose) in &downloads {
        let name = download_name(&server, path, &hq).await;
        assert!(name.starts_with(&format!("{whose}_")), "{path}: {name}");
        assert!(name.contains("2022-12-31"), "{path}: {name}");
        names.push(name);
    }
    let mut distinct = names.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), names.len(), "no two downloads share a name: {names:?}");
    // The chart titles say the same: whose and as of when.
    let svg = get(&server, &format!("/dashboard/charts/heatmap.svg{q}{d}"), &hq).await.text().await.expect("svg");
    assert!(svg.contains("<title>天津海关隶属海关标准目录事项公开情况（截至2022年12月31日）</title>"));
    let svg = get(&server, &format!("/dashboard/charts/ranking.svg{q}"), &hq).await.text().await.expect("svg");
    assert!(svg.contains("<title>全国直属海关按得分排名（截至2022年12月31日）</title>"));
    server.stop().await;
}
