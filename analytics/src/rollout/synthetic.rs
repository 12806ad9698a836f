//! Deterministic synthetic data at national scale (示例数据): returns for the national recompute and a rollout
//! history for [`evaluate`](super::evaluate), the same for the same seed on every machine.
//!
//! - [`national`]: [`OFFICES`] invented subordinate offices spread over the 42 real direct customs (17 or 18 each,
//!   codes `XXNN` under the district prefix), [`PERIODS`] monthly periods of 2023 (each judged as of its last day),
//!   one return per office and period. Office quality differs and improves month by month, so scores spread over
//!   the grades and completion grows; about 5 % of returns are not verified; every fifth district marks item 16
//!   (拍卖信息) 不适用 in its catalog.
//! - [`accepted_return`]: one more verified return for an office and period, for the incremental update.
//! - [`rollout`]: the demo office directory ([`crate::offices::demo`]) with catalog, plan and pilot dates per
//!   district and completion histories per office, some late, some lost and regained.
//!
//! A hand-written splitmix64 makes every choice, so no dependency decides the data.

use chrono::{Datelike, Days, NaiveDate};
use thiserror::Error;

use super::national::{NationalDistrict, NationalInput, NationalOffice, NationalPeriod};
use super::{DistrictInput, OfficeHistory, PilotDesignation, RolloutInput};
use crate::assessment::Applicability;
use crate::catalog::{standard_catalog, Catalog, ChannelCode};
use crate::offices::{demo, import, Directory, OfficeCode, OfficeKind};
use crate::returns::{codes, guide_requirements, Disclosed, ItemReport, RequirementReport, ReturnSnapshot};

/// Subordinate offices in [`national`].
pub const OFFICES: usize = 750;

/// Monthly periods in [`national`].
pub const PERIODS: usize = 12;

/// Why synthetic data could not be made: the bundled data it builds on did not load.
#[derive(Debug, Error)]
pub enum SyntheticError {
    #[error("内置直属海关名录或示例机构数据无法读取：{0}")]
    Offices(String),
    #[error("内置标准目录无法读取：{0}")]
    Catalog(String),
    #[error("示例机构代码无效：{0}")]
    Code(String),
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

fn code(text: &str) -> Result<OfficeCode, SyntheticError> {
    OfficeCode::parse(text).map_err(|e| SyntheticError::Code(e.to_string()))
}

fn direct_customs() -> Result<Vec<OfficeCode>, SyntheticError> {
    let versions = import::direct_customs_versions().map_err(|p| SyntheticError::Offices(format!("{p:?}")))?;
    let mut codes: Vec<OfficeCode> =
        versions.into_iter().filter(|v| v.kind == OfficeKind::DirectCustoms).map(|v| v.code).collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
}

/// [`OFFICES`] offices × [`PERIODS`] months.
pub fn national(seed: u64) -> Result<NationalInput, SyntheticError> {
    national_sized(seed, OFFICES, PERIODS)
}

/// `offices` offices (spread over the 42 direct customs in turn) × `periods` monthly periods from January 2023.
pub fn national_sized(seed: u64, offices: usize, periods: usize) -> Result<NationalInput, SyntheticError> {
    let catalog = standard_catalog().map_err(|e| SyntheticError::Catalog(e.to_string()))?;
    let direct = direct_customs()?;
    let districts: Vec<NationalDistrict> = direct
        .iter()
        .enumerate()
        .map(|(i, code)| NationalDistrict {
            code: code.clone(),
            applicability: if i % 5 == 4 {
                Applicability::all_applicable().with_not_applicable(16, "本关无拍卖业务（示例数据）")
            } else {
                Applicability::all_applicable()
            },
        })
        .collect();
    let mut office_list = Vec::with_capacity(offices);
    for i in 0..offices {
        let district = &direct[i % direct.len()];
        let number = i / direct.len() + 1;
        let text = format!("{}{number:02}", district.district_prefix());
        office_list.push(NationalOffice { code: code(&text)?, district: district.clone() });
    }
    let period_list: Vec<NationalPeriod> = (0..periods)
        .map(|p| {
            let year = 2023 + (p / 12) as i32;
            let month = (p % 12) as u32 + 1;
            NationalPeriod { label: format!("{year}-{month:02}"), as_of: month_end(year, month) }
        })
        .collect();
    let mut rng = Rng::new(seed);
    let mut returns = Vec::with_capacity(offices * periods);
    for office in &office_list {
        let quality = 0.55 + 0.45 * rng.unit();
        for (p, period) in period_list.iter().enumerate() {
            let level = (quality + 0.03 * p as f64).min(0.995);
            let verified = rng.chance(0.95);
            returns.push(make_return(&mut rng, &catalog, &office.code, period, level, verified));
        }
    }
    Ok(NationalInput { districts, offices: office_list, periods: period_list, returns })
}

/// One more verified return of `office` for `period`, as the incremental update receives it.
pub fn accepted_return(
    seed: u64,
    office: &OfficeCode,
    period: &NationalPeriod,
) -> Result<ReturnSnapshot, SyntheticError> {
    let catalog = standard_catalog().map_err(|e| SyntheticError::Catalog(e.to_string()))?;
    let mut rng = Rng::new(seed);
    let level = 0.8 + 0.2 * rng.unit();
    Ok(make_return(&mut rng, &catalog, office, period, level, true))
}

/// A return whose answers are right with probability `level`.
fn make_return(
    rng: &mut Rng,
    catalog: &Catalog,
    office: &OfficeCode,
    period: &NationalPeriod,
    level: f64,
    verified: bool,
) -> ReturnSnapshot {
    let month_start = period.as_of.with_day(1).unwrap_or(period.as_of);
    let mut items = Vec::new();
    for item in catalog.items() {
        if rng.chance(0.01) {
            continue;
        }
        let recommended: Vec<ChannelCode> = item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
        let mut channels: Vec<ChannelCode> = recommended.iter().copied().filter(|_| rng.chance(0.8)).collect();
        if channels.is_empty() && rng.chance(0.9) {
            channels.push(if rng.chance(0.5) {
                recommended.first().copied().unwrap_or(ChannelCode::A)
            } else {
                ChannelCode::H
            });
        }
        let disclosed = if rng.chance(level) {
            Disclosed::Yes
        } else if rng.chance(0.1) {
            Disclosed::NotApplicable
        } else {
            Disclosed::No
        };
        let formed_on = month_start + Days::new(rng.below(20));
        let delay = if rng.chance(level) { rng.below(6) } else { 10 + rng.below(30) };
        let mut report = ItemReport::disclosed(item.number, channels);
        report.disclosed = disclosed;
        report.formed_on = Some(formed_on);
        report.published_on = (disclosed == Disclosed::Yes).then(|| formed_on + Days::new(delay));
        if rng.chance((1.0 - level) / 2.0) {
            report.elements_missing = vec![1];
        }
        items.push(report);
    }
    let requirements = guide_requirements()
        .into_iter()
        .map(|r| {
            let met = if r.code == codes::PRECISE_PUSH { rng.chance(0.3) } else { rng.chance(level) };
            let fulfilled = if met {
                Disclosed::Yes
            } else if rng.chance(0.05) {
                Disclosed::NotApplicable
            } else {
                Disclosed::No
            };
            RequirementReport {
                code: r.code.clone(),
                fulfilled,
                evidence: None,
                count: r.min_count.map(|_| rng.below(4) as u32),
            }
        })
        .collect();
    ReturnSnapshot {
        office: office.clone(),
        period: period.label.clone(),
        verified_on: verified.then_some(period.as_of),
        items,
        requirements,
    }
}

/// The demo directory with a rollout history: per district the catalog and plan dates (most before 2022-04-30,
/// some late, a few missing), one or two pilots designated in spring 2022, and per office a completion date spread
/// over 2022–2024 at a pace that differs by district (some never complete, a few lose completion and regain it).
pub fn rollout(seed: u64) -> Result<RolloutInput, SyntheticError> {
    let versions = demo::demo_offices().map_err(|p| SyntheticError::Offices(format!("{p:?}")))?;
    let directory = Directory::new(versions);
    let mut rng = Rng::new(seed);
    let start = NaiveDate::from_ymd_opt(2022, 3, 1).unwrap_or_default();
    let mut districts = Vec::new();
    let mut offices = Vec::new();
    // An office that moved is listed under both districts; it has one history.
    let mut seen = std::collections::BTreeSet::new();
    for district in direct_customs()? {
        let mut subordinates: Vec<&OfficeCode> = directory
            .versions()
            .iter()
            .filter(|v| v.kind == OfficeKind::Subordinate && v.parent.as_ref() == Some(&district))
            .map(|v| &v.code)
            .collect();
        subordinates.sort();
        subordinates.dedup();
        let day = |rng: &mut Rng, spread: u64| start + Days::new(rng.below(spread));
        let pilots = subordinates
            .iter()
            .take(1 + rng.below(2) as usize)
            .map(|o| PilotDesignation { office: (*o).clone(), designated_on: day(&mut rng, 90) })
            .collect();
        districts.push(DistrictInput {
            district: district.clone(),
            catalog_published_on: (!rng.chance(0.03)).then(|| day(&mut rng, 75)),
            plan_filed_on: (!rng.chance(0.03)).then(|| day(&mut rng, 80)),
            pilots,
        });
        // Days from 2022-05-01 over which this district's offices complete: 8 months for the fastest, 3 years for
        // the slowest.
        let pace = 240 + rng.below(860);
        for office in subordinates {
            if !seen.insert(office.clone()) || rng.chance(0.05) {
                continue;
            }
            let first = start + Days::new(61 + rng.below(pace));
            let mut changes = vec![(first, true)];
            if rng.chance(0.08) {
                let lost = first + Days::new(30 + rng.below(200));
                changes.push((lost, false));
                changes.push((lost + Days::new(20 + rng.below(120)), true));
            }
            offices.push(OfficeHistory::from_dates(office.clone(), &changes));
        }
    }
    Ok(RolloutInput::new(directory, districts, offices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_set_has_750_offices_in_42_districts_and_12_periods_and_is_the_same_on_every_call() {
        let a = national(7).unwrap();
        assert_eq!(a.offices.len(), OFFICES);
        assert_eq!(a.districts.len(), 42);
        assert_eq!(a.periods.len(), PERIODS);
        assert_eq!(a.returns.len(), OFFICES * PERIODS);
        assert_eq!(a.periods[1].as_of, NaiveDate::from_ymd_opt(2023, 2, 28).unwrap());
        let codes: std::collections::BTreeSet<&OfficeCode> = a.offices.iter().map(|o| &o.code).collect();
        assert_eq!(codes.len(), OFFICES, "office codes are distinct");
        assert!(a.offices.iter().all(|o| o.code.district_prefix() == o.district.district_prefix()));
        let b = national(7).unwrap();
        assert_eq!(a.returns, b.returns);
        assert_ne!(a.returns, national(8).unwrap().returns);
    }

    #[test]
    fn the_rollout_set_covers_every_direct_customs_with_pilots_and_histories() {
        let input = rollout(7).unwrap();
        assert_eq!(input.districts.len(), 42);
        assert!(input.districts.iter().all(|d| !d.pilots.is_empty()));
        assert!(input.offices.len() > 600);
        let report = super::super::evaluate(&input, NaiveDate::from_ymd_opt(2023, 6, 30).unwrap());
        assert_eq!(report.districts.len(), 42);
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        let m4 = &report.national.milestones[3];
        assert_eq!(m4.met_on_time + m4.met_late + m4.missed + m4.no_offices, 42);
        assert!(m4.met_on_time > 0 && m4.missed + m4.met_late > 0, "{m4:?}");
    }
}
