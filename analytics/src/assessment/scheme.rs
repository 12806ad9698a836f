//! Scoring schemes (考核评分方案) as versioned data, and their validation.
//!
//! A [`Scheme`] is what headquarters configures: indicators with a weight (points) and a per-defect deduction
//! capped at the weight, bonuses with an overall cap, vetoes (一票否决) and grade bands. A change of scheme is a new
//! scheme with a new `code` and `valid_from`; an [`super::Assessment`] records the code it was computed with.
//!
//! [`validate_scheme`] checks that weights are positive and sum to 100, deductions are positive, bands cover 0–100
//! without gaps or overlaps, and every code is known; its errors ([`SchemeError`]) are in Chinese so that the
//! administrator who edited the file can act on them. With the `engine` feature the bundled default
//! (`data/scheme-default.toml`, [`SCHEME_DEFAULT_TOML`]) is loaded by [`default_scheme`]; [`parse_scheme`] reads any
//! file of the same layout (dates as quoted `"YYYY-MM-DD"` strings).

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::completion::CompletionDefinition;
use crate::clocks::ClockSettings;
use crate::returns::guide_requirement;

/// The scale every scheme uses: indicator weights sum to this, and scores are clamped to `0..=MAX_POINTS`.
pub const MAX_POINTS: f64 = 100.0;

/// One version of a scoring scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Stable version code, e.g. `default-2022`.
    pub code: String,
    pub title: String,
    /// First day the scheme applies to.
    pub valid_from: NaiveDate,
    /// Indicators; their weights sum to 100.
    pub indicators: Vec<Indicator>,
    /// The most bonus points an office can earn in total.
    #[serde(default)]
    pub bonus_cap: f64,
    #[serde(default)]
    pub bonuses: Vec<Bonus>,
    #[serde(default)]
    pub vetoes: Vec<Veto>,
    /// The grade a veto forces; must be one of the bands' grades.
    pub veto_grade: String,
    /// Grade bands, from the lowest: `[min, max)`, the top band including 100.
    pub bands: Vec<GradeBand>,
    /// What counts as benchmark completion (对标完成) under this version (`[completion]`; default when left out).
    #[serde(default)]
    pub completion: CompletionDefinition,
    /// The clocks' settings under this version, e.g. the "as needed" staleness window (`[clocks]`).
    #[serde(default)]
    pub clocks: ClockSettings,
}

/// The longest "as needed" staleness window a scheme may set: ten years.
pub const MAX_STALENESS_DAYS: u32 = 3650;

/// One indicator (指标): full points at the start, minus a deduction per defect, never below zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable code, e.g. `on_time`; named in every [`super::ScoreLine`] it produces.
    pub code: String,
    pub title_zh: String,
    pub kind: IndicatorKind,
    /// Points; also the cap of the deductions.
    pub weight: f64,
    /// Points deducted per defect.
    pub deduction: f64,
    /// For `requirement_met`: the requirement codes it scores (see [`crate::returns::guide_requirements`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
}

/// What an indicator counts as a defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// Per scored item (or element with its own time limit): not reported 是.
    Disclosed,
    /// Per scored item: no channel used (备注3: at least one channel per item).
    ChannelUsed,
    /// Per scored item: none of the catalog's recommended (■) channels used.
    RecommendedChannelUsed,
    /// Per scored item: late, overdue, stale or missing the date its clock needs; items whose deadline is set by
    /// another rule are excluded, not failed.
    OnTime,
    /// Per element the office owns: reported as not published.
    ElementsComplete,
    /// Per listed requirement: not reported 是 (or a count below the guide's minimum).
    RequirementMet,
}

/// A bonus (加分项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bonus {
    pub code: String,
    pub title_zh: String,
    pub kind: BonusKind,
    /// The requirement the bonus reads.
    pub requirement: String,
    /// For `requirement_met`: the points; for `count_above_minimum`: points per count above the minimum.
    pub points: f64,
    /// The most this bonus gives (defaults to `points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BonusKind {
    /// The requirement is reported 是 (for an encouraged requirement such as 精准推送).
    RequirementMet,
    /// Per count reported above the requirement's `min_count` (e.g. more exchange activities than the minimum).
    CountAboveMinimum,
}

/// A veto (一票否决): when it applies, the grade is the scheme's `veto_grade` whatever the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    pub code: String,
    pub title_zh: String,
    pub kind: VetoKind,
    pub item: u32,
    /// The element, where the item's elements have their own reports (item 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoKind {
    /// The item (element) is reported 否, 不适用 against the district catalog, or not reported.
    NotDisclosed,
    /// The item (element) is not published and its due date has passed (clock verdict `Overdue`).
    Overdue,
}

/// A grade band `[min, max)`; the top band includes `max` = 100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub grade: String,
    pub min: f64,
    pub max: f64,
}

/// A grade band as officials read it: the lowest band by its upper bound (不合格（60分以下）), the others by their
/// lower bound (良好（80分及以上）). `next_min` is the lower bound of the band above, `None` for the top band.
pub fn band_label(grade: &str, min: f64, next_min: Option<f64>) -> String {
    let pts = |v: f64| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") };
    match next_min {
        Some(next) if min <= 0.0 => format!("{grade}（{}分以下）", pts(next)),
        _ => format!("{grade}（{}分及以上）", pts(min)),
    }
}

impl Scheme {
    /// The grade of a score (already clamped to 0–100).
    pub fn grade_for(&self, score: f64) -> Option<&str> {
        let top = self.bands.iter().map(|b| b.max).fold(f64::MIN, f64::max);
        self.bands
            .iter()
            .find(|b| score >= b.min && (score < b.max || (b.max == top && score <= b.max)))
            .map(|b| b.grade.as_str())
    }
}

/// Why a scheme is refused, in Chinese.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemeError {
    /// The file is not TOML or has a wrong key.
    Toml(String),
    /// A header field is empty.
    Header { field: &'static str },
    /// The weights do not sum to 100.
    WeightSum { sum: f64 },
    /// An indicator's weight is not positive.
    Weight { code: String, weight: f64 },
    /// An indicator's deduction is not positive.
    Deduction { code: String, deduction: f64 },
    /// Two indicators, bonuses or vetoes share a code.
    DuplicateCode { code: String },
    /// A `requirement_met` indicator lists no requirement, or a non-requirement indicator lists some.
    IndicatorRequirements { code: String },
    /// A requirement code the guide does not have.
    UnknownRequirement { code: String, requirement: String },
    /// A bonus's points or the bonus cap is not positive / negative.
    BonusPoints { code: String },
    /// A count bonus reads a requirement without a minimum count.
    BonusWithoutMinimum { code: String, requirement: String },
    /// No bands.
    NoBands,
    /// The lowest band does not start at 0.
    BandsStart { min: f64 },
    /// The highest band does not end at 100.
    BandsEnd { max: f64 },
    /// A band is empty or reversed.
    BandEmpty { grade: String },
    /// A gap or overlap between two consecutive bands.
    BandsGap { lower: String, upper: String, lower_max: f64, upper_min: f64 },
    /// Two bands share a grade.
    DuplicateGrade { grade: String },
    /// The veto grade is not a band.
    UnknownVetoGrade { grade: String },
    /// The "as needed" staleness window is not between 1 and [`MAX_STALENESS_DAYS`] days.
    Staleness { days: u32 },
    /// The completion definition requires neither disclosure nor the guide's requirements: anything would count.
    CompletionEmpty,
}

/// A number as officials write points: `2`, `0.5`.
pub(crate) fn pts(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        let text = format!("{rounded:.2}");
        text.trim_end_matches('0').to_string()
    }
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemeError::Toml(e) => write!(f, "评分方案文件格式错误（TOML）：{e}"),
            SchemeError::Header { field } => write!(f, "评分方案 {field}：不能为空"),
            SchemeError::WeightSum { sum } => {
                write!(f, "评分方案 指标权重：各指标分值合计应为100分，实际为{}分", pts(*sum))
            }
            SchemeError::Weight { code, weight } => write!(f, "指标 {code}：分值应大于0，实际为{}", pts(*weight)),
            SchemeError::Deduction { code, deduction } => {
                write!(f, "指标 {code}：每处扣分应大于0，实际为{}", pts(*deduction))
            }
            SchemeError::DuplicateCode { code } => {
                write!(f, "评分方案 编码：{code} 重复，指标、加分项、否决项编码须唯一")
            }
            SchemeError::IndicatorRequirements { code } => {
                write!(f, "指标 {code}：“基本要求落实”类指标须列出所考核的基本要求，其他类指标不得列出基本要求")
            }
            SchemeError::UnknownRequirement { code, requirement } => {
                write!(f, "{code}：《指引》基本要求中没有 {requirement}")
            }
            SchemeError::BonusPoints { code } => write!(f, "加分项 {code}：加分应大于0，上限不得为负"),
            SchemeError::BonusWithoutMinimum { code, requirement } => {
                write!(f, "加分项 {code}：基本要求 {requirement} 没有最低次数，不能按超出次数加分")
            }
            SchemeError::NoBands => write!(f, "评分方案 等次：至少应设置一个等次"),
            SchemeError::BandsStart { min } => write!(f, "评分方案 等次：最低等次应从0分起，实际从{}分起", pts(*min)),
            SchemeError::BandsEnd { max } => write!(f, "评分方案 等次：最高等次应至100分止，实际至{}分止", pts(*max)),
            SchemeError::BandEmpty { grade } => write!(f, "等次 {grade}：分数下限应小于上限"),
            SchemeError::BandsGap { lower, upper, lower_max, upper_min } => write!(
                f,
                "评分方案 等次：{lower}（至{}分）与{upper}（自{}分）之间有空档或重叠，相邻等次须首尾相接",
                pts(*lower_max),
                pts(*upper_min)
            ),
            SchemeError::DuplicateGrade { grade } => write!(f, "评分方案 等次：{grade} 重复"),
            SchemeError::UnknownVetoGrade { grade } => {
                write!(f, "评分方案 否决等次：{grade} 不是已设置的等次")
            }
            SchemeError::Staleness { days } => write!(
                f,
                "评分方案 [clocks] staleness_days：“根据需要”类事项的更新期限应为1至{MAX_STALENESS_DAYS}个自然日，实际为{days}"
            ),
            SchemeError::CompletionEmpty => write!(
                f,
                "评分方案 [completion]：对标完成标准至少应要求“事项均已公开”（require_disclosed）或“必备要求均已落实”（require_mandatory_requirements）之一"
            ),
        }
    }
}

impl std::error::Error for SchemeError {}

/// Checks a scheme; the first problem found is returned.
pub fn validate_scheme(scheme: &Scheme) -> Result<(), SchemeError> {
    if scheme.code.trim().is_empty() {
        return Err(SchemeError::Header { field: "编码（code）" });
    }
    if scheme.title.trim().is_empty() {
        return Err(SchemeError::Header { field: "名称（title）" });
    }
    let mut codes = BTreeSet::new();
    let mut unique = |code: &str| {
        if codes.insert(code.to_string()) {
            Ok(())
        } else {
            Err(SchemeError::DuplicateCode { code: code.to_string() })
        }
    };
    for indicator in &scheme.indicators {
        unique(&indicator.code)?;
        if indicator.weight.is_nan() || indicator.weight <= 0.0 {
            return Err(SchemeError::Weight { code: indicator.code.clone(), weight: indicator.weight });
        }
        if indicator.deduction.is_nan() || indicator.deduction <= 0.0 {
            return Err(SchemeError::Deduction { code: indicator.code.clone(), deduction: indicator.deduction });
        }
        let is_requirements = indicator.kind == IndicatorKind::RequirementMet;
        if is_requirements == indicator.requirements.is_empty() {
            return Err(SchemeError::IndicatorRequirements { code: indicator.code.clone() });
        }
        for requirement in &indicator.requirements {
            if guide_requirement(requirement).is_none() {
                return Err(SchemeError::UnknownRequirement {
                    code: indicator.code.clone(),
                    requirement: requirement.clone(),
                });
            }
        }
    }
    let sum: f64 = scheme.indicators.iter().map(|i| i.weight).sum();
    if (sum - MAX_POINTS).abs() > 1e-9 {
        return Err(SchemeError::WeightSum { sum });
    }
    if scheme.bonus_cap.is_nan() || scheme.bonus_cap < 0.0 {
        return Err(SchemeError::BonusPoints { code: "bonus_cap".into() });
    }
    for bonus in &scheme.bonuses {
        unique(&bonus.code)?;
        if bonus.points.is_nan() || bonus.points <= 0.0 || bonus.max.is_some_and(|m| m.is_nan() || m <= 0.0) {
            return Err(SchemeError::BonusPoints { code: bonus.code.clone() });
        }
        let Some(requirement) = guide_requirement(&bonus.requirement) else {
            return Err(SchemeError::UnknownRequirement {
                code: bonus.code.clone(),
                requirement: bonus.requirement.clone(),
            });
        };
        if bonus.kind == BonusKind::CountAboveMinimum && requirement.min_count.is_none() {
            return Err(SchemeError::BonusWithoutMinimum {
                code: bonus.code.clone(),
                requirement: bonus.requirement.clone(),
            });
        }
    }
    for veto in &scheme.vetoes {
        unique(&veto.code)?;
    }
    validate_bands(&scheme.bands)?;
    if !scheme.bands.iter().any(|b| b.grade == scheme.veto_grade) {
        return Err(SchemeError::UnknownVetoGrade { grade: scheme.veto_grade.clone() });
    }
    let days = scheme.clocks.staleness_days;
    if days == 0 || days > MAX_STALENESS_DAYS {
        return Err(SchemeError::Staleness { days });
    }
    let c = &scheme.completion;
    if !c.require_disclosed && !c.require_mandatory_requirements {
        return Err(SchemeError::CompletionEmpty);
    }
    Ok(())
}

fn validate_bands(bands: &[GradeBand]) -> Result<(), SchemeError> {
    let mut sorted: Vec<&GradeBand> = bands.iter().collect();
    sorted.sort_by(|a, b| a.min.total_cmp(&b.min));
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return Err(SchemeError::NoBands);
    };
    if first.min != 0.0 {
        return Err(SchemeError::BandsStart { min: first.min });
    }
    if last.max != MAX_POINTS {
        return Err(SchemeError::BandsEnd { max: last.max });
    }
    let mut grades = BTreeSet::new();
    for band in &sorted {
        if band.min.is_nan() || band.max.is_nan() || band.min >= band.max {
            return Err(SchemeError::BandEmpty { grade: band.grade.clone() });
        }
        if !grades.insert(band.grade.as_str()) {
            return Err(SchemeError::DuplicateGrade { grade: band.grade.clone() });
        }
    }
    for pair in sorted.windows(2) {
        if let [lower, upper] = pair {
            if lower.max != upper.min {
                return Err(SchemeError::BandsGap {
                    lower: lower.grade.clone(),
                    upper: upper.grade.clone(),
                    lower_max: lower.max,
                    upper_min: upper.min,
                });
            }
        }
    }
    Ok(())
}

/// The bundled default scheme file, compiled into the program.
#[cfg(feature = "engine")]
pub const SCHEME_DEFAULT_TOML: &str = include_str!("../../data/scheme-default.toml");

/// Loads and checks the bundled default scheme.
#[cfg(feature = "engine")]
pub fn default_scheme() -> Result<Scheme, SchemeError> {
    parse_scheme(SCHEME_DEFAULT_TOML)
}

/// Parses a scheme file in the layout of `scheme-default.toml` and validates it.
#[cfg(feature = "engine")]
pub fn parse_scheme(toml_text: &str) -> Result<Scheme, SchemeError> {
    let scheme: Scheme = toml::from_str(toml_text).map_err(|e| SchemeError::Toml(e.to_string()))?;
    validate_scheme(&scheme)?;
    Ok(scheme)
}
