//! Milestones and assessments from the database (issue 5): the demo's rollout records and history judged through
//! the service, the API (`/api/v1/milestones`, `/api/v1/offices/{code}/assessment`) by role, and the CLI's table.

use analytics::returns::demo::{pace_of, Pace};
use analytics::rollout::MilestoneStatus;
use app::services::rollout::{milestones, office_assessment, MilestonesView};
use chrono::NaiveDate;
use gongkai_tests::{client, session, TestServer};
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use serde_json::Value;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn status(view: &MilestonesView, district: &str, milestone: &str) -> MilestoneStatus {
    let district = view.districts.iter().find(|d| d.district.as_str() == district).expect("district");
    district.milestone(milestone).expect("milestone").status
}

#[tokio::test]
async fn the_demo_history_loaded_through_the_pipeline_gives_the_milestones_a_person_can_check_by_hand() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("rollout.db").display());
    let store = app::store::connect(&url).await.expect("store");
    app::services::setup::prepare(store.as_ref(), true).await.expect("prepare");
    let until = day(2022, 9, 15);
    app::services::demo_history::load_demo_history(store.as_ref(), until, |_, _| {}).await.expect("history");
    let hq = app::services::returns::system_principal("test", "测试").expect("principal");
    let today = app::services::today_in_china();

    let view = milestones(store.as_ref(), &hq, until, today).await.expect("milestones");
    assert!(view.districts.len() >= 40, "every direct customs with offices");
    let national = view.national.as_ref().expect("HQ sees the national roll-up");
    // 天津 published its catalog and filed its plan in April 2022, designated two pilots in June, and both pilots'
    // returns were accepted in August: M1–M3 on time; M4 (a third by 2022年12月31日) is still open.
    for milestone in ["M1", "M2", "M3"] {
        assert!(matches!(status(&view, "0200", milestone), MilestoneStatus::MetOnTime { .. }), "天津 {milestone}");
    }
    assert!(matches!(status(&view, "0200", "M4"), MilestoneStatus::NotYetDue { .. }));
    let tianjin = view.districts.iter().find(|d| d.district.as_str() == "0200").expect("天津");
    assert_eq!(tianjin.pilots.len(), 2);
    assert!(tianjin.pilots.iter().all(|p| p.completed_on.is_some_and(|d| d <= day(2022, 8, 31))));
    // A late district published in May (after the 30 April deadline) and its pilots complete only in October.
    let late = view.districts.iter().find(|d| pace_of(&d.district) == Pace::Late).expect("a late district");
    assert!(matches!(late.milestone("M1").expect("M1").status, MilestoneStatus::MetLate { .. }));
    assert!(matches!(late.milestone("M3").expect("M3").status, MilestoneStatus::Missed { .. }));
    let m3 = national.milestones.iter().find(|m| m.code == "M3").expect("M3 tally");
    assert!(m3.met_on_time > 0 && m3.missed > 0, "{m3:?}");

    // Before anything happened, nothing is met.
    let early = milestones(store.as_ref(), &hq, day(2022, 1, 31), today).await.expect("early");
    assert!(early
        .districts
        .iter()
        .all(|d| d.milestones.iter().all(|m| m.status.met_on().is_none() && d.completed_ever == 0)));

    // A pilot's assessment explains itself and dates its completion.
    let pilot = &tianjin.pilots[0];
    let assessed = office_assessment(store.as_ref(), &hq, &pilot.office, until, today).await.expect("assessment");
    let assessment = assessed.assessment.expect("an accepted return is scored");
    assert!(assessment.score > 0.0 && !assessment.grade.is_empty());
    let total: f64 = assessment.lines.iter().map(|l| l.points).sum();
    assert!((total - assessment.score).abs() < 1e-6, "the lines add up to the score");
    assert!(assessed.completion.complete);
    assert_eq!(assessed.completion.first_completed_on, pilot.completed_on);
    // As of the day before its return was accepted, it had nothing to assess.
    let before = pilot.completed_on.expect("completed") - chrono::Duration::days(1);
    let earlier = office_assessment(store.as_ref(), &hq, &pilot.office, before, today).await.expect("earlier");
    assert!(earlier.completion.first_completed_on.is_none());

    // A new scheme version applies from its date on: the pilot accepted in 2022 keeps the version it was scored
    // under; a stored version cannot be changed.
    assert_eq!(assessment.scheme_code, "default-2022");
    let newer = analytics::assessment::SCHEME_DEFAULT_TOML
        .replacen("code = \"default-2022\"", "code = \"hq-2023\"", 1)
        .replacen("valid_from = \"2022-01-01\"", "valid_from = \"2023-01-01\"", 1);
    let actor = app::store::Actor::cli();
    app::services::rollout::install_scheme(store.as_ref(), &newer, &actor).await.expect("a new version");
    let kept = office_assessment(store.as_ref(), &hq, &pilot.office, day(2024, 1, 1), today).await.expect("kept");
    assert_eq!(kept.assessment.expect("scored").scheme_code, "default-2022");
    let changed = newer.replacen("valid_from = \"2023-01-01\"", "valid_from = \"2023-02-01\"", 1);
    let refused = app::services::rollout::install_scheme(store.as_ref(), &changed, &actor).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("不可修改")));
    let broken = newer.replacen("code = \"hq-2023\"", "code = \"\"", 1);
    assert!(app::services::rollout::install_scheme(store.as_ref(), &broken, &actor).await.is_err());
    assert_eq!(store.schemes().await.expect("schemes").len(), 2);

    // The command line prints the same figures.
    let table = server::cli::milestones_table(&view);
    assert!(table.contains("截至2022年9月15日"), "{table}");
    let tianjin_line = table.lines().find(|l| l.starts_with("0200 天津海关")).expect("天津's line");
    assert!(tianjin_line.contains("按期完成（2022年4月"), "{tianjin_line}");
    assert!(table.contains("M3（2022年8月31日到期）：按期"), "{table}");
    store.close().await;
    let status = {
        use clap::Parser;
        let argv = ["gongkai", "--database-url", &url, "milestones", "--as-of", "2022-09-15", "--json"];
        server::cli::run(server::cli::Cli::parse_from(argv)).await
    };
    assert_eq!(status, std::process::ExitCode::SUCCESS);
}

async fn get_json(server: &TestServer, cookie: &str, path: &str) -> (StatusCode, Value) {
    let response = client().get(server.url(path)).header(COOKIE, cookie).send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_milestones_api_shows_hq_every_district_a_direct_customs_its_own_and_refuses_a_filer() {
    let server = TestServer::start().await;
    let hq = session(&server, "demo-hq-viewer").await;
    let (status, body) = get_json(&server, &hq.cookie, "/api/v1/milestones?as_of=2022-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let districts = body["districts"].as_array().expect("districts");
    assert!(districts.len() >= 40);
    assert!(body["national"]["milestones"].is_array(), "HQ sees the national roll-up");
    let tianjin = districts.iter().find(|d| d["district"] == "0200").expect("天津");
    let m1 = tianjin["milestones"].as_array().expect("milestones").iter().find(|m| m["code"] == "M1").expect("M1");
    assert_eq!(m1["status"]["status"], "met_on_time", "the demo's record of 天津's catalog is read: {m1}");
    assert_eq!(m1["due"], "2022-04-30");
    // No return was accepted in this database: 天津's pilots did not complete, M3 was missed.
    let m3 = tianjin["milestones"].as_array().expect("milestones").iter().find(|m| m["code"] == "M3").expect("M3");
    assert_eq!(m3["status"]["status"], "missed", "{m3}");

    let district = session(&server, "demo-tianjin-viewer").await;
    let (status, body) = get_json(&server, &district.cookie, "/api/v1/milestones?as_of=2022-12-31").await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> =
        body["districts"].as_array().expect("districts").iter().filter_map(|d| d["district"].as_str()).collect();
    assert_eq!(codes, ["0200"], "a direct customs sees its own district only");
    assert!(body.get("national").is_none(), "and no national roll-up");

    let filer = session(&server, "demo-xingang-filer").await;
    let (status, body) = get_json(&server, &filer.cookie, "/api/v1/milestones").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden", "{body}");

    let (status, body) = get_json(&server, &hq.cookie, "/api/v1/milestones?as_of=2022-13-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "as_of");
    server.stop().await;
}

#[tokio::test]
async fn an_offices_assessment_is_read_in_scope_and_is_the_same_404_as_an_unknown_office_outside_it() {
    let server = TestServer::start().await;
    let filer = session(&server, "demo-xingang-filer").await;
    let (status, body) = get_json(&server, &filer.cookie, "/api/v1/offices/0201/assessment?as_of=2024-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["office"], "0201");
    assert!(body["return"].is_null() && body["assessment"].is_null(), "nothing accepted yet: {body}");
    assert_eq!(body["completion"]["complete"], false);

    let (outside, outside_body) = get_json(&server, &filer.cookie, "/api/v1/offices/0202/assessment").await;
    let (unknown, unknown_body) = get_json(&server, &filer.cookie, "/api/v1/offices/9999/assessment").await;
    assert_eq!((outside, unknown), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(outside_body, unknown_body, "existence does not leak");
    let hq = session(&server, "demo-hq-viewer").await;
    let (status, _) = get_json(&server, &hq.cookie, "/api/v1/offices/0200/assessment").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a direct customs is not assessed as a subordinate office");
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_milestones_and_the_assessment() {
    let document = server::api::openapi_document();
    for path in ["/api/v1/milestones", "/api/v1/offices/{code}/assessment"] {
        assert!(document["paths"][path]["get"].is_object(), "{path}");
    }
}
