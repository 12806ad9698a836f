//! Parsing and validating one return, against calamine merely reading every cell of the same file.
//!
//! `cargo bench -p analytics --bench returns`; results in `docs/benchmarks.md` (target: parse ≤ 1.5 × read).

use std::hint::black_box;
use std::io::Cursor;

use analytics::catalog::standard_catalog;
use analytics::returns::{parse_return, ParseContext};
use analytics::sheets::SourceFormat;
use calamine::{Data, Reader};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

const FILLED_XLSX: &[u8] = include_bytes!("../tests/fixtures/returns/filled.xlsx");
const FILLED_XLS: &[u8] = include_bytes!("../tests/fixtures/returns/filled.xls");

fn read_every_cell(bytes: &[u8]) -> usize {
    let Ok(mut workbook) = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) else {
        return 0;
    };
    let mut filled = 0;
    for name in workbook.sheet_names() {
        if let Ok(range) = workbook.worksheet_range(&name) {
            filled += range.used_cells().filter(|(_, _, c)| !matches!(c, Data::Empty)).count();
        }
    }
    filled
}

fn bench(c: &mut Criterion) {
    let catalog = standard_catalog().expect("the bundled catalog loads");
    let today = NaiveDate::from_ymd_opt(2022, 10, 10).expect("a valid date");
    let ctx = ParseContext::new(today, &catalog);
    for (label, bytes, format) in [("xlsx", FILLED_XLSX, SourceFormat::Xlsx), ("xls", FILLED_XLS, SourceFormat::Xls)] {
        assert!(!parse_return(bytes, format, &ctx).has_errors(), "the fixture is a valid return");
        let mut group = c.benchmark_group(format!("return_{label}"));
        group.bench_function("parse_and_validate", |b| b.iter(|| parse_return(black_box(bytes), format, &ctx)));
        group.bench_function("calamine_read_every_cell", |b| b.iter(|| read_every_cell(black_box(bytes))));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
