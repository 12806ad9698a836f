//! The office scorecard (issue 6, item 3) on a subordinate office's page: its points add up to the assessment of
//! `/api/v1/offices/{code}/assessment`, its tables download as workbooks with the page's rows, and it is scoped
//! like the office page.

use gongkai_tests::{client, sign_in, TestServer};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

use crate::dashboard::{figure, get, page, sheet_rows, table_rows, text};

const AS_OF: &str = "2022-12-31";

/// A number of the page (`4`, `0.5`); `—` counts as nothing.
fn number(cell: &str) -> f64 {
    cell.parse().unwrap_or(0.0)
}

/// The workbook's rows with line breaks taken out, as the page's text shows multi-line cells.
fn flat(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter().map(|r| r.into_iter().map(|c| c.replace('\n', "")).collect()).collect()
}

#[tokio::test]
async fn an_office_scorecard_loses_exactly_the_points_of_its_assessment_and_its_tables_download_as_the_page_shows_them()
{
    let server = TestServer::start().await;
    let until = chrono::NaiveDate::from_ymd_opt(2023, 1, 15).expect("date");
    app::services::demo_history::load_demo_history(server.server.store.as_ref(), until, |_, _| {})
        .await
        .expect("demo history");
    let hq = sign_in(&server, "demo-hq-viewer").await;
    let tj = sign_in(&server, "demo-tianjin-admin").await;

    // A demo office of 天津 that lost points by the date and is still 天津's today (the scope is today's
    // hierarchy): from the district's table of offices (score column).
    let district = page(&server, &format!("/offices/0200?as_of={AS_OF}"), &hq).await;
    let offices = table_rows(&district, "office-table");
    let mut office = None;
    for row in offices.iter().filter(|r| r[7].parse::<f64>().is_ok_and(|s| s < 100.0)) {
        if get(&server, &format!("/offices/{}", row[0]), &tj).await.status() == StatusCode::OK {
            office = Some(row);
            break;
        }
    }
    let office = office.unwrap_or_else(|| panic!("an office of 天津 below 100 points on {AS_OF}: {offices:?}"));
    let (code, name) = (office[0].clone(), office[1].clone());
    assert!(
        district.contains(&format!("href=\"/offices/{code}?as_of={AS_OF}\"")),
        "the district's table leads to the office"
    );

    let html = page(&server, &format!("/offices/{code}?as_of={AS_OF}"), &hq).await;
    assert!(html.contains("id=\"scorecard\""), "the scorecard is on the office page");
    let api: Value = get(&server, &format!("/api/v1/offices/{code}/assessment?as_of={AS_OF}"), &hq)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(api["name"], name.as_str());
    let assessment = &api["assessment"];
    let score = assessment["score"].as_f64().expect("score");
    let lines = assessment["lines"].as_array().expect("lines");
    let points = |l: &Value| l["points"].as_f64().unwrap_or(0.0);
    let deducted: f64 = lines.iter().filter(|l| l["rule"] != "cap" && points(l) < 0.0).map(|l| -points(l)).sum();
    let cap: f64 = lines.iter().filter(|l| l["rule"] == "cap").map(points).sum();
    let full: f64 =
        lines.iter().filter(|l| points(l) > 0.0 && l["item"].is_null() && l["requirement"].is_null()).map(points).sum();
    let bonus: f64 = lines.iter().filter(|l| points(l) > 0.0 && !l["requirement"].is_null()).map(points).sum();
    assert!((full - 100.0).abs() < 1e-9, "the indicators' full marks are 100");
    assert!(deducted > 0.0, "the office lost points");

    // Head figures: the score and grade of the API, the return it assessed.
    assert_eq!(figure(&html, "score").parse::<f64>().expect("score figure"), score);
    assert_eq!(figure(&html, "grade"), assessment["grade"].as_str().expect("grade"));
    let period = api["return"]["period"].as_str().expect("period");
    let period = analytics::returns::Period::parse(period).expect("period").name_zh();
    assert_eq!(figure(&html, "return"), period);

    // The points lost on the page, item by item and requirement by requirement, are the API's deductions, and
    // 100 minus them plus the bonus is the score.
    let items = table_rows(&html, "score-items");
    let requirements = table_rows(&html, "score-requirements");
    assert!(items.len() >= 25, "every catalog item has a row: {}", items.len());
    let catalog = analytics::catalog::standard_catalog().expect("catalog");
    for item in catalog.items() {
        assert!(items.iter().any(|r| r[0].starts_with(&format!("第{}项", item.number))), "item {}", item.number);
    }
    assert_eq!(requirements.len(), analytics::returns::guide_requirements().len());
    let lost: f64 =
        items.iter().map(|r| number(&r[8])).sum::<f64>() + requirements.iter().map(|r| number(&r[7])).sum::<f64>();
    assert!((lost - deducted).abs() < 1e-9, "page {lost} = API {deducted}");
    assert!((100.0 - lost + bonus + cap - score).abs() < 0.01, "100 − {lost} + {bonus} + {cap} = {score}");
    let sum = text(&html[html.find("id=\"score-sum\"").expect("sum")..]);
    assert!(sum.contains(&format!("扣分合计 {} 分", app::functions::scorecard::points(deducted))), "{sum}");
    // Every row that lost points gives the engine's reasons, each a line of the API.
    let reasons: Vec<&str> = lines.iter().filter_map(|l| l["reason_zh"].as_str()).collect();
    let losing: Vec<&Vec<String>> = items.iter().filter(|r| number(&r[8]) > 0.0).collect();
    assert!(!losing.is_empty());
    for row in &losing {
        assert!(reasons.iter().any(|r| row[9].contains(r)), "{row:?} has an engine reason");
        assert!(html.contains("score-row--lost"), "lost rows stand out");
    }
    // Each item that lost points is linked from the head of the scorecard.
    assert!(html.contains("class=\"lost-item\""), "the list of items that lost points");

    // The verification history of its returns.
    assert!(html.contains("审核记录") && html.contains("审核通过"), "returns with their decisions");

    // The downloads hold the page's rows.
    for (file, rows) in [("items", &items), ("requirements", &requirements)] {
        let response = get(&server, &format!("/offices/{code}/scorecard/{file}.xlsx?as_of={AS_OF}"), &hq).await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let (headers, sheet, _) = sheet_rows(response.bytes().await.expect("xlsx").to_vec(), rows);
        assert_eq!(headers[0], if file == "items" { "事项" } else { "《指引》条目" });
        assert_eq!(&flat(sheet), rows, "{file}: the workbook holds the page's rows");
    }
    assert!(html.contains(&format!("/offices/{code}/scorecard/items.xlsx?as_of={AS_OF}")), "the page links them");

    // The same office for 天津's administrator; the as-of date in the URL changes what is shown.
    let own = page(&server, &format!("/offices/{code}?as_of={AS_OF}"), &tj).await;
    assert_eq!(table_rows(&own, "score-items"), items);
    let early = page(&server, &format!("/offices/{code}?as_of=2022-01-01"), &tj).await;
    assert!(early.contains("id=\"scorecard-empty\""), "nothing accepted by 2022年1月1日");
    server.stop().await;
}

#[tokio::test]
async fn a_scorecard_outside_the_callers_scope_reads_like_an_unknown_office() {
    let server = TestServer::start().await;
    let tj = sign_in(&server, "demo-tianjin-viewer").await;
    let filer = sign_in(&server, "demo-xingang-filer").await;

    // Without any accepted return the scorecard says so, for the office's own filer too.
    let html = page(&server, "/offices/0201", &filer).await;
    assert!(html.contains("id=\"scorecard-empty\"") && html.contains("未完成对标"), "nothing to score yet");
    let own = get(&server, "/offices/0201/scorecard/items.xlsx", &filer).await;
    assert_eq!(own.status(), StatusCode::OK, "the filer downloads its own office's");

    // The offices refused below exist: headquarters and 天津 download theirs.
    let hq = sign_in(&server, "demo-hq-viewer").await;
    assert_eq!(get(&server, "/offices/4201/scorecard/items.xlsx", &hq).await.status(), StatusCode::OK);
    assert_eq!(get(&server, "/offices/0202/scorecard/items.xlsx", &tj).await.status(), StatusCode::OK);

    let unknown = get(&server, "/offices/9999/scorecard/items.xlsx", &tj).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown_body = unknown.text().await.expect("body");
    for (who, path) in [
        (&tj, "/offices/4201/scorecard/items.xlsx"),
        (&tj, "/offices/4201/scorecard/requirements.xlsx?as_of=2022-12-31"),
        (&filer, "/offices/0202/scorecard/items.xlsx"),
        // A direct customs has a dashboard, not a scorecard.
        (&tj, "/offices/0200/scorecard/items.xlsx"),
        (&tj, "/offices/0201/scorecard/other.xlsx"),
    ] {
        let response = get(&server, path, who).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        if !path.contains("other.xlsx") {
            assert_eq!(response.text().await.expect("body"), unknown_body, "{path} reads like an unknown office");
        }
    }
    assert_eq!(get(&server, "/offices/4201", &tj).await.status(), StatusCode::NOT_FOUND);
    // Signed out, it is sent to sign in like the office page.
    let signed_out = client().get(server.url("/offices/0201/scorecard/items.xlsx")).send().await.expect("get");
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(signed_out.headers()[LOCATION].to_str().expect("location").starts_with("/login?next="));
    let bad = get(&server, "/offices/0201/scorecard/items.xlsx?as_of=2022-13-01", &tj).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn the_scorecard_and_the_district_tables_read_in_english_when_english_is_chosen() {
    let server = TestServer::start().await;
    let tj = sign_in(&server, "demo-tianjin-admin").await;
    let english = format!("{tj}; gongkai_lang=en");
    let district = page(&server, "/offices/0200", &english).await;
    for word in ["First completed", "Latest accepted return", "Milestone", "Deadline"] {
        assert!(district.contains(&format!(">{word}<")), "the district's tables say {word}");
    }
    assert!(!district.contains(">首次完成对标日期<"), "no Chinese header left");
    let office = page(&server, "/offices/0201", &english).await;
    assert!(office.contains("Scorecard as of") && office.contains("Benchmarking not completed"), "the scorecard");
    let chinese = page(&server, "/offices/0200", &tj).await;
    assert!(chinese.contains(">首次完成对标日期<"), "Chinese stays the default");
    server.stop().await;
}
