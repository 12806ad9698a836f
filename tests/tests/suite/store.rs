//! The store and the services on a real SQLite file: creation and pragmas, idempotent preparation, all-or-nothing
//! office imports, the append-only audit log, concurrent writers, and the `gongkai` command line run in-process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

use analytics::offices::{Directory, OfficeCode, OfficeKind, OfficeVersion};
use app::services::offices::{check_offices, import_offices, OfficeImportError};
use app::services::setup::{self, DEMO_MODE_KEY};
use app::store::{Actor, CatalogInstall, Store};
use chrono::NaiveDate;
use clap::{CommandFactory, Parser};
use server::cli::Cli;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

const HEADER: &str = "机构代码,机构名称,机构类型,上级机构代码,生效日期,失效日期,备注";

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn code(text: &str) -> OfficeCode {
    OfficeCode::parse(text).expect("code")
}

/// A fresh database file in a new temporary folder.
async fn fresh_store() -> (tempfile::TempDir, PathBuf, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("x.db");
    let store = app::store::connect(&url_of(&path)).await.expect("store opens");
    (dir, path, store)
}

/// A fresh database prepared as the server prepares it (catalog, direct customs and, if asked, the demo set).
async fn prepared_store(demo: bool) -> (tempfile::TempDir, PathBuf, Arc<dyn Store>) {
    let (dir, path, store) = fresh_store().await;
    setup::prepare(store.as_ref(), demo).await.expect("prepare");
    (dir, path, store)
}

/// A connection of its own to the file, beside the store, for raw SQL. Sets no journal mode, so it reports the
/// mode stored in the file.
async fn raw_connection(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::from_str(&url_of(path)).expect("options").connect().await.expect("raw connection")
}

async fn scalar_i64(conn: &mut SqliteConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn versions_of<'a>(versions: &'a [OfficeVersion], of: &str) -> Vec<&'a OfficeVersion> {
    versions.iter().filter(|v| v.code.as_str() == of).collect()
}

// ------------------------------------------------------------------------------------------------------------
// Creation

#[tokio::test]
async fn a_fresh_database_is_created_in_a_missing_folder_migrated_and_kept_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let folder = dir.path().join("not").join("yet");
    let path = folder.join("x.db");
    assert!(!folder.exists());
    let store = app::store::connect(&url_of(&path)).await.expect("store opens");
    assert!(path.is_file(), "the database file is created");

    // Migrated: the tables exist and are empty.
    assert_eq!(store.office_versions().await.expect("office_versions"), Vec::new());
    assert_eq!(store.catalog_versions().await.expect("catalog_versions"), Vec::new());
    assert_eq!(store.audit_count().await.expect("audit_count"), 0);
    assert!(store.standard_catalog().await.expect("standard catalog").is_none());

    let mut raw = raw_connection(&path).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut raw).await.expect("journal_mode");
    assert_eq!(mode, "wal");
    assert!(scalar_i64(&mut raw, "SELECT count(*) FROM _sqlx_migrations WHERE success = 1").await >= 1);
    for table in ["offices", "office_versions", "office_imports", "catalog_versions", "audit_log", "app_settings"] {
        let n = scalar_i64(
            &mut raw,
            &format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
        )
        .await;
        assert_eq!(n, 1, "table {table}");
    }
    raw.close().await.expect("close");
    store.close().await;

    // WAL is recorded in the file itself (header bytes 18 and 19 are 2), not only in a connection.
    let header = std::fs::read(&path).expect("read the file");
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!((header[18], header[19]), (2, 2), "the file is in WAL mode");
}

#[tokio::test]
async fn the_store_enforces_foreign_keys_and_a_refused_write_leaves_no_trace() {
    let (_dir, _path, store) = prepared_store(false).await;
    let audit_before = store.audit_count().await.expect("audit");
    // audit_log.user_id references users(id); there is no user 424242, so with foreign keys on the write fails.
    let ghost = Actor { name: "ghost".into(), user_id: Some(424_242), remote_addr: None };
    let error = store.set_setting("colour", "blue", &ghost).await.expect_err("a dangling user id is refused");
    assert!(error.to_string().contains("FOREIGN KEY"), "{error}");
    assert_eq!(
        store.setting("colour").await.expect("setting"),
        None,
        "the setting is rolled back with its audit entry"
    );
    assert_eq!(store.audit_count().await.expect("audit"), audit_before);

    // The same through an import: office_imports.imported_by references users(id).
    let versions_before = store.office_versions().await.expect("versions");
    let csv = format!("{HEADER}\n0291,测试甲海关,隶属海关,0200,2022-01-01,,\n");
    let error = import_offices(store.as_ref(), "ghost.csv", csv.into_bytes(), false, &ghost)
        .await
        .expect_err("a dangling user id is refused");
    assert!(matches!(error, OfficeImportError::Store(_)), "{error:?}");
    assert_eq!(store.office_versions().await.expect("versions"), versions_before);
    assert_eq!(store.audit_count().await.expect("audit"), audit_before);

    // A known actor writes.
    store.set_setting("colour", "blue", &Actor::system()).await.expect("set");
    assert_eq!(store.setting("colour").await.expect("setting").as_deref(), Some("blue"));
    assert_eq!(store.audit_count().await.expect("audit"), audit_before + 1);
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Preparation

#[tokio::test]
async fn preparing_a_database_twice_changes_nothing_the_second_time() {
    let (_dir, _path, store) = fresh_store().await;
    let first = setup::prepare(store.as_ref(), true).await.expect("first prepare");
    assert_eq!(first.catalog, CatalogInstall::Installed);
    let direct = first.direct_customs_loaded.expect("the direct customs are loaded into an empty database");
    assert_eq!(direct.rows_read, 43);
    assert_eq!(direct.outcome.offices_added, 43);
    let demo = first.demo_loaded.expect("the demo set is loaded into an empty database");
    assert_eq!(demo.outcome.offices_added, analytics::offices::demo::demo_offices_summary().offices);
    assert!(setup::is_demo(store.as_ref()).await.expect("is_demo"));
    assert_eq!(store.setting(DEMO_MODE_KEY).await.expect("setting").as_deref(), Some("true"));

    let versions = store.office_versions().await.expect("versions");
    let audit = store.audit_count().await.expect("audit");
    assert!(audit > 0);
    assert_eq!(versions, analytics::offices::demo::demo_offices().expect("demo set"));

    let second = setup::prepare(store.as_ref(), true).await.expect("second prepare");
    assert_eq!(second.catalog, CatalogInstall::Unchanged);
    assert_eq!(second.direct_customs_loaded, None);
    assert_eq!(second.demo_loaded, None);
    assert_eq!(store.office_versions().await.expect("versions"), versions);
    assert_eq!(store.audit_count().await.expect("audit"), audit);
    assert_eq!(store.catalog_versions().await.expect("catalogs").len(), 1);
    assert_eq!(store.catalog_versions().await.expect("catalogs")[0].item_count, 25);
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Office imports

#[tokio::test]
async fn an_import_file_with_one_bad_row_writes_nothing_and_names_the_line_and_the_column() {
    let (_dir, path, store) = prepared_store(true).await;
    let versions_before = store.office_versions().await.expect("versions");
    let audit_before = store.audit_count().await.expect("audit");
    for free in ["0291", "0292", "0293"] {
        assert!(versions_of(&versions_before, free).is_empty(), "{free} is free in the demo set");
    }

    // Line 3 (the header is line 1) has an impossible date; the other rows are good.
    let bad_date = format!(
        "{HEADER}\n0291,测试甲海关,隶属海关,0200,2022-01-01,,\n0292,测试乙海关,隶属海关,0200,2022-02-30,,\n\
         0293,测试丙海关,隶属海关,0200,2022-03-01,,\n"
    );
    // Line 4 names a parent that does not exist: found only when the file is planned against the stored offices.
    let bad_parent = format!(
        "{HEADER}\n0291,测试甲海关,隶属海关,0200,2022-01-01,,\n0292,测试乙海关,隶属海关,0200,2022-02-01,,\n\
         0293,测试丙海关,隶属海关,9898,2022-03-01,,\n"
    );
    for (name, csv, line, column) in
        [("bad-date.csv", bad_date, 3, "生效日期"), ("bad-parent.csv", bad_parent, 4, "上级机构代码")]
    {
        let error = import_offices(store.as_ref(), name, csv.clone().into_bytes(), false, &Actor::cli())
            .await
            .expect_err("a bad row fails the whole file");
        let OfficeImportError::Invalid(problems) = &error else { panic!("{name}: {error:?}") };
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        let location = problems[0].location.as_ref().expect("the problem has a place");
        assert_eq!(location.line, line, "{name}");
        assert_eq!(location.column.as_deref(), Some(column), "{name}");
        let shown = problems[0].to_string();
        assert!(shown.contains(&format!("第{line}行")) && shown.contains(column), "{name}: {shown}");
        assert!(error.to_string().contains("未导入任何数据"), "{error}");

        // Checking (dry run) finds the same problem.
        let checked = check_offices(store.as_ref(), name, csv.into_bytes()).await.expect_err("check fails too");
        assert!(matches!(checked, OfficeImportError::Invalid(ref p) if p == problems), "{checked:?}");

        assert_eq!(store.office_versions().await.expect("versions"), versions_before, "{name} wrote offices");
        assert_eq!(store.audit_count().await.expect("audit"), audit_before, "{name} wrote to the audit log");
    }
    let mut raw = raw_connection(&path).await;
    assert_eq!(
        scalar_i64(&mut raw, "SELECT count(*) FROM office_imports").await,
        2,
        "only the bundled list and the demo set"
    );
    assert_eq!(scalar_i64(&mut raw, "SELECT count(*) FROM offices WHERE code IN ('0291', '0292', '0293')").await, 0);
    raw.close().await.expect("close");
    store.close().await;
}

#[tokio::test]
async fn a_file_of_an_unknown_type_is_refused_before_anything_is_read() {
    let (_dir, _path, store) = prepared_store(false).await;
    let error = import_offices(store.as_ref(), "offices.txt", b"whatever".to_vec(), false, &Actor::cli())
        .await
        .expect_err("unknown type");
    assert!(matches!(error, OfficeImportError::UnknownFormat(ref n) if n == "offices.txt"), "{error:?}");
    assert!(error.to_string().contains(".csv"), "{error}");
    store.close().await;
}

#[tokio::test]
async fn moving_an_office_to_another_district_changes_only_that_office_and_the_counts_follow() {
    let (_dir, path, store) = prepared_store(true).await;
    let before = store.office_versions().await.expect("versions");
    let audit_before = store.audit_count().await.expect("audit");
    let moved = versions_of(&before, "0201");
    assert_eq!(moved.len(), 1, "0201 has a plain history in the demo set: {moved:?}");
    let office = moved[0].clone();
    assert_eq!(office.parent, Some(code("0200")));
    assert_eq!(office.valid_to, None);

    // From 2024-01-01 the office belongs to 北京海关 (0100).
    let csv = format!(
        "{HEADER}\n0201,{name},隶属海关,0200,{from},2024-01-01,原属天津海关\n0201,{name},隶属海关,0100,2024-01-01,,划转北京海关\n",
        name = office.name,
        from = office.valid_from,
    );
    let summary = import_offices(store.as_ref(), "move.csv", csv.into_bytes(), false, &Actor::cli())
        .await
        .expect("a valid file imports");
    assert_eq!(summary.rows_read, 2);
    assert_eq!(summary.outcome.offices_added, 0);
    assert_eq!(summary.outcome.offices_changed, 1);
    assert_eq!(summary.outcome.versions_written, 2);

    let after = store.office_versions().await.expect("versions");
    // Every other office is exactly as it was.
    let others = |all: &[OfficeVersion]| -> Vec<OfficeVersion> {
        all.iter().filter(|v| v.code.as_str() != "0201").cloned().collect()
    };
    assert_eq!(others(&after), others(&before));
    let history = versions_of(&after, "0201");
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].parent.clone(), history[0].valid_to), (Some(code("0200")), Some(date("2024-01-01"))));
    assert_eq!((history[1].parent.clone(), history[1].valid_from), (Some(code("0100")), date("2024-01-01")));
    assert_eq!(history[1].note, "划转北京海关");

    // The counts as of a date follow the move, on the day it takes effect and not before.
    let old = Directory::new(before);
    let new = Directory::new(after);
    let (tianjin, beijing) = (code("0200"), code("0100"));
    let (eve, day) = (date("2023-12-31"), date("2024-01-01"));
    assert_eq!(new.subordinate_count(&tianjin, eve), old.subordinate_count(&tianjin, eve));
    assert_eq!(new.subordinate_count(&beijing, eve), old.subordinate_count(&beijing, eve));
    assert_eq!(new.subordinate_count(&tianjin, day), old.subordinate_count(&tianjin, day) - 1);
    assert_eq!(new.subordinate_count(&beijing, day), old.subordinate_count(&beijing, day) + 1);
    let national = |d: &Directory, on| d.in_force_on(on).filter(|v| v.kind == OfficeKind::Subordinate).count();
    assert_eq!(national(&new, day), national(&old, day), "a move neither adds nor removes an office");
    let beijing_tree = new.as_of(day);
    let beijing_node = beijing_tree[0].children.iter().find(|n| n.code == beijing).expect("北京海关");
    assert!(beijing_node.children.iter().any(|n| n.code.as_str() == "0201"), "0201 is listed under 北京海关");

    // The audit log gained the office's change and the import itself.
    assert_eq!(store.audit_count().await.expect("audit"), audit_before + 2);

    // The audit log is append-only, for everyone, even with raw SQL.
    let mut raw = raw_connection(&path).await;
    let (actor, action, entity): (String, String, String) =
        sqlx::query_as("SELECT actor, action, entity_type FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut raw)
            .await
            .expect("last audit entry");
    assert!(actor.starts_with("cli:"), "{actor}");
    assert_eq!((action.as_str(), entity.as_str()), ("import", "office_import"));
    let change: (String, String) =
        sqlx::query_as("SELECT action, entity_id FROM audit_log WHERE entity_type = 'office' ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut raw)
            .await
            .expect("office audit entry");
    assert_eq!(change, ("update".to_string(), "0201".to_string()));
    for sql in
        ["UPDATE audit_log SET summary = 'rewritten'", "DELETE FROM audit_log", "DELETE FROM audit_log WHERE id = 1"]
    {
        let error = sqlx::query(sql).execute(&mut raw).await.expect_err("the audit log refuses");
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    raw.close().await.expect("close");
    assert_eq!(store.audit_count().await.expect("audit"), audit_before + 2);
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writers_all_succeed_without_database_is_locked() {
    let (_dir, _path, store) = prepared_store(false).await;
    let audit_before = store.audit_count().await.expect("audit");
    let offices_before = store.office_versions().await.expect("versions").len();

    let mut tasks = Vec::new();
    for i in 0..20u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                store
                    .set_setting(&format!("key-{i}"), &format!("value-{i}"), &Actor::system())
                    .await
                    .map_err(|e| format!("writer {i}: {e}"))?;
            } else {
                let csv = format!("{HEADER}\n02{i:02},并发{i}号海关,隶属海关,0200,2022-01-01,,\n");
                import_offices(store.as_ref(), &format!("writer-{i}.csv"), csv.into_bytes(), false, &Actor::cli())
                    .await
                    .map_err(|e| format!("writer {i}: {e}"))?;
            }
            // A read beside the other writers.
            store.office_versions().await.map_err(|e| format!("reader {i}: {e}"))?;
            Ok::<u32, String>(i)
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => {}
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "writers failed:\n{}", failures.join("\n"));

    for i in (0..20).step_by(2) {
        assert_eq!(store.setting(&format!("key-{i}")).await.expect("setting"), Some(format!("value-{i}")));
    }
    let versions = store.office_versions().await.expect("versions");
    assert_eq!(versions.len(), offices_before + 10);
    for i in (1..20).step_by(2) {
        let added = versions_of(&versions, &format!("02{i:02}"));
        assert_eq!(added.len(), 1, "office 02{i:02}");
        assert_eq!(added[0].name, format!("并发{i}号海关"));
    }
    // Ten settings, and for each import the new office and the import itself.
    assert_eq!(store.audit_count().await.expect("audit"), audit_before + 10 + 10 * 2);
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// The command line, in-process

async fn run_cli(args: &[&str]) -> ExitCode {
    let mut argv = vec!["gongkai"];
    argv.extend_from_slice(args);
    server::cli::run(Cli::parse_from(argv)).await
}

/// What a CLI run may have changed: every office version, the audit count and the number of imports.
async fn snapshot(path: &Path) -> (Vec<OfficeVersion>, i64, i64) {
    let store = app::store::connect(&url_of(path)).await.expect("store opens");
    let versions = store.office_versions().await.expect("versions");
    let audit = store.audit_count().await.expect("audit");
    store.close().await;
    let mut raw = raw_connection(path).await;
    let imports = scalar_i64(&mut raw, "SELECT count(*) FROM office_imports").await;
    raw.close().await.expect("close");
    (versions, audit, imports)
}

#[tokio::test]
async fn the_cli_import_of_a_bad_file_fails_and_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("cli.db");
    let url = url_of(&db);
    assert_eq!(run_cli(&["--database-url", &url, "migrate"]).await, ExitCode::SUCCESS);
    let before = snapshot(&db).await;
    assert_eq!(before.0.len(), 43, "migrate loads 海关总署 and the 42 direct customs");

    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        format!("{HEADER}\n0201,新港海关,隶属海关,0200,2022-01-01,,\n0202,东港海关,隶属海关,0200,not-a-date,,\n"),
    )
    .expect("write");
    let code = run_cli(&["--database-url", &url, "offices", "import", file.to_str().expect("path")]).await;
    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(snapshot(&db).await, before);

    // A file that does not exist fails too.
    let missing = dir.path().join("missing.csv");
    let code = run_cli(&["--database-url", &url, "offices", "import", missing.to_str().expect("path")]).await;
    assert_eq!(code, ExitCode::FAILURE);
    assert_eq!(snapshot(&db).await, before);
}

#[tokio::test]
async fn the_cli_dry_run_checks_a_good_file_without_writing_and_the_real_run_writes_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("nested").join("cli.db");
    let url = url_of(&db);
    let file = dir.path().join("good.csv");
    std::fs::write(
        &file,
        format!("{HEADER}\n0201,新港海关,隶属海关,0200,2022-01-01,,\n0202,东港海关,隶属海关,0200,2022-01-01,,\n"),
    )
    .expect("write");
    let file = file.to_str().expect("path");

    // The first run creates and prepares the database, then checks without writing any office of the file.
    let code = run_cli(&["--database-url", &url, "offices", "import", "--dry-run", file]).await;
    assert_eq!(code, ExitCode::SUCCESS);
    let before = snapshot(&db).await;
    assert_eq!(before.0.len(), 43, "only the bundled list");
    assert_eq!(before.2, 1, "one import: the bundled list");
    let code = run_cli(&["--database-url", &url, "offices", "import", file, "--dry-run"]).await;
    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(snapshot(&db).await, before, "a dry run writes nothing");

    let code = run_cli(&["--database-url", &url, "offices", "import", file]).await;
    assert_eq!(code, ExitCode::SUCCESS);
    let (versions, audit, imports) = snapshot(&db).await;
    assert_eq!(versions.len(), 45);
    assert_eq!(versions_of(&versions, "0201")[0].name, "新港海关");
    assert_eq!(imports, 2);
    assert_eq!(audit, before.1 + 3, "two offices created and the import");
}

#[test]
fn the_help_of_offices_import_explains_the_columns_in_chinese() {
    let mut command = Cli::command();
    let import = command
        .find_subcommand_mut("offices")
        .and_then(|offices| offices.find_subcommand_mut("import"))
        .expect("offices import");
    let help = import.render_long_help().to_string();
    for text in ["机构代码", "上级机构代码", "生效日期", "--dry-run"] {
        assert!(help.contains(text), "help lacks {text}:\n{help}");
    }

    // `--help` on the command line shows the same text.
    let error = Cli::try_parse_from(["gongkai", "offices", "import", "--help"]).expect_err("--help stops parsing");
    assert_eq!(error.kind(), clap::error::ErrorKind::DisplayHelp);
    assert!(error.to_string().contains("机构代码"), "{error}");
    Cli::command().debug_assert();
}

#[tokio::test]

async fn correcting_only_the_parent_of_an_office_is_audited_for_that_office() {
    let (_dir, path, store) = prepared_store(true).await;
    let before = store.office_versions().await.expect("versions");
    let office = versions_of(&before, "0201")[0].clone();
    let audit_before = store.audit_count().await.expect("audit");
    // Same name, same dates, same note: only the parent is corrected, from 天津海关 to 北京海关.
    let csv = format!("{HEADER}\n0201,{},隶属海关,0100,{},,{}\n", office.name, office.valid_from, office.note);
    let summary = import_offices(store.as_ref(), "fix.csv", csv.into_bytes(), false, &Actor::cli())
        .await
        .expect("a valid file imports");
    assert_eq!(summary.outcome.offices_changed, 1);
    assert_eq!(versions_of(&store.office_versions().await.expect("versions"), "0201")[0].parent, Some(code("0100")));
    let mut raw = raw_connection(&path).await;
    let entries = scalar_i64(
        &mut raw,
        "SELECT count(*) FROM audit_log WHERE entity_type = 'office' AND entity_id = '0201' AND action = 'update'",
    )
    .await;
    raw.close().await.expect("close");
    assert_eq!(entries, 1, "the change of 0201 has its own audit entry with before and after");
    assert_eq!(store.audit_count().await.expect("audit"), audit_before + 2);
    store.close().await;
}

#[tokio::test]
async fn a_plan_validated_before_another_import_landed_is_refused_and_nothing_is_written() {
    use analytics::offices::import::{parse, plan, SourceFormat};
    use app::store::{OfficeImport, StoreError};

    let (_dir, _path, store) = prepared_store(false).await;
    let generation = store.office_generation().await.expect("generation");
    let existing = store.office_versions().await.expect("versions");
    // Planned against the list as it stands now …
    let csv = format!("{HEADER}\n0201,新港海关,隶属海关,0200,2000-01-01,,\n");
    let rows = parse(csv.as_bytes(), SourceFormat::Csv).expect("parses");
    let stale = OfficeImport {
        source_name: "stale.csv".into(),
        content_sha256: "x".into(),
        is_sample: false,
        rows_read: rows.len(),
        plan: plan(&rows, &existing).expect("plans"),
        expected_generation: generation,
    };
    // … but another import lands first.
    let other = format!("{HEADER}\n0202,东港海关,隶属海关,0200,2000-01-01,,\n");
    import_offices(store.as_ref(), "other.csv", other.into_bytes(), false, &Actor::cli()).await.expect("lands");
    let before = store.office_versions().await.expect("versions");
    let audit_before = store.audit_count().await.expect("audit");

    let refused = store.apply_office_import(&stale, &Actor::cli()).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "a stale plan is refused, got {refused:?}");
    assert_eq!(store.office_versions().await.expect("versions"), before, "nothing written");
    assert_eq!(store.audit_count().await.expect("audit"), audit_before, "nothing audited");

    // The service plans again against the new list and succeeds.
    let csv = format!("{HEADER}\n0201,新港海关,隶属海关,0200,2000-01-01,,\n");
    let summary =
        import_offices(store.as_ref(), "again.csv", csv.into_bytes(), false, &Actor::cli()).await.expect("ok");
    assert_eq!(summary.outcome.offices_added, 1);
    let after = store.office_versions().await.expect("versions");
    assert_eq!(versions_of(&after, "0201").len(), 1);
    assert_eq!(versions_of(&after, "0202").len(), 1);
}
