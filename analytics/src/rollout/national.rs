//! The national recompute: every office's score for every period and the district aggregates, on polars.
//!
//! Two steps, so that a change of scheme or a full refresh costs only the second:
//! 1. **Rows** ([`NationalEngine::new`], scalar Rust): each return becomes one row per scored unit — office,
//!    district, period, item, element, and the defects the scoring rules find in it (not disclosed, no channel, no
//!    recommended channel, not on time, elements missing) plus what completion needs (not disclosed even if not due,
//!    no channel) — one row per guide requirement (defect or not), and one row per return (verified, bonus points
//!    earned before the overall cap). The unit rules are those of [`crate::assessment::score`]: 不适用 items and
//!    inherited items have no row, an undisclosed item whose clock has not expired has no defect, deadlines set by
//!    another rule and unknown calendar years are never a defect.
//! 2. **Recompute** ([`recompute`], polars): defects are summed per return and kind, each indicator deducts
//!    `min(weight, deduction × defects)`, bonuses are capped by the scheme, the total is clamped to 0–100; a return is
//!    complete when verified with no undisclosed unit, no element missing, no unit without a channel and no mandatory
//!    requirement short.
//!    Districts aggregate per period: offices with a return, mean score, completed returns.
//!
//! The result agrees with [`crate::assessment::score`] and [`crate::assessment::is_complete`] return by return
//! (tested). Scores are not rounded here (the scalar score rounds to cents; the difference is below 0.005). Grades
//! and vetoes are not computed: they need the explanation lines, which the per-office assessment gives.
//!
//! [`NationalEngine::apply_return`] is the incremental update after one accepted return: the office's rows for that
//! period are replaced, its score recomputed with the same polars plan on its rows alone, and the district aggregate
//! of that period patched by the difference.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;
use thiserror::Error;

use crate::assessment::score::{units, waits_for_the_year};
use crate::assessment::{Applicability, BonusKind, IndicatorKind, Scheme};
use crate::calendar::WorkingCalendar;
use crate::catalog::Catalog;
use crate::clocks::{judge, ClockSettings, DisclosureDates, Verdict};
use crate::offices::OfficeCode;
use crate::returns::{guide_requirements, Disclosed, Requirement, ReturnSnapshot};

/// Why the national recompute failed.
#[derive(Debug, Error)]
pub enum NationalError {
    #[error("评分方案无效：{0}")]
    Scheme(String),
    #[error("填报表所属机构{0}不在全国名单中")]
    UnknownOffice(OfficeCode),
    #[error("机构{office}所属直属海关{district}不在全国名单中")]
    UnknownDistrict { office: OfficeCode, district: OfficeCode },
    #[error("填报表期次“{0}”不在全国期次中")]
    UnknownPeriod(String),
    #[error("填报表拆分线程异常终止")]
    Worker,
    #[error("数据框计算失败：{0}")]
    Polars(#[from] PolarsError),
}

/// The offices, periods and returns of a national recompute.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalInput {
    pub districts: Vec<NationalDistrict>,
    pub offices: Vec<NationalOffice>,
    pub periods: Vec<NationalPeriod>,
    /// One return per office and period at most; a later one for the same office and period replaces an earlier.
    pub returns: Vec<ReturnSnapshot>,
}

/// A direct customs with the applicability of its district catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalDistrict {
    pub code: OfficeCode,
    pub applicability: Applicability,
}

/// A subordinate office and its district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalOffice {
    pub code: OfficeCode,
    pub district: OfficeCode,
}

/// A reporting period: the label returns carry and the date its returns are judged as of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalPeriod {
    pub label: String,
    pub as_of: NaiveDate,
}

/// One office's result for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficeScore {
    pub office: OfficeCode,
    pub district: OfficeCode,
    pub period: String,
    /// 0–100, as [`crate::assessment::score`] (unrounded).
    pub score: f64,
    /// As [`crate::assessment::is_complete`] with the default definition.
    pub complete: bool,
}

/// One district's aggregate for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictAggregate {
    pub district: OfficeCode,
    pub period: String,
    /// Offices with a return for the period.
    pub returns: usize,
    pub mean_score: f64,
    /// Returns that complete benchmarking.
    pub completed: usize,
}

/// Every office's score and every district aggregate, by office then period and by district then period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NationalScores {
    pub offices: Vec<OfficeScore>,
    pub districts: Vec<DistrictAggregate>,
}

/// The defects of one scored unit.
#[derive(Debug, Clone, Copy, Default)]
struct UnitRow {
    item: u32,
    /// 0 for the whole item.
    element: u32,
    disclosed: u32,
    channel: u32,
    recommended: u32,
    on_time: u32,
    elements: u32,
    /// Not disclosed, whatever the clock says (completion).
    undisclosed: u32,
    /// Disclosed without a channel (completion).
    no_channel: u32,
}

/// One return as rows.
#[derive(Debug, Clone, Default)]
struct ReturnRows {
    units: Vec<UnitRow>,
    /// Per guide requirement (in [`guide_requirements`] order): short of it.
    requirement_defects: Vec<bool>,
    verified: bool,
    /// Bonus points earned, each bonus at most its own maximum, before the scheme's overall cap.
    bonus: f64,
}

/// The national data as rows, with the scheme and the results of the last recompute.
pub struct NationalEngine {
    catalog: Catalog,
    calendar: WorkingCalendar,
    clock_settings: ClockSettings,
    scheme: Scheme,
    /// The guide's requirements, built once (each return reads all of them).
    requirements: Vec<Requirement>,
    districts: Vec<NationalDistrict>,
    offices: Vec<NationalOffice>,
    office_district: Vec<usize>,
    office_index: HashMap<OfficeCode, usize>,
    periods: Vec<NationalPeriod>,
    period_index: HashMap<String, usize>,
    /// (office, period) → rows.
    rows: BTreeMap<(usize, usize), ReturnRows>,
    /// Results of the last recompute, patched by `apply_return`.
    scores: NationalScores,
    /// (office, period) → index in `scores.offices`.
    score_index: HashMap<(usize, usize), usize>,
    /// (district, period) → index in `scores.districts`, with the score sum behind the mean.
    district_index: HashMap<(usize, usize), (usize, f64)>,
}

impl NationalEngine {
    /// Turns every return into rows (no score computed yet; see [`NationalEngine::recompute`]).
    pub fn new(
        input: &NationalInput,
        catalog: Catalog,
        calendar: WorkingCalendar,
        clock_settings: ClockSettings,
        scheme: Scheme,
    ) -> Result<Self, NationalError> {
        crate::assessment::validate_scheme(&scheme).map_err(|e| NationalError::Scheme(e.to_string()))?;
        let district_pos: HashMap<&OfficeCode, usize> =
            input.districts.iter().enumerate().map(|(i, d)| (&d.code, i)).collect();
        let office_district = input
            .offices
            .iter()
            .map(|o| {
                district_pos.get(&o.district).copied().ok_or_else(|| NationalError::UnknownDistrict {
                    office: o.code.clone(),
                    district: o.district.clone(),
                })
            })
            .collect::<Result<Vec<usize>, _>>()?;
        let mut engine = NationalEngine {
            catalog,
            calendar,
            clock_settings,
            scheme,
            requirements: guide_requirements(),
            districts: input.districts.clone(),
            office_index: input.offices.iter().enumerate().map(|(i, o)| (o.code.clone(), i)).collect(),
            offices: input.offices.clone(),
            office_district,
            period_index: input.periods.iter().enumerate().map(|(i, p)| (p.label.clone(), i)).collect(),
            periods: input.periods.clone(),
            rows: BTreeMap::new(),
            scores: NationalScores::default(),
            score_index: HashMap::new(),
            district_index: HashMap::new(),
        };
        // The returns are independent: extract them on every core, then insert in input order (a later return
        // for the same office and period replaces an earlier one).
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let chunk = input.returns.len().div_ceil(threads).max(1);
        let shared = &engine;
        let extracted: Vec<Result<Vec<_>, NationalError>> = std::thread::scope(|scope| {
            let workers: Vec<_> = input
                .returns
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|s| shared.rows_of(s)).collect()))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or(Err(NationalError::Worker))).collect()
        });
        for part in extracted {
            for (key, rows) in part? {
                engine.rows.insert(key, rows);
            }
        }
        Ok(engine)
    }

    /// The results of the last [`recompute`](NationalEngine::recompute), as patched since.
    pub fn scores(&self) -> &NationalScores {
        &self.scores
    }

    /// Number of unit rows (office × period × scored item or element).
    pub fn unit_rows(&self) -> usize {
        self.rows.values().map(|r| r.units.len()).sum()
    }

    /// Recomputes every office and district with polars.
    pub fn recompute(&mut self) -> Result<&NationalScores, NationalError> {
        let keys: Vec<(usize, usize)> = self.rows.keys().copied().collect();
        let per_return = recompute(&self.frames_of(&keys)?, &self.scheme)?;
        let mut offices = Vec::with_capacity(keys.len());
        for (&(office, period), (score, complete)) in keys.iter().zip(per_return) {
            offices.push(self.office_score(office, period, score, complete));
        }
        // District aggregates with polars, over the per-return results.
        let district_col: Vec<u32> = keys.iter().map(|(o, _)| self.office_district[*o] as u32).collect();
        let period_col: Vec<u32> = keys.iter().map(|(_, p)| *p as u32).collect();
        let score_col: Vec<f64> = offices.iter().map(|o| o.score).collect();
        let complete_col: Vec<u32> = offices.iter().map(|o| u32::from(o.complete)).collect();
        let frame = DataFrame::new_infer_height(vec![
            Column::new("district".into(), district_col),
            Column::new("period".into(), period_col),
            Column::new("score".into(), score_col),
            Column::new("complete".into(), complete_col),
        ])?;
        let aggregates = frame
            .lazy()
            .group_by([col("district"), col("period")])
            .agg([
                len().cast(DataType::UInt32).alias("returns"),
                col("score").sum().alias("score_sum"),
                col("complete").sum().cast(DataType::UInt32).alias("completed"),
            ])
            .sort(["district", "period"], SortMultipleOptions::default())
            .collect()?;
        let district = aggregates.column("district")?.u32()?;
        let period = aggregates.column("period")?.u32()?;
        let returns = aggregates.column("returns")?.u32()?;
        let score_sum = aggregates.column("score_sum")?.f64()?;
        let completed = aggregates.column("completed")?.u32()?;
        let mut districts = Vec::with_capacity(aggregates.height());
        self.district_index.clear();
        for i in 0..aggregates.height() {
            let (d, p) = (district.get(i).unwrap_or(0) as usize, period.get(i).unwrap_or(0) as usize);
            let n = returns.get(i).unwrap_or(0) as usize;
            let sum = score_sum.get(i).unwrap_or(0.0);
            self.district_index.insert((d, p), (districts.len(), sum));
            districts.push(DistrictAggregate {
                district: self.districts[d].code.clone(),
                period: self.periods[p].label.clone(),
                returns: n,
                mean_score: if n > 0 { sum / n as f64 } else { 0.0 },
                completed: completed.get(i).unwrap_or(0) as usize,
            });
        }
        self.score_index = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        self.scores = NationalScores { offices, districts };
        Ok(&self.scores)
    }

    /// The incremental update after one accepted return: replaces the office's rows for the period, recomputes its
    /// score with the same polars plan and patches the district aggregate of the period.
    pub fn apply_return(&mut self, snapshot: &ReturnSnapshot) -> Result<&OfficeScore, NationalError> {
        let (key, rows) = self.rows_of(snapshot)?;
        self.rows.insert(key, rows);
        let result = recompute(&self.frames_of(&[key])?, &self.scheme)?;
        let (score, complete) = result.first().copied().unwrap_or((0.0, false));
        let fresh = self.office_score(key.0, key.1, score, complete);
        let district = self.office_district[key.0];
        let (old_score, old_complete, added) = match self.score_index.get(&key) {
            Some(&i) => {
                let old = &self.scores.offices[i];
                let before = (old.score, old.complete, false);
                self.scores.offices[i] = fresh;
                before
            }
            None => {
                self.score_index.insert(key, self.scores.offices.len());
                self.scores.offices.push(fresh);
                (0.0, false, true)
            }
        };
        let entry = match self.district_index.get(&(district, key.1)) {
            Some(&entry) => entry,
            None => {
                self.scores.districts.push(DistrictAggregate {
                    district: self.districts[district].code.clone(),
                    period: self.periods[key.1].label.clone(),
                    returns: 0,
                    mean_score: 0.0,
                    completed: 0,
                });
                (self.scores.districts.len() - 1, 0.0)
            }
        };
        let (at, sum) = (entry.0, entry.1 - old_score + score);
        self.district_index.insert((district, key.1), (at, sum));
        let aggregate = &mut self.scores.districts[at];
        aggregate.returns += usize::from(added);
        aggregate.completed = aggregate.completed + usize::from(complete) - usize::from(old_complete);
        aggregate.mean_score = if aggregate.returns > 0 { sum / aggregate.returns as f64 } else { 0.0 };
        let i = self.score_index.get(&key).copied().unwrap_or(0);
        Ok(&self.scores.offices[i])
    }

    fn office_score(&self, office: usize, period: usize, score: f64, complete: bool) -> OfficeScore {
        OfficeScore {
            office: self.offices[office].code.clone(),
            district: self.districts[self.office_district[office]].code.clone(),
            period: self.periods[period].label.clone(),
            score,
            complete,
        }
    }

    /// The rows of one return, with its (office, period) key.
    fn rows_of(&self, snapshot: &ReturnSnapshot) -> Result<((usize, usize), ReturnRows), NationalError> {
        let office = *self
            .office_index
            .get(&snapshot.office)
            .ok_or_else(|| NationalError::UnknownOffice(snapshot.office.clone()))?;
        let period = *self
            .period_index
            .get(&snapshot.period)
            .ok_or_else(|| NationalError::UnknownPeriod(snapshot.period.clone()))?;
        let applicability = &self.districts[self.office_district[office]].applicability;
        let rows = return_rows(self, snapshot, applicability, self.periods[period].as_of);
        Ok(((office, period), rows))
    }

    /// The frames of every return (see [`Frames`]), for [`recompute`] or any other polars query over the national
    /// data; `ret` numbers the returns by office, then period.
    pub fn frames(&self) -> Result<Frames, NationalError> {
        let keys: Vec<(usize, usize)> = self.rows.keys().copied().collect();
        self.frames_of(&keys)
    }

    /// The three frames of the given returns; `ret` is the position in `keys`.
    fn frames_of(&self, keys: &[(usize, usize)]) -> Result<Frames, NationalError> {
        let empty = ReturnRows::default();
        let all: Vec<&ReturnRows> = keys.iter().map(|k| self.rows.get(k).unwrap_or(&empty)).collect();
        let n_units: usize = all.iter().map(|r| r.units.len()).sum();
        let n_requirements: usize = all.iter().map(|r| r.requirement_defects.len()).sum();
        let mut u = UnitColumns::with_capacity(n_units);
        let mut q_ret = Vec::with_capacity(n_requirements);
        let mut q_req = Vec::with_capacity(n_requirements);
        let mut q_defect = Vec::with_capacity(n_requirements);
        for (ret, (rows, &(office, period))) in all.iter().zip(keys).enumerate() {
            let ret = ret as u32;
            let district = self.office_district[office] as u32;
            for unit in &rows.units {
                u.push(ret, office as u32, district, period as u32, unit);
            }
            for (req, defect) in rows.requirement_defects.iter().enumerate() {
                q_ret.push(ret);
                q_req.push(req as u32);
                q_defect.push(u32::from(*defect));
            }
        }
        let returns = DataFrame::new_infer_height(vec![
            Column::new("ret".into(), (0..keys.len() as u32).collect::<Vec<u32>>()),
            Column::new("verified".into(), all.iter().map(|r| r.verified).collect::<Vec<bool>>()),
            Column::new("bonus".into(), all.iter().map(|r| r.bonus).collect::<Vec<f64>>()),
        ])?;
        let requirements = DataFrame::new_infer_height(vec![
            Column::new("ret".into(), q_ret),
            Column::new("req".into(), q_req),
            Column::new("defect".into(), q_defect),
        ])?;
        Ok(Frames { units: u.into_frame()?, requirements, returns })
    }
}

/// Column vectors of the unit frame.
struct UnitColumns {
    ret: Vec<u32>,
    office: Vec<u32>,
    district: Vec<u32>,
    period: Vec<u32>,
    item: Vec<u32>,
    element: Vec<u32>,
    disclosed: Vec<u32>,
    channel: Vec<u32>,
    recommended: Vec<u32>,
    on_time: Vec<u32>,
    elements: Vec<u32>,
    undisclosed: Vec<u32>,
    no_channel: Vec<u32>,
}

impl UnitColumns {
    fn with_capacity(n: usize) -> Self {
        let v = || Vec::with_capacity(n);
        UnitColumns {
            ret: v(),
            office: v(),
            district: v(),
            period: v(),
            item: v(),
            element: v(),
            disclosed: v(),
            channel: v(),
            recommended: v(),
            on_time: v(),
            elements: v(),
            undisclosed: v(),
            no_channel: v(),
        }
    }

    fn push(&mut self, ret: u32, office: u32, district: u32, period: u32, unit: &UnitRow) {
        self.ret.push(ret);
        self.office.push(office);
        self.district.push(district);
        self.period.push(period);
        self.item.push(unit.item);
        self.element.push(unit.element);
        self.disclosed.push(unit.disclosed);
        self.channel.push(unit.channel);
        self.recommended.push(unit.recommended);
        self.on_time.push(unit.on_time);
        self.elements.push(unit.elements);
        self.undisclosed.push(unit.undisclosed);
        self.no_channel.push(unit.no_channel);
    }

    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("ret".into(), self.ret),
            Column::new("office".into(), self.office),
            Column::new("district".into(), self.district),
            Column::new("period".into(), self.period),
            Column::new("item".into(), self.item),
            Column::new("element".into(), self.element),
            Column::new(kind_column(IndicatorKind::Disclosed).into(), self.disclosed),
            Column::new(kind_column(IndicatorKind::ChannelUsed).into(), self.channel),
            Column::new(kind_column(IndicatorKind::RecommendedChannelUsed).into(), self.recommended),
            Column::new(kind_column(IndicatorKind::OnTime).into(), self.on_time),
            Column::new(kind_column(IndicatorKind::ElementsComplete).into(), self.elements),
            Column::new("undisclosed".into(), self.undisclosed),
            Column::new("no_channel".into(), self.no_channel),
        ])
    }
}

/// The frames [`recompute`] reads.
pub struct Frames {
    /// One row per scored unit: `ret` (the return's position), office, district, period, item, element, then the
    /// defect counts per indicator kind (`d_disclosed`, `d_channel`, `d_recommended`, `d_on_time`, `d_elements`)
    /// and `undisclosed`, `no_channel` for completion.
    pub units: DataFrame,
    /// One row per return and guide requirement: `ret`, `req` (position in [`guide_requirements`]), `defect`.
    pub requirements: DataFrame,
    /// One row per return: `ret` (0, 1, …), `verified`, `bonus` (earned before the overall cap).
    pub returns: DataFrame,
}

/// The unit frame's column of an indicator kind's defects; requirement kinds read the requirement frame.
fn kind_column(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Disclosed => "d_disclosed",
        IndicatorKind::ChannelUsed => "d_channel",
        IndicatorKind::RecommendedChannelUsed => "d_recommended",
        IndicatorKind::OnTime => "d_on_time",
        IndicatorKind::ElementsComplete => "d_elements",
        IndicatorKind::RequirementMet => "d_requirements",
    }
}

/// `min(weight, deduction × defects)` as an expression.
fn capped(defects: Expr, weight: f64, deduction: f64) -> Expr {
    let charged = defects.cast(DataType::Float64) * lit(deduction);
    when(charged.clone().gt(lit(weight))).then(lit(weight)).otherwise(charged)
}

/// Scores and completion of every return in `frames` (in `ret` order) under `scheme`, with polars.
pub fn recompute(frames: &Frames, scheme: &Scheme) -> Result<Vec<(f64, bool)>, NationalError> {
    let kinds = [
        IndicatorKind::Disclosed,
        IndicatorKind::ChannelUsed,
        IndicatorKind::RecommendedChannelUsed,
        IndicatorKind::OnTime,
        IndicatorKind::ElementsComplete,
    ];
    let sum = |name: &str| col(name).sum().cast(DataType::UInt32);
    let mut unit_aggs: Vec<Expr> = kinds.iter().map(|k| sum(kind_column(*k))).collect();
    unit_aggs.push(sum("undisclosed"));
    unit_aggs.push(sum("no_channel"));
    let per_unit = frames.units.clone().lazy().group_by([col("ret")]).agg(unit_aggs);

    // Requirement defects per requirement indicator, and mandatory shortfalls for completion.
    let requirements = guide_requirements();
    let is_one_of = |positions: Vec<u32>| -> Expr {
        positions.into_iter().map(|p| col("req").eq(lit(p))).reduce(|a, b| a.or(b)).unwrap_or(lit(false))
    };
    let mut requirement_aggs = Vec::new();
    for (i, indicator) in scheme.indicators.iter().enumerate() {
        if indicator.kind == IndicatorKind::RequirementMet {
            let positions: Vec<u32> = requirements
                .iter()
                .enumerate()
                .filter(|(_, r)| indicator.requirements.contains(&r.code))
                .map(|(p, _)| p as u32)
                .collect();
            let counted = when(is_one_of(positions)).then(col("defect")).otherwise(lit(0u32));
            requirement_aggs.push(counted.sum().cast(DataType::UInt32).alias(format!("r{i}")));
        }
    }
    let mandatory: Vec<u32> =
        requirements.iter().enumerate().filter(|(_, r)| r.mandatory).map(|(p, _)| p as u32).collect();
    let short = when(is_one_of(mandatory)).then(col("defect")).otherwise(lit(0u32));
    requirement_aggs.push(short.sum().cast(DataType::UInt32).alias("short"));
    let per_requirement = frames.requirements.clone().lazy().group_by([col("ret")]).agg(requirement_aggs);

    // A return without units or requirement rows has no defects: the joined counts are null, read as 0.
    let count = |name: String| col(name).fill_null(lit(0u32));
    let mut points = lit(0.0);
    for (i, indicator) in scheme.indicators.iter().enumerate() {
        let defects = match indicator.kind {
            IndicatorKind::RequirementMet => count(format!("r{i}")),
            kind => count(kind_column(kind).to_string()),
        };
        points = points + lit(indicator.weight) - capped(defects, indicator.weight, indicator.deduction);
    }
    let bonus = when(col("bonus").gt(lit(scheme.bonus_cap))).then(lit(scheme.bonus_cap)).otherwise(col("bonus"));
    let raw = points + bonus;
    let max = crate::assessment::MAX_POINTS;
    let score =
        when(raw.clone().gt(lit(max))).then(lit(max)).when(raw.clone().lt(lit(0.0))).then(lit(0.0)).otherwise(raw);
    let complete = col("verified")
        .and(count("undisclosed".into()).eq(lit(0u32)))
        .and(count("no_channel".into()).eq(lit(0u32)))
        .and(count(kind_column(IndicatorKind::ElementsComplete).into()).eq(lit(0u32)))
        .and(count("short".into()).eq(lit(0u32)));

    let joined = frames
        .returns
        .clone()
        .lazy()
        .left_join(per_unit, col("ret"), col("ret"))
        .left_join(per_requirement, col("ret"), col("ret"))
        .select([col("ret"), score.alias("score"), complete.alias("complete")])
        .sort(["ret"], SortMultipleOptions::default())
        .collect()?;
    let scores = joined.column("score")?.f64()?;
    let complete = joined.column("complete")?.bool()?;
    Ok((0..joined.height()).map(|i| (scores.get(i).unwrap_or(0.0), complete.get(i).unwrap_or(false))).collect())
}

/// What the rows need of a clock verdict: not due yet, a defect of 公开时限 (late, overdue, stale, date missing), or
/// neither (on time, current, set by another rule, or a year the calendar does not know — excluded, not failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    Pending,
    Failed,
    Fine,
}

impl Clock {
    fn of(verdict: &Result<Verdict, crate::calendar::CalendarError>) -> Self {
        match verdict {
            Ok(Verdict::Pending { .. }) => Clock::Pending,
            Ok(Verdict::NotComputable { .. }) | Err(_) => Clock::Fine,
            Ok(v) if v.is_failure() => Clock::Failed,
            Ok(_) => Clock::Fine,
        }
    }
}

/// The rows of one return judged as of `as_of`; the unit rules mirror [`crate::assessment::score`].
fn return_rows(
    engine: &NationalEngine,
    snapshot: &ReturnSnapshot,
    applicability: &Applicability,
    as_of: NaiveDate,
) -> ReturnRows {
    let (catalog, scheme, requirements) = (&engine.catalog, &engine.scheme, engine.requirements.as_slice());
    let (calendar, clock_settings) = (&engine.calendar, engine.clock_settings);
    let (units, _, _) = units(catalog, applicability, snapshot);
    let mut rows = Vec::with_capacity(units.len());
    for unit in &units {
        let report = unit.report;
        let rule = match unit.element {
            Some(e) => unit.item.rule_for_element(e),
            None => &unit.item.time_limit,
        };
        let disclosed = unit.disclosed();
        let dates = DisclosureDates {
            formed_on: report.and_then(|r| r.formed_on),
            published_on: if disclosed { report.and_then(|r| r.published_on) } else { None },
        };
        let clock = Clock::of(&judge(rule, dates, as_of, clock_settings, calendar));
        let mut row = UnitRow {
            item: unit.item.number,
            element: unit.element.unwrap_or(0),
            undisclosed: u32::from(!disclosed),
            no_channel: u32::from(disclosed && report.is_some_and(|r| r.channels.is_empty())),
            ..UnitRow::default()
        };
        if !disclosed {
            if clock == Clock::Pending {
                rows.push(row);
                continue;
            }
            row.disclosed = 1;
            row.channel = 1;
            row.recommended = 1;
            row.elements = 1;
        } else if let Some(report) = report {
            row.channel = u32::from(report.channels.is_empty());
            let recommended =
                unit.item.channels.iter().filter(|c| c.recommended).any(|c| report.channels.contains(&c.code));
            row.recommended = u32::from(!recommended);
            row.elements = unit.owned.iter().filter(|e| report.elements_missing.contains(e)).count() as u32;
        }
        row.on_time = u32::from(clock == Clock::Failed);
        rows.push(row);
    }
    let requirement_defects = requirements.iter().map(|r| short_of(snapshot, r)).collect();
    ReturnRows {
        units: rows,
        requirement_defects,
        verified: snapshot.verified_on.is_some(),
        bonus: bonus_earned(snapshot, scheme, requirements),
    }
}

/// Whether a return falls short of a requirement: the rule of the score's `requirement_shortfall` without its
/// words (not reported, 否, 不适用, or a count missing or below the guide's minimum; a yearly minimum not yet
/// reached on a Q1–Q3 return is not judged), reading the requirement list built once instead of rebuilding it per
/// call.
fn short_of(snapshot: &ReturnSnapshot, requirement: &Requirement) -> bool {
    let report = snapshot.requirement(&requirement.code);
    if waits_for_the_year(snapshot, requirement.min_count, report) {
        return false;
    }
    match report {
        None => true,
        Some(r) => match r.fulfilled {
            Disclosed::No | Disclosed::NotApplicable => true,
            Disclosed::Yes => match (requirement.min_count, r.count) {
                (Some(_), None) => true,
                (Some(min), Some(count)) => count < min,
                (None, _) => false,
            },
        },
    }
}

/// Bonus points earned, each bonus at most its maximum, before the scheme's overall cap (as in the score).
fn bonus_earned(snapshot: &ReturnSnapshot, scheme: &Scheme, requirements: &[Requirement]) -> f64 {
    scheme
        .bonuses
        .iter()
        .filter_map(|bonus| {
            let report = snapshot.requirement(&bonus.requirement).filter(|r| r.fulfilled == Disclosed::Yes)?;
            let max = bonus.max.unwrap_or(bonus.points);
            Some(match bonus.kind {
                BonusKind::RequirementMet => bonus.points.min(max),
                BonusKind::CountAboveMinimum => {
                    let min = requirements
                        .iter()
                        .find(|r| r.code == bonus.requirement)
                        .and_then(|r| r.min_count)
                        .unwrap_or(0);
                    (f64::from(report.count.unwrap_or(0).saturating_sub(min)) * bonus.points).min(max)
                }
            })
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::{default_scheme, is_complete, score, CompletionDefinition};
    use crate::catalog::standard_catalog;
    use crate::rollout::synthetic;

    fn engine(input: &NationalInput) -> NationalEngine {
        NationalEngine::new(
            input,
            standard_catalog().unwrap(),
            WorkingCalendar::bundled().unwrap(),
            ClockSettings::default(),
            default_scheme().unwrap(),
        )
        .unwrap()
    }

    /// The scalar score and completion of one return, as the per-office page computes them.
    fn scalar(input: &NationalInput, snapshot: &ReturnSnapshot) -> (f64, bool) {
        let office = input.offices.iter().find(|o| o.code == snapshot.office).unwrap();
        let district = input.districts.iter().find(|d| d.code == office.district).unwrap();
        let period = input.periods.iter().find(|p| p.label == snapshot.period).unwrap();
        let catalog = standard_catalog().unwrap();
        let a = score(
            snapshot,
            &catalog,
            &district.applicability,
            &default_scheme().unwrap(),
            &WorkingCalendar::bundled().unwrap(),
            ClockSettings::default(),
            period.as_of,
        )
        .unwrap();
        let complete =
            is_complete(snapshot, &catalog, &district.applicability, &CompletionDefinition::default()).complete;
        (a.score, complete)
    }

    #[test]
    fn the_polars_recompute_agrees_with_the_per_office_score_on_every_return() {
        let input = synthetic::national_sized(11, 90, 4).unwrap();
        let mut engine = engine(&input);
        let scores = engine.recompute().unwrap().clone();
        assert_eq!(scores.offices.len(), 360);
        let mut completed = 0;
        let mut spread = (100.0_f64, 0.0_f64);
        for snapshot in &input.returns {
            let (expected, complete) = scalar(&input, snapshot);
            let got =
                scores.offices.iter().find(|o| o.office == snapshot.office && o.period == snapshot.period).unwrap();
            assert!((got.score - expected).abs() < 0.005, "{} {}: {} vs {expected}", got.office, got.period, got.score);
            assert_eq!(got.complete, complete, "{} {}", got.office, got.period);
            completed += usize::from(complete);
            spread = (spread.0.min(expected), spread.1.max(expected));
        }
        // The test is not vacuous: scores spread and some returns complete, some do not.
        assert!(spread.0 < 60.0 && spread.1 > 95.0, "{spread:?}");
        assert!(completed > 0 && completed < 360, "{completed}");
    }

    #[test]
    fn the_unit_frame_has_one_row_per_scored_item_of_every_return_with_its_office_district_and_period() {
        let input = synthetic::national_sized(15, 42, 2).unwrap();
        let engine = engine(&input);
        let frames = engine.frames().unwrap();
        assert_eq!(frames.units.height(), engine.unit_rows());
        assert_eq!(frames.returns.height(), 84);
        assert_eq!(frames.requirements.height(), 84 * guide_requirements().len());
        let names: Vec<&str> = frames.units.get_column_names().into_iter().map(|n| n.as_str()).collect();
        assert_eq!(&names[..6], &["ret", "office", "district", "period", "item", "element"]);
        // 25 items less 3 inherited (3, 10, 18), item 24 counted per element; a fifth of districts drop item 16.
        let per_return = frames.units.height() as f64 / 84.0;
        assert!((21.0..=23.0).contains(&per_return), "{per_return}");
        let scores = recompute(&frames, &default_scheme().unwrap()).unwrap();
        assert_eq!(scores.len(), 84);
    }

    #[test]
    fn district_aggregates_are_the_mean_and_count_of_their_offices() {
        let input = synthetic::national_sized(12, 84, 2).unwrap();
        let mut engine = engine(&input);
        let scores = engine.recompute().unwrap().clone();
        assert_eq!(scores.districts.len(), 42 * 2);
        for aggregate in &scores.districts {
            let mine: Vec<&OfficeScore> = scores
                .offices
                .iter()
                .filter(|o| o.district == aggregate.district && o.period == aggregate.period)
                .collect();
            assert_eq!(aggregate.returns, mine.len());
            let mean = mine.iter().map(|o| o.score).sum::<f64>() / mine.len() as f64;
            assert!((aggregate.mean_score - mean).abs() < 1e-9);
            assert_eq!(aggregate.completed, mine.iter().filter(|o| o.complete).count());
        }
    }

    #[test]
    fn an_accepted_return_updates_its_office_and_district_as_a_full_recompute_would() {
        let mut input = synthetic::national_sized(13, 84, 2).unwrap();
        let mut engine = engine(&input);
        engine.recompute().unwrap();
        let office = input.offices[5].clone();
        let fresh = synthetic::accepted_return(99, &office.code, &input.periods[1]).unwrap();
        let updated = engine.apply_return(&fresh).unwrap().clone();
        assert!((updated.score - scalar(&input, &fresh).0).abs() < 0.005);
        let patched = engine.scores().clone();

        input.returns.retain(|r| !(r.office == office.code && r.period == fresh.period));
        input.returns.push(fresh);
        let mut full = self::engine(&input);
        let expected = full.recompute().unwrap();
        let find = |s: &NationalScores| {
            s.districts
                .iter()
                .find(|a| a.district == office.district && a.period == input.periods[1].label)
                .cloned()
                .unwrap()
        };
        let (a, b) = (find(&patched), find(expected));
        assert_eq!((a.returns, a.completed), (b.returns, b.completed));
        assert!((a.mean_score - b.mean_score).abs() < 1e-9);
    }

    #[test]
    fn a_return_of_an_office_or_period_outside_the_national_list_is_refused() {
        let input = synthetic::national_sized(14, 42, 1).unwrap();
        let mut engine = engine(&input);
        let mut stray = input.returns[0].clone();
        stray.period = "1999-01".into();
        assert!(matches!(engine.apply_return(&stray), Err(NationalError::UnknownPeriod(_))));
        stray = input.returns[0].clone();
        stray.office = OfficeCode::parse("9999").unwrap();
        let err = engine.apply_return(&stray).unwrap_err();
        assert_eq!(err.to_string(), "填报表所属机构9999不在全国名单中");
    }
}
