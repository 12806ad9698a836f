//! The working-day calendar (工作日) of the State Council's yearly holiday arrangements.
//!
//! A working day is a Monday–Friday outside the announced holiday periods, or a weekend day announced as a make-up
//! working day (调休上班). The arrangements are data (`data/holidays-cn.toml`, one table per published year with its
//! notice); a date in a year without a published arrangement is an explicit [`CalendarError::UnknownYear`], never a
//! silent Monday–Friday guess.
//!
//! Counting follows 民法典 art. 201: the day of the triggering event does not count, so "N working days after d" is
//! the N-th working day strictly after d.

#[cfg(feature = "engine")]
mod data;
#[cfg(feature = "engine")]
pub use data::{
    arrangement_from_lines, check_arrangement, parse_arrangements, parse_calendar, CalendarDataError, HOLIDAYS_TOML,
};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One announced holiday period (days off, weekends inside it included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayPeriod {
    pub name: String,
    pub from: NaiveDate,
    /// Last day off (inclusive).
    pub to: NaiveDate,
}

/// The arrangement of one year, as its notice announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearArrangement {
    pub year: i32,
    /// The notice, e.g. `国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）`.
    pub notice: String,
    pub holidays: Vec<HolidayPeriod>,
    /// Weekend days announced as working days.
    pub make_up_days: Vec<NaiveDate>,
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday–Friday outside any holiday period.
    Weekday,
    /// Saturday or Sunday outside any announced arrangement.
    Weekend,
    /// A day off in an announced holiday period.
    Holiday,
    /// A weekend day announced as a working day (调休上班).
    MakeUpWorkday,
}

/// One day of the calendar, with the notice that decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working_day: bool,
    pub kind: DayKind,
    /// The holiday period the day belongs to or makes up for, e.g. `国庆节`.
    pub holiday: Option<String>,
    /// The notice of the year's arrangement.
    pub notice: String,
}

/// A date the calendar cannot judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    /// No arrangement is known for this year (its notice is not published or not entered yet).
    UnknownYear(i32),
    /// The count would run past the last known year.
    BeyondKnownYears { start: NaiveDate, days: u32 },
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::UnknownYear(year) => {
                write!(f, "{year}年的节假日安排尚未录入，无法计算工作日（待国务院办公厅通知发布后由管理员导入）")
            }
            CalendarError::BeyondKnownYears { start, days } => write!(
                f,
                "自{}起{}个工作日超出了已录入节假日安排的年份，无法计算",
                crate::calendar::written(*start),
                days
            ),
        }
    }
}

impl std::error::Error for CalendarError {}

/// A date as officials write it (2022年8月31日).
pub fn written(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The working-day calendar over the years whose arrangements are known.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearArrangement>,
    days_off: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar of the given arrangements; a later arrangement for the same year replaces the earlier one.
    pub fn new(arrangements: impl IntoIterator<Item = YearArrangement>) -> Self {
        let mut calendar = WorkingCalendar::default();
        for arrangement in arrangements {
            calendar.add_year(arrangement);
        }
        calendar
    }

    /// Adds (or replaces) the arrangement of a year, e.g. when a new notice is published.
    pub fn add_year(&mut self, arrangement: YearArrangement) {
        self.years.insert(arrangement.year, arrangement);
        self.days_off = self
            .years
            .values()
            .flat_map(|y| y.holidays.iter())
            .flat_map(|p| p.from.iter_days().take_while(move |d| *d <= p.to))
            .collect();
        self.make_up_days = self.years.values().flat_map(|y| y.make_up_days.iter().copied()).collect();
    }

    /// The years with a known arrangement.
    pub fn known_years(&self) -> impl Iterator<Item = &YearArrangement> {
        self.years.values()
    }

    fn check_year(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains_key(&date.year()) {
            Ok(())
        } else {
            Err(CalendarError::UnknownYear(date.year()))
        }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_year(date)?;
        if self.make_up_days.contains(&date) {
            return Ok(true);
        }
        if self.days_off.contains(&date) {
            return Ok(false);
        }
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// Everything the calendar knows about one day.
    pub fn day_info(&self, date: NaiveDate) -> Result<DayInfo, CalendarError> {
        let working_day = self.is_working_day(date)?;
        let arrangement = self.years.get(&date.year()).ok_or(CalendarError::UnknownYear(date.year()))?;
        let in_period = self
            .years
            .values()
            .flat_map(|y| y.holidays.iter())
            .find(|p| p.from <= date && date <= p.to)
            .map(|p| p.name.clone());
        let kind = if self.make_up_days.contains(&date) {
            DayKind::MakeUpWorkday
        } else if in_period.is_some() {
            DayKind::Holiday
        } else if working_day {
            DayKind::Weekday
        } else {
            DayKind::Weekend
        };
        // A make-up day belongs to the nearest holiday period of its year.
        let holiday = match kind {
            DayKind::MakeUpWorkday => arrangement
                .holidays
                .iter()
                .min_by_key(|p| (p.from - date).num_days().abs().min((p.to - date).num_days().abs()))
                .map(|p| p.name.clone()),
            _ => in_period,
        };
        Ok(DayInfo { date, working_day, kind, holiday, notice: arrangement.notice.clone() })
    }

    /// The `days`-th working day after `start` (the day of `start` does not count). `days = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
        self.check_year(start)?;
        let mut date = start;
        let mut left = days;
        while left > 0 {
            date = date.succ_opt().ok_or(CalendarError::BeyondKnownYears { start, days })?;
            match self.is_working_day(date) {
                Ok(true) => left -= 1,
                Ok(false) => {}
                Err(CalendarError::UnknownYear(_)) => return Err(CalendarError::BeyondKnownYears { start, days }),
                Err(e) => return Err(e),
            }
        }
        Ok(date)
    }

    /// Number of working days in `(from, to]`: the days after `from` up to and including `to`; 0 when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Number of working days in a calendar year.
    pub fn working_days_in_year(&self, year: i32) -> Result<u32, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::UnknownYear(year))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(CalendarError::UnknownYear(year))?;
        let day_before = first.pred_opt().ok_or(CalendarError::UnknownYear(year))?;
        self.check_year(first)?;
        self.working_days_between(day_before, last)
    }
}
