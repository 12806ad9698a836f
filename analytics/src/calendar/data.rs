//! The bundled holiday arrangements and their parser, which checks a year's table before it is used.

use serde::Deserialize;

use super::{HolidayPeriod, WorkingCalendar, YearArrangement};
use chrono::{Datelike, NaiveDate, Weekday};

/// The arrangements 2021–2026, compiled into the program.
pub const HOLIDAYS_TOML: &str = include_str!("../../data/holidays-cn.toml");

/// A mistake in a holiday-arrangement table, named by year and entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDataError {
    #[error("节假日安排文件格式错误（TOML）：{0}")]
    Syntax(String),
    #[error("{year}年：{message}")]
    Invalid { year: i32, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    years: Vec<YearShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearShape {
    year: i32,
    notice: String,
    holidays: Vec<PeriodShape>,
    make_up_days: Vec<toml::value::Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodShape {
    name: String,
    from: toml::value::Datetime,
    to: toml::value::Datetime,
}

fn date(year: i32, value: &toml::value::Datetime) -> Result<NaiveDate, CalendarDataError> {
    let invalid =
        || CalendarDataError::Invalid { year, message: format!("“{value}”不是日期（应写成 2024-10-01）") };
    match (value.date, value.time) {
        (Some(d), None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day)).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

/// Parses and checks holiday arrangements: each year once; periods ordered, within a day of their year; make-up
/// days are weekend days outside every period.
pub fn parse_calendar(text: &str) -> Result<WorkingCalendar, CalendarDataError> {
    let file: FileShape = toml::from_str(text).map_err(|e| CalendarDataError::Syntax(e.to_string()))?;
    let mut arrangements = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for y in file.years {
        let year = y.year;
        let invalid = |message: String| CalendarDataError::Invalid { year, message };
        if !seen.insert(year) {
            return Err(invalid("重复录入".into()));
        }
        if y.notice.trim().is_empty() {
            return Err(invalid("缺少通知名称和文号".into()));
        }
        let mut holidays = Vec::new();
        for p in &y.holidays {
            let (from, to) = (date(year, &p.from)?, date(year, &p.to)?);
            if to < from {
                return Err(invalid(format!("{}的结束日期早于开始日期", p.name)));
            }
            // A period may start in the previous December (元旦 2023 began on 2022-12-31).
            if !(from.year() == year || from.year() == year - 1) || to.year() != year {
                return Err(invalid(format!("{}（{from} 至 {to}）不在本年度", p.name)));
            }
            holidays.push(HolidayPeriod { name: p.name.clone(), from, to });
        }
        let mut make_up_days = Vec::new();
        for raw in &y.make_up_days {
            let d = date(year, raw)?;
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(invalid(format!("调休上班日 {d} 不是周末")));
            }
            if holidays.iter().any(|p| p.from <= d && d <= p.to) {
                return Err(invalid(format!("调休上班日 {d} 落在放假期间内")));
            }
            make_up_days.push(d);
        }
        arrangements.push(YearArrangement { year, notice: y.notice, holidays, make_up_days });
    }
    Ok(WorkingCalendar::new(arrangements))
}

impl WorkingCalendar {
    /// The calendar of the bundled arrangements (2021–2026).
    pub fn bundled() -> Result<WorkingCalendar, CalendarDataError> {
        parse_calendar(HOLIDAYS_TOML)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarError;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::bundled().expect("the bundled arrangements are valid")
    }

    #[test]
    fn each_year_has_the_number_of_working_days_its_notice_implies() {
        let c = calendar();
        for (year, expected) in [(2021, 250), (2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248)] {
            assert_eq!(c.working_days_in_year(year), Ok(expected), "{year}");
        }
    }

    #[test]
    fn the_worked_examples_land_on_the_right_day_and_the_trigger_day_does_not_count() {
        let c = calendar();
        assert_eq!(c.add_working_days(d("2024-09-30"), 20), Ok(d("2024-11-01")));
        // 2024-10-12 is a Saturday make-up working day.
        assert_eq!(c.add_working_days(d("2024-09-27"), 7), Ok(d("2024-10-12")));
        assert_eq!(c.add_working_days(d("2022-01-28"), 3), Ok(d("2022-02-07")));
        assert_eq!(c.add_working_days(d("2021-12-30"), 20), Ok(d("2022-01-28")));
        assert_eq!(c.add_working_days(d("2022-01-28"), 0), Ok(d("2022-01-28")));
    }

    #[test]
    fn make_up_weekends_work_and_weekday_holidays_do_not() {
        let c = calendar();
        assert_eq!(c.is_working_day(d("2024-10-12")), Ok(true), "Saturday make-up day");
        assert_eq!(c.is_working_day(d("2024-10-07")), Ok(false), "Monday in the National Day holiday");
        assert_eq!(c.is_working_day(d("2024-10-19")), Ok(false), "an ordinary Saturday");
        assert_eq!(c.is_working_day(d("2024-10-08")), Ok(true), "an ordinary Tuesday");
        assert_eq!(c.is_working_day(d("2023-01-02")), Ok(false), "元旦 2023 observed on Monday");
    }

    #[test]
    fn counting_between_two_dates_excludes_the_first_and_includes_the_last() {
        let c = calendar();
        assert_eq!(c.working_days_between(d("2024-09-30"), d("2024-11-01")), Ok(20));
        assert_eq!(c.working_days_between(d("2024-11-01"), d("2024-09-30")), Ok(0));
        for (start, n) in [("2021-03-01", 250), ("2023-12-29", 15), ("2025-01-20", 40)] {
            let end = c.add_working_days(d(start), n).unwrap();
            assert_eq!(c.working_days_between(d(start), end), Ok(n), "{start} + {n}");
        }
    }

    #[test]
    fn a_year_without_a_published_arrangement_is_an_explicit_error_never_a_guess() {
        let c = calendar();
        assert_eq!(c.is_working_day(d("2027-03-01")), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(c.is_working_day(d("2020-06-01")), Err(CalendarError::UnknownYear(2020)));
        assert!(matches!(c.add_working_days(d("2026-12-20"), 20), Err(CalendarError::BeyondKnownYears { .. })));
        let message = CalendarError::UnknownYear(2027).to_string();
        assert!(message.contains("2027年的节假日安排尚未录入"), "{message}");
    }

    #[test]
    fn a_day_says_why_it_is_or_is_not_a_working_day_and_which_notice_decides() {
        use crate::calendar::DayKind;
        let c = calendar();
        let makeup = c.day_info(d("2024-10-12")).unwrap();
        assert!(makeup.working_day);
        assert_eq!(makeup.kind, DayKind::MakeUpWorkday);
        assert_eq!(makeup.holiday.as_deref(), Some("国庆节"));
        assert!(makeup.notice.contains("国办发明电〔2023〕7号"), "{}", makeup.notice);
        let off = c.day_info(d("2025-01-29")).unwrap();
        assert_eq!((off.working_day, off.kind, off.holiday.as_deref()), (false, DayKind::Holiday, Some("春节")));
        assert_eq!(c.day_info(d("2025-03-08")).unwrap().kind, DayKind::Weekend);
        assert_eq!(c.day_info(d("2025-03-10")).unwrap().kind, DayKind::Weekday);
        assert_eq!(c.day_info(d("2027-01-04")), Err(CalendarError::UnknownYear(2027)));
    }

    #[test]
    fn adding_a_newly_published_year_extends_the_calendar() {
        let mut c = calendar();
        c.add_year(YearArrangement {
            year: 2027,
            notice: "测试用安排".into(),
            holidays: vec![HolidayPeriod { name: "元旦".into(), from: d("2027-01-01"), to: d("2027-01-03") }],
            make_up_days: vec![],
        });
        assert_eq!(c.is_working_day(d("2027-01-01")), Ok(false));
        assert_eq!(c.is_working_day(d("2027-01-04")), Ok(true));
        assert_eq!(c.add_working_days(d("2026-12-31"), 1), Ok(d("2027-01-04")));
    }

    #[test]
    fn a_table_with_a_weekday_make_up_day_or_a_repeated_year_is_refused_with_the_year_named() {
        let weekday = "[[years]]\nyear = 2024\nnotice = \"x\"\nholidays = []\nmake_up_days = [2024-10-08]\n";
        let err = parse_calendar(weekday).unwrap_err();
        assert_eq!(err.to_string(), "2024年：调休上班日 2024-10-08 不是周末");
        let twice = format!("{0}\n{0}", "[[years]]\nyear = 2024\nnotice = \"x\"\nholidays = []\nmake_up_days = []\n");
        assert_eq!(parse_calendar(&twice).unwrap_err().to_string(), "2024年：重复录入");
        let inside = "[[years]]\nyear = 2024\nnotice = \"x\"\nholidays = [{ name = \"国庆节\", from = 2024-10-01, to = 2024-10-07 }]\nmake_up_days = [2024-10-05]\n";
        assert!(parse_calendar(inside).unwrap_err().to_string().contains("落在放假期间内"));
        assert!(matches!(parse_calendar("years = 3"), Err(CalendarDataError::Syntax(_))));
    }

    #[test]
    fn every_day_of_2021_to_2026_is_judged_and_weekdays_off_equal_the_announced_periods() {
        let c = calendar();
        let mut day = d("2021-01-01");
        let mut weekday_holidays = 0;
        let mut weekend_work = 0;
        while day <= d("2026-12-31") {
            let working = c.is_working_day(day).expect("every day of 2021–2026 is known");
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && !working {
                weekday_holidays += 1;
            }
            if weekend && working {
                weekend_work += 1;
            }
            day = day.succ_opt().unwrap();
        }
        // Weekdays off: 18 + 18 + 18 + 19 + 18 + 19; weekend working days: 7 + 7 + 7 + 8 + 5 + 6.
        assert_eq!(weekday_holidays, 110);
        assert_eq!(weekend_work, 40);
    }
}
