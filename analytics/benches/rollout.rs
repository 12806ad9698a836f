//! Benchmarks of the rollout analytics on the synthetic national data set (`rollout::synthetic`):
//! the full national recompute (750 offices × 12 periods) on polars, the incremental update after one accepted
//! return, and the milestone evaluation of the 42 districts.
//!
//! Run: `cargo bench -p analytics --bench rollout`.

use std::hint::black_box;

use analytics::assessment::default_scheme;
use analytics::calendar::WorkingCalendar;
use analytics::catalog::standard_catalog;
use analytics::clocks::ClockSettings;
use analytics::rollout::national::NationalEngine;
use analytics::rollout::{evaluate, synthetic};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

const SEED: u64 = 2023;

fn engine() -> NationalEngine {
    let input = synthetic::national(SEED).expect("synthetic national data");
    NationalEngine::new(
        &input,
        standard_catalog().expect("catalog"),
        WorkingCalendar::bundled().expect("calendar"),
        ClockSettings::default(),
        default_scheme().expect("scheme"),
    )
    .expect("engine")
}

fn national(c: &mut Criterion) {
    let input = synthetic::national(SEED).expect("synthetic national data");
    let catalog = standard_catalog().expect("catalog");
    let calendar = WorkingCalendar::bundled().expect("calendar");
    let scheme = default_scheme().expect("scheme");
    c.bench_function("national rows: 750 offices x 12 periods (scalar extraction)", |b| {
        b.iter(|| {
            NationalEngine::new(
                black_box(&input),
                catalog.clone(),
                calendar.clone(),
                ClockSettings::default(),
                scheme.clone(),
            )
            .expect("engine")
        })
    });

    let mut engine = engine();
    println!("unit rows: {}", engine.unit_rows());
    c.bench_function("national recompute: 750 offices x 12 periods (polars)", |b| {
        b.iter(|| black_box(engine.recompute().expect("recompute").offices.len()))
    });

    let office = input.offices[100].code.clone();
    let period = input.periods[6].clone();
    let fresh = synthetic::accepted_return(7, &office, &period).expect("return");
    engine.recompute().expect("recompute");
    c.bench_function("incremental update: one accepted return", |b| {
        b.iter(|| black_box(engine.apply_return(black_box(&fresh)).expect("update").score))
    });
}

fn milestones(c: &mut Criterion) {
    let input = synthetic::rollout(SEED).expect("synthetic rollout");
    let as_of = NaiveDate::from_ymd_opt(2023, 6, 30).expect("date");
    c.bench_function("evaluate milestones: 42 districts", |b| b.iter(|| evaluate(black_box(&input), as_of)));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = national, milestones
}
criterion_main!(benches);
