//! Returns in the store (issue 4 §3, §6): a draft is written whole, submission supersedes the earlier return of
//! the same office and period, decisions are recorded with their reasons, the same content is recognised, and a
//! submitted return's content can never change again — not even by hand-written SQL.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use analytics::catalog::ChannelCode;
use analytics::offices::OfficeCode;
use analytics::returns::{guide_requirements, ItemReport, RequirementReport, ReturnSnapshot};
use app::services::setup;
use app::store::{
    Actor, Decision, DraftOutcome, NewReturnDraft, ReturnFilter, ReturnReason, ReturnSource, ReturnStatus, Store,
    SubmitOutcome,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("instant").with_timezone(&Utc)
}

async fn prepared() -> (tempfile::TempDir, PathBuf, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("r.db");
    let store = app::store::connect(&format!("sqlite://{}", path.display())).await.expect("store");
    setup::prepare(store.as_ref(), true).await.expect("prepare");
    (dir, path, store)
}

async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .expect("options")
        .connect()
        .await
        .expect("raw")
}

/// A return of 新港海关 (0201) for `period`: every item of the standard catalog disclosed on the 直属海关网站
/// except `missing`, every requirement met.
fn snapshot(period: &str, missing: Option<u32>) -> ReturnSnapshot {
    let items = (1..=25)
        .map(|n| {
            if Some(n) == missing {
                ItemReport { disclosed: analytics::returns::Disclosed::No, ..ItemReport::disclosed(n, []) }
            } else {
                ItemReport::disclosed(n, [ChannelCode::A])
            }
        })
        .collect();
    ReturnSnapshot {
        office: OfficeCode::parse("0201").expect("code"),
        period: period.to_string(),
        verified_on: None,
        items,
        requirements: guide_requirements().iter().map(|r| RequirementReport::met(&r.code)).collect(),
    }
}

async fn draft(store: &dyn Store, snapshot: ReturnSnapshot, sha: &str) -> DraftOutcome {
    let catalog = store.standard_catalog().await.expect("store").expect("the standard catalog").code;
    let draft = NewReturnDraft {
        snapshot,
        catalog_code: catalog,
        template_version: Some("1".into()),
        source: ReturnSource::Excel,
        source_name: Some("新港海关-2022Q3.xlsx".into()),
        content_sha256: sha.into(),
        warnings: vec!["公开事项!M7：公开日期早于信息形成日期".into()],
        file: Some(b"PK\x03\x04 not really a workbook".to_vec()),
    };
    store.create_return_draft(&draft, &Actor::cli()).await.expect("draft stored")
}

fn created(outcome: DraftOutcome) -> i64 {
    match outcome {
        DraftOutcome::Created(id) => id,
        other => panic!("expected a new draft, got {other:?}"),
    }
}

#[tokio::test]
async fn a_draft_is_stored_whole_and_reads_back_as_the_same_snapshot_with_its_file_and_warnings() {
    let (_dir, _path, store) = prepared().await;
    let original = snapshot("2022Q3", Some(7));
    let id = created(draft(store.as_ref(), original.clone(), "a1").await);
    let record = store.return_record(id).await.expect("store").expect("the draft");
    assert_eq!(record.summary.status, ReturnStatus::Draft);
    assert_eq!(record.snapshot, original);
    assert_eq!(record.warnings, vec!["公开事项!M7：公开日期早于信息形成日期".to_string()]);
    let (name, bytes) = store.return_file(id).await.expect("store").expect("the file");
    assert_eq!(
        (name.as_str(), bytes.as_slice()),
        ("新港海关-2022Q3.xlsx", b"PK\x03\x04 not really a workbook".as_slice())
    );
    assert_eq!(draft(store.as_ref(), original, "a1").await, DraftOutcome::Existing(id, ReturnStatus::Draft));
}

#[tokio::test]
async fn submitting_supersedes_the_earlier_waiting_return_and_acceptance_supersedes_the_earlier_accepted_one() {
    let (_dir, _path, store) = prepared().await;
    let actor = Actor::cli();
    let first = created(draft(store.as_ref(), snapshot("2022Q3", Some(7)), "s1").await);
    assert_eq!(
        store.submit_return(first, at("2022-09-05T02:00:00Z"), &actor).await.expect("submit"),
        SubmitOutcome::Submitted { superseded: None }
    );
    assert_eq!(
        store.submit_return(first, at("2022-09-05T02:00:00Z"), &actor).await.expect("again"),
        SubmitOutcome::NotADraft
    );
    let reasons = [ReturnReason { item: Some(7), requirement: None, reason: "第7项未公开，请补充".into() }];
    assert!(store
        .decide_return(first, Decision::Returned, "请修改后重报", &reasons, at("2022-09-06T02:00:00Z"), &actor)
        .await
        .expect("return"));
    let second = created(draft(store.as_ref(), snapshot("2022Q3", None), "s2").await);
    assert_eq!(
        store.submit_return(second, at("2022-09-07T02:00:00Z"), &actor).await.expect("submit"),
        SubmitOutcome::Submitted { superseded: Some(first) }
    );
    assert!(store
        .decide_return(second, Decision::Accepted, "", &[], at("2022-09-08T17:00:00Z"), &actor)
        .await
        .expect("accept"));
    assert!(
        !store
            .decide_return(second, Decision::Accepted, "", &[], at("2022-09-09T02:00:00Z"), &actor)
            .await
            .expect("twice"),
        "an accepted return waits for no decision"
    );

    let first_record = store.return_record(first).await.expect("store").expect("first");
    assert_eq!(first_record.summary.status, ReturnStatus::Superseded);
    assert_eq!(first_record.verifications.len(), 1);
    assert_eq!(first_record.verifications[0].reasons, reasons.to_vec(), "the reasons stay with the history");
    let second_record = store.return_record(second).await.expect("store").expect("second");
    assert_eq!(second_record.summary.status, ReturnStatus::Accepted);
    assert_eq!(second_record.summary.supersedes, Some(first));
    let accepted_on = NaiveDate::from_ymd_opt(2022, 9, 9).expect("date");
    assert_eq!(second_record.summary.accepted_on, Some(accepted_on), "17:00 UTC is the next day in China");

    // A later return of the same period, once accepted, replaces the accepted one; both stay accepted in history.
    let third = created(draft(store.as_ref(), snapshot("2022Q3", Some(3)), "s3").await);
    store.submit_return(third, at("2022-10-01T02:00:00Z"), &actor).await.expect("submit");
    assert_eq!(
        store.return_record(second).await.expect("store").expect("second").summary.status,
        ReturnStatus::Accepted,
        "accepted until the newer one is accepted"
    );
    store.decide_return(third, Decision::Accepted, "", &[], at("2022-10-02T02:00:00Z"), &actor).await.expect("accept");
    assert_eq!(
        store.return_record(second).await.expect("store").expect("second").summary.status,
        ReturnStatus::Superseded
    );
    let accepted = store.accepted_snapshots(None).await.expect("snapshots");
    let dates: Vec<_> = accepted.iter().map(|s| s.verified_on).collect();
    assert_eq!(dates, vec![Some(accepted_on), Some(NaiveDate::from_ymd_opt(2022, 10, 2).expect("date"))]);
    assert_eq!(accepted[1].items.iter().filter(|i| i.item == 3).count(), 1);

    let waiting =
        store.list_returns(&ReturnFilter { statuses: vec![ReturnStatus::Submitted], ..Default::default() }).await;
    assert!(waiting.expect("list").is_empty());
    let all = store.list_returns(&ReturnFilter::default()).await.expect("list");
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), vec![third, second, first], "newest first");
    let elsewhere =
        ReturnFilter { offices: Some(vec![OfficeCode::parse("4201").expect("code")]), ..Default::default() };
    assert!(store.list_returns(&elsewhere).await.expect("list").is_empty());
}

#[tokio::test]
async fn a_submitted_return_cannot_be_changed_or_deleted_even_with_raw_sql_but_a_draft_can_be_discarded() {
    let (_dir, path, store) = prepared().await;
    let actor = Actor::cli();
    let submitted = created(draft(store.as_ref(), snapshot("2022Q4", None), "f1").await);
    store.submit_return(submitted, at("2023-01-05T02:00:00Z"), &actor).await.expect("submit");
    let mut conn = raw(&path).await;
    for sql in [
        format!("UPDATE return_items SET disclosed = 'no' WHERE return_id = {submitted}"),
        format!("DELETE FROM return_items WHERE return_id = {submitted}"),
        format!("INSERT INTO return_items (return_id, item_number, disclosed) VALUES ({submitted}, 99, 'yes')"),
        format!("UPDATE return_requirements SET fulfilled = 'no' WHERE return_id = {submitted}"),
        format!("UPDATE returns SET period = '2021Q1' WHERE id = {submitted}"),
        format!("UPDATE returns SET status = 'draft' WHERE id = {submitted}"),
        format!("DELETE FROM returns WHERE id = {submitted}"),
    ] {
        let refused = sqlx::query(&sql).execute(&mut conn).await;
        assert!(refused.is_err(), "{sql} must be refused");
    }
    let unchanged = store.return_record(submitted).await.expect("store").expect("still there");
    assert!(unchanged.snapshot.items.iter().all(|i| i.disclosed == analytics::returns::Disclosed::Yes));

    let draft_id = created(draft(store.as_ref(), snapshot("2023Q1", None), "f2").await);
    assert!(store.discard_return_draft(draft_id, &actor).await.expect("discard"));
    assert!(store.return_record(draft_id).await.expect("store").is_none());
    assert!(!store.discard_return_draft(submitted, &actor).await.expect("not a draft"), "a submitted return stays");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'return'")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(audited, 4, "draft, submit, draft, discard are all in the audit log");
}

#[tokio::test]
async fn a_stored_scoring_scheme_version_cannot_be_changed_or_deleted_even_with_raw_sql() {
    let (_dir, path, store) = prepared().await;
    let schemes = store.schemes().await.expect("schemes");
    assert_eq!(schemes.len(), 1, "the bundled default is stored on first start");
    assert_eq!(schemes[0].code, "default-2022");
    let mut conn = raw(&path).await;
    for sql in [
        "UPDATE assessment_schemes SET valid_from = '2021-01-01'",
        "UPDATE assessment_schemes SET definition = '{}'",
        "DELETE FROM assessment_schemes",
    ] {
        assert!(sqlx::query(sql).execute(&mut conn).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(store.schemes().await.expect("schemes"), schemes);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity_type = 'assessment_scheme'")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(audited, 1, "storing the version is audited");
}
