//! Issue 13: no input may take the server down. Hostile workbooks and zips through the real importers, and a
//! bounded fuzz run of both importers on mutated fixtures.
//!
//! Each hostile workbook here made calamine build a dense range of the whole grid before the guard (an allocation of
//! hundreds of gigabytes: the process aborted). They are refused now before anything is allocated for the sheet.
//! The fuzz run's length is `HOSTILE_FUZZ_ITERATIONS` (default 40 per fixture; `docs/benchmarks.md` records a long
//! run and the peak memory of each case, measured with the example `hostile_peak`).

mod hostile;

use analytics::catalog::standard_catalog;
use analytics::offices::import as offices;
use analytics::returns::batch::{expand_within, BatchBudget, BatchError, DEFAULT_MAX_BATCH_BYTES};
use analytics::returns::{parse_return, ParseContext, ParseOutcome};
use analytics::sheets::SourceFormat;
use chrono::NaiveDate;
use hostile::*;

fn parse(bytes: &[u8], format: SourceFormat) -> ParseOutcome {
    let catalog = standard_catalog().unwrap();
    let today = NaiveDate::from_ymd_opt(2022, 10, 10).unwrap();
    parse_return(bytes, format, &ParseContext::new(today, &catalog))
}

fn messages(outcome: &ParseOutcome) -> Vec<String> {
    outcome.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_return_with_one_cell_far_from_the_others_is_refused_with_the_cell_named() {
    let bytes = far_apart_xlsx();
    let outcome = parse(&bytes, SourceFormat::Xlsx);
    assert!(outcome.snapshot.is_none());
    assert!(
        messages(&outcome)
            .iter()
            .any(|m| m.contains("工作表“公开事项”的单元格 XFD1048576 超出可读取的范围（最多 4000 行、100 列）")),
        "{:?}",
        messages(&outcome)
    );
}

#[test]
fn a_return_declaring_the_whole_grid_is_refused_before_its_cells_are_read() {
    let outcome = parse(&whole_grid_xlsx(), SourceFormat::Xlsx);
    assert!(outcome.snapshot.is_none());
    assert!(messages(&outcome).iter().any(|m| m.contains("声明的范围 A1:XFD1048576")), "{:?}", messages(&outcome));
}

#[test]
fn an_ods_repeating_a_value_over_the_whole_grid_is_refused_by_both_importers() {
    let bytes = repeated_ods();
    let outcome = parse(&bytes, SourceFormat::Ods);
    assert!(messages(&outcome).iter().any(|m| m.contains("XFD1048576 超出可读取的范围")), "{:?}", messages(&outcome));
    let problems = offices::parse(&bytes, SourceFormat::Ods).unwrap_err();
    assert!(problems[0].to_string().contains("XFD1048576 超出可读取的范围（最多 51000 行、30 列）"), "{}", problems[0]);
}

#[test]
fn an_xls_with_a_cell_in_its_far_corner_is_refused_by_both_importers() {
    let bytes = far_apart_xls();
    let outcome = parse(&bytes, SourceFormat::Xls);
    assert!(messages(&outcome).iter().any(|m| m.contains("IV65536 超出可读取的范围")), "{:?}", messages(&outcome));
    let problems = offices::parse(&bytes, SourceFormat::Xls).unwrap_err();
    assert!(problems[0].to_string().contains("IV65536"), "{}", problems[0]);
}

#[test]
fn the_real_fixtures_still_read_in_every_format() {
    for name in ["filled.xlsx", "filled.xls", "filled.ods", "filled-libreoffice.xlsx"] {
        let format = SourceFormat::from_file_name(name).unwrap();
        let outcome = parse(&fixture(name), format);
        assert!(outcome.accepted().is_some(), "{name}: {:?}", messages(&outcome));
    }
}

#[test]
fn a_small_zip_of_a_thousand_mebibytes_is_refused_before_anything_is_unpacked() {
    let bomb = zip_bomb();
    assert!(bomb.len() < 1_200_000);
    let mut budget = BatchBudget::new(1000, DEFAULT_MAX_BATCH_BYTES, 20 * 1024 * 1024);
    let error = expand_within("批量.zip", bomb, &mut budget).unwrap_err();
    assert!(matches!(error, BatchError::CompressionRatio { .. }), "{error}");
    assert_eq!(budget.bytes_left(), DEFAULT_MAX_BATCH_BYTES);
}

/// Mutated fixtures through both importers: no panic, always an answer, and the process's peak memory bounded.
#[test]
fn mutated_workbooks_never_panic_and_stay_within_bounded_memory() {
    let iterations: usize = std::env::var("HOSTILE_FUZZ_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(40);
    let seed: u64 = std::env::var("HOSTILE_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0x5eed_1234_abcd);
    let catalog = standard_catalog().unwrap();
    let today = NaiveDate::from_ymd_opt(2022, 10, 10).unwrap();
    let ctx = ParseContext::new(today, &catalog);
    let originals: Vec<(&str, Vec<u8>)> =
        ["filled.xlsx", "hand-edited.xlsx", "filled.xls", "hand-edited.ods", "filled.ods"]
            .into_iter()
            .map(|name| (name, fixture(name)))
            .collect();
    let mut rng = Rng(seed);
    let mut answered = 0usize;
    for iteration in 0..iterations {
        for (name, original) in &originals {
            let format = SourceFormat::from_file_name(name).unwrap();
            let state = rng.0;
            let mutated = mutate(original, &mut rng);
            let outcome = parse_return(&mutated, format, &ctx);
            // An answer: a snapshot, or at least one problem saying why not.
            assert!(
                outcome.snapshot.is_some() || !outcome.problems.is_empty(),
                "{name} iteration {iteration} (rng state {state}) gave neither a snapshot nor a problem"
            );
            let _ = offices::parse(&mutated, format);
            answered += 1;
        }
    }
    let peak_mb = peak_rss_kb() / 1024;
    eprintln!("fuzz: {answered} mutated workbooks answered, peak RSS {peak_mb} MB");
    // The test binary's other tests run alongside; a dense range of a far cell alone would be gigabytes.
    assert!(peak_mb < 1024, "peak RSS {peak_mb} MB");
}
