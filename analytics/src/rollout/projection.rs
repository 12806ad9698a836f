//! Projection of a district's completions from its trend.
//!
//! The trend is the **rate since the first completion**: `k` offices completed (first dates) over the calendar days
//! from the first of them to `as_of`, both counted. It is extended linearly: the `target`-th completion is projected
//! `ceil((target − k) × days / k)` days after `as_of`. Without a completion there is no trend and no projection.
//! The rate is deliberately simple (one number a director can check by hand); it neither decays nor weighs recent
//! months more, so a district that stalled after a quick start is projected too early rather than flagged late.
//! Integer arithmetic keeps it exact and platform-independent.

use chrono::{Days, NaiveDate};

/// The date the `target`-th completion happens or is projected to happen, given the first-completion dates of the
/// offices (only those on or before `as_of` are read).
///
/// Returns the actual date when `target` completions already happened by `as_of`, `None` when `target` is 0, when
/// there is no completion yet, or when the projection falls outside the calendar.
pub fn project(first_completions: &[NaiveDate], target: usize, as_of: NaiveDate) -> Option<NaiveDate> {
    if target == 0 {
        return None;
    }
    let mut dates: Vec<NaiveDate> = first_completions.iter().copied().filter(|d| *d <= as_of).collect();
    dates.sort_unstable();
    let k = dates.len();
    if k >= target {
        return dates.get(target - 1).copied();
    }
    let first = *dates.first()?;
    let days = u64::try_from((as_of - first).num_days()).ok()? + 1;
    let remaining = (target - k) as u64;
    let needed = remaining.checked_mul(days)?.div_ceil(k as u64);
    as_of.checked_add_days(Days::new(needed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn two_completions_in_ten_days_project_the_fourth_ten_days_later() {
        let dates = [d("2022-06-01"), d("2022-06-05")];
        // 2 offices in 10 days (06-01 … 06-10): 2 more need 10 days.
        assert_eq!(project(&dates, 4, d("2022-06-10")), Some(d("2022-06-20")));
        // A fractional need is rounded up to a whole day: 1 more needs 5 days.
        assert_eq!(project(&dates, 3, d("2022-06-10")), Some(d("2022-06-15")));
    }

    #[test]
    fn a_target_already_reached_is_dated_by_the_completion_that_reached_it() {
        let dates = [d("2022-06-05"), d("2022-06-01"), d("2022-07-01")];
        assert_eq!(project(&dates, 2, d("2022-08-01")), Some(d("2022-06-05")));
    }

    #[test]
    fn no_completion_or_no_target_means_no_projection_and_later_events_are_ignored() {
        assert_eq!(project(&[], 3, d("2022-06-10")), None);
        assert_eq!(project(&[d("2022-06-01")], 0, d("2022-06-10")), None);
        assert_eq!(project(&[d("2022-07-01")], 1, d("2022-06-10")), None);
    }

    #[test]
    fn a_completion_on_the_as_of_date_is_a_rate_of_one_a_day() {
        assert_eq!(project(&[d("2022-06-10")], 3, d("2022-06-10")), Some(d("2022-06-12")));
    }
}
