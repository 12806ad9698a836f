//! Disclosure clocks: when a disclosure was due under its catalog time limit, and whether it was on time.
//!
//! Each [`TimeLimitRule`] of the catalog gets a due date from the date that triggers it:
//! - N working days after the information was formed or changed (the trigger day does not count);
//! - N calendar days after approval (预决算): when the last day falls on a statutory holiday or weekend, the period
//!   ends on the first working day after it (民法典 art. 203);
//! - each year's report by a fixed day (年报, for the previous year, "每年1月31日前"): that date itself, never moved —
//!   the notice names a date, not a period, and it wins over the general rule for periods;
//! - "as needed" has no deadline, and the catalog's wording says which kind of item it is
//!   ([`AsNeededAction`](crate::catalog::AsNeededAction)): items of standing information to keep current (及时更新:
//!   contacts, addresses, procedures) are judged stale when their last update is older than a configurable window;
//!   items published when an event occurs (及时发布: 22 通知通告, 23 解读宣贯, 25 意见征集) are judged from their
//!   events, never by the window — a quiet half-year without an event is not stale;
//! - a deadline set by another rule (双随机一公开, procurement or auction law, fee rules) is not computed and is shown
//!   as such, never as compliant.
//!
//! Lateness is said the way a person checks it: the calendar days after the deadline, and for working-day rules also
//! the working days among them. A disclosure published on the weekend after a Friday deadline is late by two days
//! with no working day among them; it is never "late by 0 days".

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::catalog::{AsNeededAction, TimeLimitRule};

/// Settings of the clocks that the catalog does not fix. Headquarters sets them per scoring scheme version (the
/// `[clocks]` table of a scheme file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClockSettings {
    /// An "as needed" disclosure not updated for more than this many calendar days is stale.
    pub staleness_days: u32,
}

impl Default for ClockSettings {
    fn default() -> Self {
        // Half a year: long enough for contact lists and office hours, short enough to catch a forgotten board.
        ClockSettings { staleness_days: 180 }
    }
}

/// The dates a return reports for one disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisclosureDates {
    /// 信息形成或变更日期: the trigger (formation/change; approval for 预决算; any day of the reported year for a
    /// yearly report).
    pub formed_on: Option<NaiveDate>,
    /// 公开日期: when it was published (for "as needed" items: the last update).
    pub published_on: Option<NaiveDate>,
}

/// How late, in the unit of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "days", rename_all = "snake_case")]
pub enum Lateness {
    WorkingDays(u32),
    CalendarDays(u32),
}

/// Which reported date a judgement needs and did not get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingDate {
    FormedOn,
    PublishedOn,
}

/// The judgement of one disclosure as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Published on or before the due date.
    OnTime { due: NaiveDate },
    /// Published after the due date: `days_after_due` calendar days after it (at least 1), `late_by` in the unit of
    /// the rule (working days for working-day rules, which may be 0 when only rest days passed).
    Late { due: NaiveDate, late_by: Lateness, days_after_due: u32 },
    /// Not published, and the due date has passed (`days_after_due` ≥ 1 calendar days before the day judged).
    Overdue { due: NaiveDate, late_by: Lateness, days_after_due: u32 },
    /// Not published, not due yet.
    Pending { due: NaiveDate },
    /// "As needed": last updated within the staleness window.
    Current { last_update: NaiveDate, stale_after: NaiveDate },
    /// "As needed": the last update is older than the staleness window.
    Stale { last_update: NaiveDate, stale_since: NaiveDate, days_stale: u32 },
    /// "As needed", published when an event occurs (及时发布): judged from its events, never stale.
    PublishedOnEvent { last_published: NaiveDate },
    /// The deadline is set by another rule and is not computed.
    NotComputable { reference: String },
    /// A date the rule needs was not reported.
    MissingDate { date: MissingDate },
}

impl Verdict {
    /// Whether the verdict counts against the office.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Verdict::Late { .. } | Verdict::Overdue { .. } | Verdict::Stale { .. } | Verdict::MissingDate { .. }
        )
    }

    /// The verdict in words, in Chinese, with dates as officials write them.
    pub fn describe_zh(&self) -> String {
        use crate::calendar::written;
        // "（期限2024年11月1日，其间3个工作日）": the working days only where the rule counts them.
        let detail = |due: &NaiveDate, l: &Lateness| match l {
            Lateness::WorkingDays(0) => format!("（期限{}，其间均为休息日）", written(*due)),
            Lateness::WorkingDays(n) => format!("（期限{}，其间{n}个工作日）", written(*due)),
            Lateness::CalendarDays(_) => format!("（期限{}）", written(*due)),
        };
        match self {
            Verdict::OnTime { due } => format!("按时公开（期限{}）", written(*due)),
            Verdict::Late { due, late_by, days_after_due } => {
                format!("逾期{days_after_due}日公开{}", detail(due, late_by))
            }
            Verdict::Overdue { due, late_by, days_after_due } => {
                format!("已逾期{days_after_due}日未公开{}", detail(due, late_by))
            }
            Verdict::Pending { due } => format!("尚未到期（期限{}）", written(*due)),
            Verdict::Current { last_update, stale_after } => {
                format!("最近更新{}，{}前需再次核查更新", written(*last_update), written(*stale_after))
            }
            Verdict::Stale { last_update, days_stale, .. } => {
                format!("最近更新{}，已超出更新周期{days_stale}日", written(*last_update))
            }
            Verdict::PublishedOnEvent { last_published } => {
                format!("随事件及时发布，最近发布{}（不设更新周期）", written(*last_published))
            }
            Verdict::NotComputable { reference } => format!("按{reference}执行，系统不计算期限"),
            Verdict::MissingDate { date: MissingDate::FormedOn } => "未填报信息形成或变更日期，无法判断时限".into(),
            Verdict::MissingDate { date: MissingDate::PublishedOn } => "未填报公开日期，无法判断是否及时更新".into(),
        }
    }
}

/// The last day of a period that ends on `date`: `date` itself, or the first working day after it when `date` is
/// a holiday or weekend (民法典 art. 203).
fn period_end(calendar: &WorkingCalendar, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    if calendar.is_working_day(date)? {
        Ok(date)
    } else {
        calendar.add_working_days(date, 1)
    }
}

fn calendar_days(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// The due date of a clocked rule for a disclosure triggered on `trigger`; `None` for rules without one.
pub fn due_date(
    rule: &TimeLimitRule,
    trigger: NaiveDate,
    calendar: &WorkingCalendar,
) -> Result<Option<NaiveDate>, CalendarError> {
    Ok(match rule {
        TimeLimitRule::WorkingDaysAfterChange { days } => Some(calendar.add_working_days(trigger, *days)?),
        TimeLimitRule::CalendarDaysAfterApproval { days } => {
            Some(period_end(calendar, trigger + Duration::days(i64::from(*days)))?)
        }
        TimeLimitRule::AnnualBy { month, day } => NaiveDate::from_ymd_opt(trigger.year() + 1, *month, *day),
        TimeLimitRule::AsNeeded { .. } | TimeLimitRule::ExternalRule { .. } => None,
    })
}

/// Judges one disclosure under `rule` as of `as_of`.
pub fn judge(
    rule: &TimeLimitRule,
    dates: DisclosureDates,
    as_of: NaiveDate,
    settings: ClockSettings,
    calendar: &WorkingCalendar,
) -> Result<Verdict, CalendarError> {
    match rule {
        TimeLimitRule::ExternalRule { reference } => Ok(Verdict::NotComputable { reference: reference.clone() }),
        TimeLimitRule::AsNeeded { action } => {
            let Some(last_update) = dates.published_on else {
                return Ok(Verdict::MissingDate { date: MissingDate::PublishedOn });
            };
            if *action == AsNeededAction::Publish {
                return Ok(Verdict::PublishedOnEvent { last_published: last_update });
            }
            let stale_after = last_update + Duration::days(i64::from(settings.staleness_days));
            Ok(if as_of > stale_after {
                Verdict::Stale { last_update, stale_since: stale_after, days_stale: calendar_days(stale_after, as_of) }
            } else {
                Verdict::Current { last_update, stale_after }
            })
        }
        TimeLimitRule::WorkingDaysAfterChange { .. }
        | TimeLimitRule::CalendarDaysAfterApproval { .. }
        | TimeLimitRule::AnnualBy { .. } => {
            let Some(trigger) = dates.formed_on else {
                return Ok(Verdict::MissingDate { date: MissingDate::FormedOn });
            };
            let Some(due) = due_date(rule, trigger, calendar)? else {
                return Ok(Verdict::MissingDate { date: MissingDate::FormedOn });
            };
            let lateness = |until: NaiveDate| -> Result<Lateness, CalendarError> {
                Ok(match rule {
                    TimeLimitRule::WorkingDaysAfterChange { .. } => {
                        Lateness::WorkingDays(calendar.working_days_between(due, until)?)
                    }
                    _ => Lateness::CalendarDays(calendar_days(due, until)),
                })
            };
            Ok(match dates.published_on {
                Some(published) if published <= due => Verdict::OnTime { due },
                Some(published) => {
                    Verdict::Late { due, late_by: lateness(published)?, days_after_due: calendar_days(due, published) }
                }
                None if as_of > due => {
                    Verdict::Overdue { due, late_by: lateness(as_of)?, days_after_due: calendar_days(due, as_of) }
                }
                None => Verdict::Pending { due },
            })
        }
    }
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;
    use crate::catalog::AsNeededAction;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::bundled().unwrap()
    }

    fn dates(formed: Option<&str>, published: Option<&str>) -> DisclosureDates {
        DisclosureDates { formed_on: formed.map(d), published_on: published.map(d) }
    }

    const TWENTY: TimeLimitRule = TimeLimitRule::WorkingDaysAfterChange { days: 20 };
    const SEVEN: TimeLimitRule = TimeLimitRule::WorkingDaysAfterChange { days: 7 };

    #[test]
    fn a_working_day_limit_is_met_on_the_last_day_and_missed_by_working_days_after_it() {
        let s = ClockSettings::default();
        let on_time = judge(&TWENTY, dates(Some("2024-09-30"), Some("2024-11-01")), d("2024-12-01"), s, &cal());
        assert_eq!(on_time, Ok(Verdict::OnTime { due: d("2024-11-01") }));
        // 2024-11-04 is the Monday after the due Friday: one working day late, not three days.
        let late = judge(&TWENTY, dates(Some("2024-09-30"), Some("2024-11-04")), d("2024-12-01"), s, &cal());
        assert_eq!(
            late,
            Ok(Verdict::Late { due: d("2024-11-01"), late_by: Lateness::WorkingDays(1), days_after_due: 3 })
        );
        // Seven working days from 2024-09-27 end on the make-up Saturday 2024-10-12.
        let late = judge(&SEVEN, dates(Some("2024-09-27"), Some("2024-10-14")), d("2024-12-01"), s, &cal());
        assert_eq!(
            late,
            Ok(Verdict::Late { due: d("2024-10-12"), late_by: Lateness::WorkingDays(1), days_after_due: 2 })
        );
    }

    #[test]
    fn an_unpublished_disclosure_is_pending_until_its_due_date_and_overdue_after() {
        let s = ClockSettings::default();
        let pending = judge(&TWENTY, dates(Some("2024-09-30"), None), d("2024-11-01"), s, &cal());
        assert_eq!(pending, Ok(Verdict::Pending { due: d("2024-11-01") }));
        let overdue = judge(&TWENTY, dates(Some("2024-09-30"), None), d("2024-11-08"), s, &cal());
        assert_eq!(
            overdue,
            Ok(Verdict::Overdue { due: d("2024-11-01"), late_by: Lateness::WorkingDays(5), days_after_due: 7 })
        );
    }

    #[test]
    fn calendar_day_deadlines_that_fall_on_a_holiday_move_to_the_next_working_day_and_yearly_ones_do_not() {
        let approval = TimeLimitRule::CalendarDaysAfterApproval { days: 20 };
        // 2024-03-01 + 20 days = 2024-03-21, a Thursday.
        assert_eq!(due_date(&approval, d("2024-03-01"), &cal()), Ok(Some(d("2024-03-21"))));
        // 2024-09-11 + 20 days = 2024-10-01, National Day: the period ends on 2024-10-08.
        assert_eq!(due_date(&approval, d("2024-09-11"), &cal()), Ok(Some(d("2024-10-08"))));
        let yearly = TimeLimitRule::AnnualBy { month: 1, day: 31 };
        // The 2022 report: due 2023-01-31 (a Tuesday).
        assert_eq!(due_date(&yearly, d("2022-12-31"), &cal()), Ok(Some(d("2023-01-31"))));
        // The 2021 report: "每年1月31日前" is a fixed date, due 2022-01-31 although it is in the Spring Festival
        // holiday (the notice names the date; it is not moved to 2022-02-07).
        assert_eq!(due_date(&yearly, d("2021-06-30"), &cal()), Ok(Some(d("2022-01-31"))));
        let late = judge(
            &approval,
            dates(Some("2024-03-01"), Some("2024-03-25")),
            d("2024-04-01"),
            ClockSettings::default(),
            &cal(),
        );
        assert_eq!(
            late,
            Ok(Verdict::Late { due: d("2024-03-21"), late_by: Lateness::CalendarDays(4), days_after_due: 4 })
        );
    }

    #[test]
    fn an_as_needed_item_is_current_within_the_window_and_stale_after_it() {
        let rule = TimeLimitRule::AsNeeded { action: AsNeededAction::Update };
        let s = ClockSettings { staleness_days: 90 };
        let current = judge(&rule, dates(None, Some("2024-01-10")), d("2024-04-09"), s, &cal());
        assert_eq!(current, Ok(Verdict::Current { last_update: d("2024-01-10"), stale_after: d("2024-04-09") }));
        let stale = judge(&rule, dates(None, Some("2024-01-10")), d("2024-04-19"), s, &cal());
        assert_eq!(
            stale,
            Ok(Verdict::Stale { last_update: d("2024-01-10"), stale_since: d("2024-04-09"), days_stale: 10 })
        );
        assert_eq!(
            judge(&rule, dates(None, None), d("2024-04-19"), s, &cal()),
            Ok(Verdict::MissingDate { date: MissingDate::PublishedOn })
        );
    }

    #[test]
    fn an_item_published_on_events_is_not_stale_after_a_quiet_half_year_while_standing_information_is() {
        let event = TimeLimitRule::AsNeeded { action: AsNeededAction::Publish };
        let standing = TimeLimitRule::AsNeeded { action: AsNeededAction::Update };
        let s = ClockSettings::default();
        let quiet = dates(None, Some("2024-01-10"));
        let verdict = judge(&event, quiet, d("2024-12-31"), s, &cal()).unwrap();
        assert_eq!(verdict, Verdict::PublishedOnEvent { last_published: d("2024-01-10") });
        assert!(!verdict.is_failure());
        assert_eq!(verdict.describe_zh(), "随事件及时发布，最近发布2024年1月10日（不设更新周期）");
        assert!(judge(&standing, quiet, d("2024-12-31"), s, &cal()).unwrap().is_failure());
    }

    #[test]
    fn the_annual_report_is_due_on_the_fixed_date_even_in_a_holiday() {
        let yearly = TimeLimitRule::AnnualBy { month: 1, day: 31 };
        // 2022-01-31 is in the Spring Festival holiday; published on 2022-02-07 the 2021 report is late.
        let verdict = judge(
            &yearly,
            dates(Some("2021-12-31"), Some("2022-02-07")),
            d("2022-03-01"),
            ClockSettings::default(),
            &cal(),
        );
        assert!(
            matches!(verdict, Ok(Verdict::Late { due, days_after_due: 7, .. }) if due == d("2022-01-31")),
            "{verdict:?}"
        );
    }

    #[test]
    fn a_rule_set_elsewhere_is_never_judged_compliant() {
        let rule = TimeLimitRule::ExternalRule { reference: "海关总署“双随机、一公开”要求".into() };
        let verdict = judge(
            &rule,
            dates(Some("2024-01-01"), Some("2024-01-02")),
            d("2024-02-01"),
            ClockSettings::default(),
            &cal(),
        )
        .unwrap();
        assert_eq!(verdict, Verdict::NotComputable { reference: "海关总署“双随机、一公开”要求".into() });
        assert!(!matches!(verdict, Verdict::OnTime { .. }));
        assert_eq!(verdict.describe_zh(), "按海关总署“双随机、一公开”要求执行，系统不计算期限");
    }

    #[test]
    fn a_missing_trigger_date_or_an_unknown_year_is_said_plainly() {
        let s = ClockSettings::default();
        assert_eq!(
            judge(&TWENTY, dates(None, Some("2024-01-02")), d("2024-02-01"), s, &cal()),
            Ok(Verdict::MissingDate { date: MissingDate::FormedOn })
        );
        assert!(matches!(
            judge(&TWENTY, dates(Some("2026-12-20"), None), d("2027-02-01"), s, &cal()),
            Err(CalendarError::BeyondKnownYears { .. })
        ));
        let late = Verdict::Late { due: d("2024-11-01"), late_by: Lateness::WorkingDays(1), days_after_due: 3 };
        assert_eq!(late.describe_zh(), "逾期3日公开（期限2024年11月1日，其间1个工作日）");
        assert!(late.is_failure());
    }

    #[test]
    fn a_disclosure_published_on_the_weekend_after_a_friday_deadline_is_late_by_days_never_by_zero() {
        let s = ClockSettings::default();
        // Due Friday 2024-11-01, published Sunday 2024-11-03: two days late, no working day among them.
        let late = judge(&TWENTY, dates(Some("2024-09-30"), Some("2024-11-03")), d("2024-12-01"), s, &cal()).unwrap();
        assert_eq!(late, Verdict::Late { due: d("2024-11-01"), late_by: Lateness::WorkingDays(0), days_after_due: 2 });
        assert!(late.is_failure());
        let said = late.describe_zh();
        assert_eq!(said, "逾期2日公开（期限2024年11月1日，其间均为休息日）");
        assert!(!said.contains("逾期0") && !said.contains("0个工作日"), "{said}");
        // Not published by the Saturday after the deadline: overdue by one day, none of it a working day.
        let overdue = judge(&TWENTY, dates(Some("2024-09-30"), None), d("2024-11-02"), s, &cal()).unwrap();
        assert_eq!(overdue.describe_zh(), "已逾期1日未公开（期限2024年11月1日，其间均为休息日）");
    }

    #[test]
    fn a_disclosure_due_before_a_holiday_and_published_after_it_counts_the_holiday_as_days_not_working_days() {
        let s = ClockSettings::default();
        // 20 working days from 2024-08-30 end on Sunday 2024-09-29 (a make-up working day before National Day);
        // published on Tuesday 2024-10-08, after the holiday: nine days late, of which two working days (30 September
        // and 8 October).
        let due = cal().add_working_days(d("2024-08-30"), 20).unwrap();
        assert_eq!(due, d("2024-09-29"));
        let late = judge(&TWENTY, dates(Some("2024-08-30"), Some("2024-10-08")), d("2024-12-01"), s, &cal()).unwrap();
        assert_eq!(late, Verdict::Late { due, late_by: Lateness::WorkingDays(2), days_after_due: 9 });
        assert_eq!(late.describe_zh(), "逾期9日公开（期限2024年9月29日，其间2个工作日）");
    }
}
