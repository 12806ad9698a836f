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
    Ok(WorkingCalendar::new(parse_arrangements(text)?))
}

/// The arrangements of a file in the layout of `holidays-cn.toml`, each checked ([`check_arrangement`]).
pub fn parse_arrangements(text: &str) -> Result<Vec<YearArrangement>, CalendarDataError> {
    let file: FileShape = toml::from_str(text).map_err(|e| CalendarDataError::Syntax(e.to_string()))?;
    let mut arrangements = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for y in file.years {
        let year = y.year;
        if !seen.insert(year) {
            return Err(CalendarDataError::Invalid { year, message: "重复录入".into() });
        }
        let mut holidays = Vec::new();
        for p in &y.holidays {
            holidays.push(HolidayPeriod { name: p.name.clone(), from: date(year, &p.from)?, to: date(year, &p.to)? });
        }
        let make_up_days = y.make_up_days.iter().map(|raw| date(year, raw)).collect::<Result<Vec<_>, _>>()?;
        arrangements.push(check_arrangement(YearArrangement { year, notice: y.notice, holidays, make_up_days })?);
    }
    Ok(arrangements)
}

/// Checks one year's arrangement: a notice named; a year between 2000 and 2100; every period named, not reversed,
/// ending in its year (starting in it or the December before: 元旦 2023 began on 2022-12-31), no two overlapping;
/// make-up days are weekend days of the year outside every period, each once. Returns it with the periods and
/// make-up days in date order and names trimmed.
pub fn check_arrangement(mut arrangement: YearArrangement) -> Result<YearArrangement, CalendarDataError> {
    let year = arrangement.year;
    let invalid = |message: String| CalendarDataError::Invalid { year, message };
    if !(2000..=2100).contains(&year) {
        return Err(invalid("年份应在2000年至2100年之间".into()));
    }
    arrangement.notice = arrangement.notice.trim().to_string();
    if arrangement.notice.is_empty() {
        return Err(invalid("缺少通知名称和文号".into()));
    }
    for p in &mut arrangement.holidays {
        p.name = p.name.trim().to_string();
        let (from, to) = (p.from, p.to);
        if p.name.is_empty() {
            return Err(invalid(format!("{from} 至 {to} 的放假期间缺少节日名称")));
        }
        if to < from {
            return Err(invalid(format!("{}的结束日期早于开始日期", p.name)));
        }
        if !(from.year() == year || from.year() == year - 1) || to.year() != year {
            return Err(invalid(format!("{}（{from} 至 {to}）不在本年度", p.name)));
        }
    }
    arrangement.holidays.sort_by_key(|p| p.from);
    for pair in arrangement.holidays.windows(2) {
        if let [a, b] = pair {
            if b.from <= a.to {
                return Err(invalid(format!("{}与{}的放假期间重叠", a.name, b.name)));
            }
        }
    }
    arrangement.make_up_days.sort();
    for pair in arrangement.make_up_days.windows(2) {
        if let [a, b] = pair {
            if a == b {
                return Err(invalid(format!("调休上班日 {a} 重复")));
            }
        }
    }
    for &d in &arrangement.make_up_days {
        if !(d.year() == year || d.year() == year - 1) {
            return Err(invalid(format!("调休上班日 {d} 不在本年度")));
        }
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(invalid(format!("调休上班日 {d} 不是周末")));
        }
        if arrangement.holidays.iter().any(|p| p.from <= d && d <= p.to) {
            return Err(invalid(format!("调休上班日 {d} 落在放假期间内")));
        }
    }
    Ok(arrangement)
}

/// A year's arrangement as an administrator types it into a form: one holiday period per line of `holidays`
/// (`春节 2027-02-06 2027-02-14`, also `春节：2027年2月6日至2027年2月14日`; a one-day period may give one date) and
/// the make-up working days separated by spaces, commas or lines. Every mistake names its line.
pub fn arrangement_from_lines(
    year: i32,
    notice: &str,
    holidays: &str,
    make_up_days: &str,
) -> Result<YearArrangement, CalendarDataError> {
    use crate::sheets::parse_date_text;
    let invalid = |message: String| CalendarDataError::Invalid { year, message };
    let mut periods = Vec::new();
    for (i, line) in holidays.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("放假安排第{}行“{line}”", i + 1);
        let spaced: String = line
            .chars()
            .map(|c| if matches!(c, '：' | ':' | '，' | ',' | '至' | '~' | '～' | '—') { ' ' } else { c })
            .collect();
        let mut name = Vec::new();
        let mut dates = Vec::new();
        for word in spaced.split_whitespace() {
            match parse_date_text(word) {
                Some(d) => dates.push(d),
                // A word with digits is meant as a date (`2031-02-30`): say it is not one.
                None if dates.is_empty() && !word.chars().any(char::is_numeric) => name.push(word),
                None => return Err(invalid(format!("{at}：“{word}”不是日期（应写成 2027-02-06 或 2027年2月6日）"))),
            }
        }
        let (from, to) = match dates.as_slice() {
            [d] => (*d, *d),
            [from, to] => (*from, *to),
            [] => return Err(invalid(format!("{at}：缺少日期，应写成“春节 2027-02-06 2027-02-14”"))),
            _ => return Err(invalid(format!("{at}：日期多于两个，每行只写一段放假期间"))),
        };
        periods.push(HolidayPeriod { name: name.join(" "), from, to });
    }
    let mut days = Vec::new();
    for word in make_up_days.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')) {
        if word.is_empty() {
            continue;
        }
        days.push(parse_date_text(word).ok_or_else(|| invalid(format!("调休上班日“{word}”不是日期")))?);
    }
    if periods.is_empty() {
        return Err(invalid("至少应填写一段放假期间".into()));
    }
    check_arrangement(YearArrangement { year, notice: notice.to_string(), holidays: periods, make_up_days: days })
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

    #[test]
    fn a_year_typed_into_the_form_is_read_line_by_line_in_the_ways_officials_write_dates() {
        let a = arrangement_from_lines(
            2031,
            " 测试用通知 ",
            "元旦 2031-01-01\n\n春节：2031年1月22日至2031年1月28日\n清明节 2031/4/5 ~ 2031.4.7",
            "2031-01-19，2031年2月8日\n",
        )
        .unwrap();
        assert_eq!(a.notice, "测试用通知");
        let periods: Vec<(&str, NaiveDate, NaiveDate)> =
            a.holidays.iter().map(|p| (p.name.as_str(), p.from, p.to)).collect();
        assert_eq!(
            periods,
            vec![
                ("元旦", d("2031-01-01"), d("2031-01-01")),
                ("春节", d("2031-01-22"), d("2031-01-28")),
                ("清明节", d("2031-04-05"), d("2031-04-07")),
            ]
        );
        assert_eq!(a.make_up_days, vec![d("2031-01-19"), d("2031-02-08")]);
    }

    #[test]
    fn a_mistake_in_the_form_names_its_line_and_what_is_wrong() {
        let err = |holidays: &str, make_up: &str| {
            arrangement_from_lines(2031, "通知", holidays, make_up).unwrap_err().to_string()
        };
        assert_eq!(
            err("元旦 2031-01-01\n春节 2031-02-30", ""),
            "2031年：放假安排第2行“春节 2031-02-30”：“2031-02-30”不是日期（应写成 2027-02-06 或 2027年2月6日）"
        );
        assert!(err("春节", "").contains("缺少日期"));
        assert!(err("春节 2031-01-22 2031-01-28 2031-01-29", "").contains("日期多于两个"));
        assert!(err("春节 2031-01-22 后天", "").contains("“后天”不是日期"));
        assert!(err("春节 2031-01-22 2031-01-28", "明天").contains("调休上班日“明天”不是日期"));
        assert!(err("", "").contains("至少应填写一段放假期间"));
        assert!(err("春节 2031-01-22 2031-01-28\n元宵 2031-01-28 2031-01-29", "").contains("重叠"));
        assert!(err("春节 2031-01-22 2031-01-28", "2031-01-19 2031-01-19").contains("重复"));
        assert!(err("春节 2030-01-22 2030-01-28", "").contains("不在本年度"));
        assert!(arrangement_from_lines(1999, "通知", "元旦 1999-01-01", "")
            .unwrap_err()
            .to_string()
            .contains("2000年至2100年"));
    }
}
