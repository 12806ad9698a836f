//! The reporting period of a return (报送期间): a calendar quarter.
//!
//! Rules: the canonical text is `2022Q3` (what [`ReturnSnapshot::period`](super::ReturnSnapshot::period) stores
//! and the template's `_meta` sheet carries); [`Period::name_zh`] and `Display` show `2022年第三季度`.
//! [`Period::parse`] accepts `2022Q3`, `2022q3`, `2022-Q3`, `2022 Q3`, `2022年第3季度`, `2022年第三季度`,
//! `2022年3季度` with full-width characters and stray spaces.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    quarter: u8,
}

/// Text that is no quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub raw: String,
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "无法识别报送期间“{}”，应写成 2022Q3 或 2022年第三季度", self.raw.trim())
    }
}

impl std::error::Error for PeriodError {}

const QUARTER_ZH: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// A quarter (1–4) of a year (1900–9999).
    pub fn new(year: i32, quarter: u8) -> Option<Self> {
        ((1900..=9999).contains(&year) && (1..=4).contains(&quarter)).then_some(Period { year, quarter })
    }

    /// The quarter holding a date.
    pub fn containing(date: NaiveDate) -> Self {
        Period { year: date.year(), quarter: ((date.month() - 1) / 3 + 1) as u8 }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// Parses the forms listed in the module docs.
    pub fn parse(raw: &str) -> Result<Self, PeriodError> {
        let err = || PeriodError { raw: raw.to_string() };
        let text: String = crate_halfwidth(raw).chars().filter(|c| !c.is_whitespace()).collect();
        let upper = text.to_uppercase();
        let (year, rest) = upper.split_at(upper.char_indices().take_while(|(_, c)| c.is_ascii_digit()).count());
        if year.len() != 4 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let quarter_text = if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix("-Q")) {
            q.to_string()
        } else if let Some(after) = rest.strip_prefix('年') {
            let after = after.strip_prefix('第').unwrap_or(after);
            after.strip_suffix("季度").ok_or_else(err)?.to_string()
        } else {
            return Err(err());
        };
        let quarter = match quarter_text.as_str() {
            "1" | "一" => 1,
            "2" | "二" => 2,
            "3" | "三" => 3,
            "4" | "四" => 4,
            _ => return Err(err()),
        };
        Period::new(year, quarter).ok_or_else(err)
    }

    /// The canonical text, `2022Q3`.
    pub fn code(self) -> String {
        format!("{}Q{}", self.year, self.quarter)
    }

    /// The Chinese name, `2022年第三季度`.
    pub fn name_zh(self) -> String {
        format!("{}年第{}季度", self.year, QUARTER_ZH[usize::from(self.quarter - 1)])
    }

    /// The first day of the quarter.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.quarter) * 3 - 2, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the quarter.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// The following quarter.
    pub fn next(self) -> Self {
        if self.quarter == 4 {
            Period { year: self.year + 1, quarter: 1 }
        } else {
            Period { year: self.year, quarter: self.quarter + 1 }
        }
    }

    /// Every quarter from `from` to `to`, both included; empty when `to` is before `from`.
    pub fn all_between(from: Period, to: Period) -> Vec<Period> {
        let mut out = Vec::new();
        let mut current = from;
        while current <= to {
            out.push(current);
            current = current.next();
        }
        out
    }
}

fn crate_halfwidth(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

impl fmt::Display for Period {
    /// `2022年第三季度`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name_zh())
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Period::parse(&value)
    }
}

impl From<Period> for String {
    fn from(period: Period) -> String {
        period.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_accepted_spelling_names_the_same_quarter() {
        let q3 = Period::new(2022, 3).unwrap();
        for text in [
            "2022Q3",
            "2022q3",
            " 2022-Q3 ",
            "2022 Q3",
            "2022年第3季度",
            "2022年第三季度",
            "２０２２年第３季度",
            "2022年3季度",
        ] {
            assert_eq!(Period::parse(text), Ok(q3), "{text}");
        }
        for text in ["2022Q5", "2022", "22Q3", "2022年第五季度", "2022-H2", "Q3 2022", ""] {
            assert!(Period::parse(text).is_err(), "{text}");
        }
        assert_eq!(
            Period::parse("2022Q9").unwrap_err().to_string(),
            "无法识别报送期间“2022Q9”，应写成 2022Q3 或 2022年第三季度"
        );
    }

    #[test]
    fn a_quarter_shows_in_chinese_and_stores_canonically() {
        let q = Period::new(2022, 3).unwrap();
        assert_eq!(q.code(), "2022Q3");
        assert_eq!(q.to_string(), "2022年第三季度");
        assert_eq!(serde_json::to_string(&q).unwrap(), "\"2022Q3\"");
    }

    #[test]
    fn a_quarter_spans_its_three_months() {
        let q = Period::new(2022, 4).unwrap();
        assert_eq!((q.first_day(), q.last_day()), (d(2022, 10, 1), d(2022, 12, 31)));
        let q1 = Period::new(2024, 1).unwrap();
        assert_eq!((q1.first_day(), q1.last_day()), (d(2024, 1, 1), d(2024, 3, 31)));
        assert_eq!(Period::containing(d(2024, 3, 31)), q1);
        let all = Period::all_between(Period::new(2022, 3).unwrap(), Period::new(2023, 2).unwrap());
        assert_eq!(all.iter().map(|p| p.code()).collect::<Vec<_>>(), ["2022Q3", "2022Q4", "2023Q1", "2023Q2"]);
        assert!(Period::all_between(q1, q).is_empty());
    }
}
