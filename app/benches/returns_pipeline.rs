//! The returns pipeline end to end, against a real SQLite file database prepared as the server prepares it
//! (`services::setup::prepare` with the demo offices): results in `docs/benchmarks.md`.
//!
//! `cargo bench -p app --features ssr --bench returns_pipeline` (add `-- single` or `-- batch` for one part).
//!
//! 1. **One return** (target p50 ≤ 5 ms): `services::returns::upload` (size and type checks, parse and validate on
//!    the blocking pool, scope checks, `create_return_draft`) then `services::returns::confirm`, one file at a
//!    time; every iteration a different workbook (another office or quarter), so the duplicate check never
//!    short-circuits. Percentiles over all timed iterations.
//! 2. **A batch of 750 returns** (target ≤ 3 s): one .zip of 750 workbooks, one per subordinate office in force,
//!    unpacked with `returns::batch::expand_upload` and imported with `services::returns::upload_batch` (parse on
//!    one blocking thread per core, store and submit each file in its own transaction), as `gongkai returns import`
//!    does; each run on a fresh database. For comparison, the same files through the one-by-one path (`upload`
//!    then `confirm` in a loop), which is what the command line did before.
//!
//! The workbooks are written (with the product's template writer) before the clock starts. The database is a file
//! in the system's temporary folder with the server's settings (WAL, `synchronous = FULL`: every commit waits for
//! the disk); `GONGKAI_BENCH_DIR=/dev/shm` puts it on tmpfs, which shows what is left without the disk's flushes.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use analytics::offices::{Directory, OfficeKind, OfficeVersion};
use analytics::returns::demo::demo_snapshot;
use analytics::returns::{write_filled, Period, TemplateSpec};
use app::services::returns::{self as service, BatchAction, ReturnLimits, Upload};
use app::services::setup;
use app::store::{Actor, ReturnSource, Store};
use chrono::NaiveDate;

/// "Today" for every check: after every period used, so that no date is in the future.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")
}

/// Timed iterations of the single-return benchmark (after [`WARM_UP`] untimed ones).
const SINGLE_RUNS: usize = 500;
const WARM_UP: usize = 50;
/// Files of the batch, and how many fresh-database runs of it.
const BATCH_FILES: usize = 750;
const BATCH_RUNS: usize = 3;

/// A temporary folder for the database: under `GONGKAI_BENCH_DIR` when set (e.g. `/dev/shm` to take the disk's
/// fsync out of the figures), else the system's temporary folder.
fn database_dir() -> tempfile::TempDir {
    match std::env::var_os("GONGKAI_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir).expect("temporary folder"),
        None => tempfile::tempdir().expect("temporary folder"),
    }
}

async fn prepared_store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = app::store::connect(&url).await.expect("store");
    setup::prepare(store.as_ref(), true).await.expect("prepare: catalog, direct customs, demo offices");
    top_up_offices(store.as_ref()).await;
    store
}

/// The demo set has about 700 subordinate offices in force on [`today`]; a national batch is 750. The missing ones
/// are added through the regular office import, a few more per direct customs (codes `XX90`…, 示例数据).
async fn top_up_offices(store: &dyn Store) {
    let directory = Directory::new(store.office_versions().await.expect("offices"));
    let in_force: Vec<&OfficeVersion> = directory.in_force_on(today()).collect();
    let subordinates = in_force.iter().filter(|v| v.kind == OfficeKind::Subordinate).count();
    let districts: Vec<&OfficeVersion> =
        in_force.iter().copied().filter(|v| v.kind == OfficeKind::DirectCustoms).collect();
    let taken = |code: &str| directory.versions().iter().any(|v| v.code.as_str() == code);
    let mut csv = format!("{}\n", analytics::offices::import::CSV_HEADER);
    let mut added = 0;
    'outer: for n in 90..100 {
        for district in &districts {
            if subordinates + added >= BATCH_FILES {
                break 'outer;
            }
            let code = format!("{}{n}", &district.code.as_str()[..2]);
            if taken(&code) {
                continue;
            }
            csv.push_str(&format!(
                "{code},基准{code}海关,隶属海关,{},2020-01-01,,示例数据：基准测试补充\n",
                district.code
            ));
            added += 1;
        }
    }
    if added > 0 {
        app::services::offices::import_offices(store, "bench-offices.csv", csv.into_bytes(), true, &Actor::system())
            .await
            .expect("the extra offices import");
    }
}

/// The subordinate offices in force on [`today`], with their district's name.
async fn subordinates(store: &dyn Store) -> Vec<(OfficeVersion, String)> {
    let directory = Directory::new(store.office_versions().await.expect("offices"));
    let today = today();
    directory
        .in_force_on(today)
        .filter(|v| v.kind == OfficeKind::Subordinate)
        .map(|v| {
            let district = v
                .parent
                .as_ref()
                .and_then(|p| directory.in_force_on(today).find(|d| &d.code == p))
                .map(|d| d.name.clone())
                .unwrap_or_default();
            (v.clone(), district)
        })
        .collect()
}

/// A filled workbook of `office` for the quarter ending on `on`: its file name and bytes.
fn workbook(catalog: &analytics::catalog::Catalog, office: &OfficeVersion, district: &str, on: NaiveDate) -> Upload {
    let snapshot = demo_snapshot(catalog, &office.code, on, &Default::default());
    let period = Period::containing(on);
    let spec = TemplateSpec {
        office: office.code.clone(),
        office_name: office.name.clone(),
        district_name: district.to_string(),
        period,
        catalog_version: catalog.code.clone(),
        catalog: catalog.clone(),
    };
    let bytes = write_filled(&spec, &snapshot).expect("workbook");
    Upload {
        file_name: format!("{}-{}-{}.xlsx", office.code, office.name, period.code()),
        bytes,
        expected_office: None,
        expected_period: None,
        source: ReturnSource::Excel,
    }
}

/// `count` distinct workbooks: office after office, then the next quarter (2022Q3 onwards).
fn workbooks(catalog: &analytics::catalog::Catalog, offices: &[(OfficeVersion, String)], count: usize) -> Vec<Upload> {
    let first = Period::parse("2022Q3").expect("period");
    (0..count)
        .map(|i| {
            let (office, district) = &offices[i % offices.len()];
            let mut period = first;
            for _ in 0..i / offices.len() {
                period = period.next();
            }
            assert!(period.last_day() <= today(), "not enough offices and quarters for {count} workbooks");
            workbook(catalog, office, district, period.last_day())
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn single() {
    let dir = database_dir();
    let store = prepared_store(&dir).await;
    let catalog = store.standard_catalog().await.expect("store").expect("catalog");
    let offices = subordinates(store.as_ref()).await;
    let uploads = workbooks(&catalog, &offices, WARM_UP + SINGLE_RUNS);
    let principal = service::system_principal("bench", "基准测试").expect("principal");
    let actor = Actor::system();
    let (limits, today) = (ReturnLimits::default(), today());
    let mut times = Vec::with_capacity(SINGLE_RUNS);
    for (i, upload) in uploads.into_iter().enumerate() {
        let started = Instant::now();
        let uploaded =
            service::upload(store.as_ref(), &principal, upload, limits, today, &actor).await.expect("a valid return");
        assert!(!uploaded.existing_draft, "every workbook is new");
        service::confirm(store.as_ref(), &principal, uploaded.id, chrono::Utc::now(), today, &actor)
            .await
            .expect("confirmed");
        if i >= WARM_UP {
            times.push(started.elapsed());
        }
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "one return (upload + confirm, .xlsx, {} offices, {SINGLE_RUNS} runs after {WARM_UP} warm-up): \
         p50 {}  p95 {}  p99 {}  mean {}  max {}",
        offices.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
        ms(percentile(&times, 99.0)),
        ms(mean),
        ms(*times.last().expect("runs")),
    );
    store.close().await;
}

/// The workbooks of one batch as the .zip a direct customs (or HQ) would upload.
fn zip_of(uploads: &[Upload]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for upload in uploads {
        zip.start_file(upload.file_name.as_str(), options).expect("entry");
        zip.write_all(&upload.bytes).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

async fn batch() {
    let principal = service::system_principal("bench", "基准测试").expect("principal");
    let actor = Actor::system();
    let (limits, today) = (ReturnLimits::default(), today());
    let mut parallel = Vec::new();
    for run in 0..=BATCH_RUNS {
        let dir = database_dir();
        let store = prepared_store(&dir).await;
        let catalog = store.standard_catalog().await.expect("store").expect("catalog");
        let offices = subordinates(store.as_ref()).await;
        assert!(offices.len() >= BATCH_FILES, "{} subordinate offices, {BATCH_FILES} needed", offices.len());
        let quarter = Period::parse("2025Q4").expect("period").last_day();
        let uploads: Vec<Upload> = offices
            .iter()
            .take(BATCH_FILES)
            .map(|(office, district)| workbook(&catalog, office, district, quarter))
            .collect();
        let sequential = run == BATCH_RUNS;
        let zip = zip_of(&uploads);
        let zip_len = zip.len();
        drop(uploads);
        let started = Instant::now();
        let entries = analytics::returns::batch::expand_upload(
            "批量.zip",
            zip,
            limits.max_upload_bytes as u64,
            limits.max_batch_files,
        )
        .expect("the zip unpacks");
        let uploads: Vec<Upload> = entries
            .into_iter()
            .map(|e| Upload {
                file_name: e.name,
                bytes: e.bytes,
                expected_office: None,
                expected_period: None,
                source: ReturnSource::Excel,
            })
            .collect();
        let submitted = if sequential {
            // The one-by-one path, for comparison.
            let mut submitted = 0;
            for upload in uploads {
                let uploaded = service::upload(store.as_ref(), &principal, upload, limits, today, &actor).await;
                let uploaded = uploaded.expect("a valid return");
                service::confirm(store.as_ref(), &principal, uploaded.id, chrono::Utc::now(), today, &actor)
                    .await
                    .expect("confirmed");
                submitted += 1;
            }
            submitted
        } else {
            let files = service::upload_batch(
                store.as_ref(),
                &principal,
                uploads,
                limits,
                today,
                &actor,
                BatchAction::Submit,
                |_| {},
            )
            .await
            .expect("the batch runs");
            files.iter().filter(|f| f.outcome.is_ok()).count()
        };
        let elapsed = started.elapsed();
        assert_eq!(submitted, BATCH_FILES, "every file is submitted");
        if sequential {
            println!(
                "batch of {BATCH_FILES} returns one by one (upload + confirm per file, the former path): {}",
                ms(elapsed)
            );
        } else {
            println!(
                "batch of {BATCH_FILES} returns (.zip of {:.1} MB, {} parse workers): run {} {}",
                zip_len as f64 / 1e6,
                service::batch_workers(),
                run + 1,
                ms(elapsed)
            );
            parallel.push(elapsed);
        }
        store.close().await;
    }
    parallel.sort();
    println!("batch of {BATCH_FILES} returns: median of {BATCH_RUNS} runs {}", ms(parallel[parallel.len() / 2]));
}

fn main() {
    // `cargo bench` passes `--bench`; a filter word picks one part.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wants = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        if wants("single") {
            single().await;
        }
        if wants("batch") {
            batch().await;
        }
    });
}
