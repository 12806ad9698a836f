//! The peak memory of reading each hostile workbook of issue 13 (and of a fuzz run), for `docs/benchmarks.md`.
//!
//! Usage: `cargo run --release -p analytics --example hostile_peak -- CASE [ITERATIONS]`, CASE one of
//! `far-xlsx`, `whole-grid-xlsx`, `repeated-ods`, `far-xls`, `zip-bomb`, `fuzz`, or `unguarded-far-xlsx` (calamine's
//! own dense range of the far-apart workbook, without the guard: run it under `ulimit -v` to see the abort the guard
//! prevents). Prints the outcome and the process's peak resident memory (VmHWM).

#[path = "../tests/hostile/mod.rs"]
mod hostile;

use std::io::Cursor;

use analytics::catalog::standard_catalog;
use analytics::offices::import as offices;
use analytics::returns::batch::{expand_within, BatchBudget, DEFAULT_MAX_BATCH_BYTES};
use analytics::returns::{parse_return, ParseContext};
use analytics::sheets::SourceFormat;
use calamine::Reader;
use chrono::NaiveDate;
use hostile::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let case = args.get(1).map(String::as_str).unwrap_or("far-xlsx");
    let catalog = standard_catalog().expect("catalog");
    let today = NaiveDate::from_ymd_opt(2022, 10, 10).expect("date");
    let ctx = ParseContext::new(today, &catalog);
    let baseline = peak_rss_kb();
    let read = |bytes: &[u8], format: SourceFormat| {
        let outcome = parse_return(bytes, format, &ctx);
        let office = offices::parse(bytes, format).err().map(|p| p[0].to_string());
        format!("return: {:?}\noffices: {:?}", outcome.problems.first().map(ToString::to_string), office)
    };
    let (input, outcome) = match case {
        "far-xlsx" => {
            let bytes = far_apart_xlsx();
            (bytes.len(), read(&bytes, SourceFormat::Xlsx))
        }
        "whole-grid-xlsx" => {
            let bytes = whole_grid_xlsx();
            (bytes.len(), read(&bytes, SourceFormat::Xlsx))
        }
        "repeated-ods" => {
            let bytes = repeated_ods();
            (bytes.len(), read(&bytes, SourceFormat::Ods))
        }
        "far-xls" => {
            let bytes = far_apart_xls();
            (bytes.len(), read(&bytes, SourceFormat::Xls))
        }
        "zip-bomb" => {
            let bytes = zip_bomb();
            let size = bytes.len();
            let mut budget = BatchBudget::new(1000, DEFAULT_MAX_BATCH_BYTES, 20 * 1024 * 1024);
            (size, format!("{:?}", expand_within("批量.zip", bytes, &mut budget).map(|files| files.len())))
        }
        "fuzz" => {
            let iterations: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
            let originals: Vec<(&str, Vec<u8>)> =
                ["filled.xlsx", "hand-edited.xlsx", "filled.xls", "hand-edited.ods", "filled.ods"]
                    .into_iter()
                    .map(|name| (name, fixture(name)))
                    .collect();
            let mut rng = Rng(0x5eed_1234_abcd);
            let (mut accepted, mut refused) = (0usize, 0usize);
            for _ in 0..iterations {
                for (name, original) in &originals {
                    let format = SourceFormat::from_file_name(name).expect("format");
                    let mutated = mutate(original, &mut rng);
                    if parse_return(&mutated, format, &ctx).accepted().is_some() {
                        accepted += 1;
                    } else {
                        refused += 1;
                    }
                    let _ = offices::parse(&mutated, format);
                }
            }
            (0, format!("{} workbooks: {accepted} accepted, {refused} refused", accepted + refused))
        }
        "unguarded-far-xlsx" => {
            let bytes = far_apart_xlsx();
            let size = bytes.len();
            let mut workbook = calamine::Xlsx::new(Cursor::new(bytes)).expect("xlsx");
            let range = workbook.worksheet_range("公开事项").expect("range");
            (size, format!("calamine's range: {:?}", range.get_size()))
        }
        other => panic!("unknown case {other}"),
    };
    println!("case: {case}\ninput: {input} bytes\n{outcome}");
    println!("peak RSS: {} MB (baseline {} MB)", peak_rss_kb() / 1024, baseline / 1024);
}
