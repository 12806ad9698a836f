//! Throttling of sign-in: the rule, as a pure function over the recent attempts.
//!
//! Rules (defaults of [`ThrottlePolicy`]):
//! - per account: 5 failed attempts for one user name within 15 minutes lock that name; a successful sign-in
//!   clears the account's count (only failures after it count);
//! - per address: 20 failed attempts from one address within 15 minutes lock that address, whatever names were
//!   tried; a success does not clear it (otherwise signing in to one's own account would reset a guessing run);
//! - a lock lasts until enough failures have left the window; attempts refused while locked are not verified and
//!   not counted, so a lock always ends at the time announced;
//! - the user name is the one typed (normalised), whether or not the account exists, so the lock says nothing
//!   about which accounts exist.

use chrono::{DateTime, Duration, Utc};

/// One sign-in attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// The user name typed, normalised ([`Username::normalise_attempt`](super::username::Username::normalise_attempt)).
    pub username: String,
    pub remote_addr: Option<String>,
    pub at: DateTime<Utc>,
    pub succeeded: bool,
}

/// Limits of the throttling rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures_per_account: usize,
    pub max_failures_per_address: usize,
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self { max_failures_per_account: 5, max_failures_per_address: 20, window: Duration::minutes(15) }
    }
}

impl ThrottlePolicy {
    /// The earliest attempt that can matter at `now`: what to load before calling [`check`].
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }
}

/// What a lock applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockScope {
    Account,
    Address,
}

/// Sign-in is refused until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub until: DateTime<Utc>,
    pub scope: LockScope,
}

impl Lockout {
    /// Whole minutes until the lock ends, rounded up, at least 1.
    pub fn minutes_left(&self, now: DateTime<Utc>) -> i64 {
        let seconds = (self.until - now).num_seconds().max(1);
        (seconds + 59) / 60
    }

    /// The message shown to the person signing in.
    pub fn message(&self, now: DateTime<Utc>) -> String {
        format!("登录失败次数过多，请于{}分钟后再试", self.minutes_left(now))
    }
}

/// When the `limit`-th most recent of `failures` leaves the window, if there are that many.
fn locked_until(mut failures: Vec<DateTime<Utc>>, limit: usize, window: Duration) -> Option<DateTime<Utc>> {
    if limit == 0 || failures.len() < limit {
        return None;
    }
    failures.sort_unstable_by(|a, b| b.cmp(a));
    Some(failures[limit - 1] + window)
}

/// Applies the rule at `now` to `attempts` (any superset of those since [`ThrottlePolicy::window_start`]):
/// `Err` with the lock that ends last if `username` or `remote_addr` is locked.
pub fn check(
    policy: &ThrottlePolicy,
    attempts: &[LoginAttempt],
    username: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Lockout> {
    let start = policy.window_start(now);
    let recent = || attempts.iter().filter(move |a| a.at > start && a.at <= now);

    let last_success = recent().filter(|a| a.username == username && a.succeeded).map(|a| a.at).max();
    let account_failures = recent()
        .filter(|a| a.username == username && !a.succeeded && last_success.is_none_or(|s| a.at > s))
        .map(|a| a.at)
        .collect();
    let account = locked_until(account_failures, policy.max_failures_per_account, policy.window)
        .map(|until| Lockout { until, scope: LockScope::Account });

    let address = remote_addr.and_then(|addr| {
        let failures =
            recent().filter(|a| !a.succeeded && a.remote_addr.as_deref() == Some(addr)).map(|a| a.at).collect();
        locked_until(failures, policy.max_failures_per_address, policy.window)
            .map(|until| Lockout { until, scope: LockScope::Address })
    });

    match [account, address].into_iter().flatten().filter(|l| l.until > now).max_by_key(|l| l.until) {
        Some(lock) => Err(lock),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-06T08:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn attempt(user: &str, addr: &str, minutes: i64, succeeded: bool) -> LoginAttempt {
        LoginAttempt {
            username: user.into(),
            remote_addr: Some(addr.into()),
            at: t0() + Duration::minutes(minutes),
            succeeded,
        }
    }

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy::default()
    }

    #[test]
    fn four_failures_leave_the_account_open_and_the_fifth_locks_it_for_the_rest_of_the_window() {
        let mut attempts: Vec<_> = (0..4).map(|m| attempt("zhangsan", "10.0.0.1", m, false)).collect();
        assert_eq!(check(&policy(), &attempts, "zhangsan", Some("10.0.0.1"), t0() + Duration::minutes(4)), Ok(()));
        attempts.push(attempt("zhangsan", "10.0.0.2", 4, false));
        let now = t0() + Duration::minutes(4);
        let lock = check(&policy(), &attempts, "zhangsan", Some("10.0.0.3"), now).unwrap_err();
        assert_eq!(lock.scope, LockScope::Account);
        assert_eq!(lock.until, t0() + Duration::minutes(15), "the oldest of the five leaves the window then");
        assert_eq!(lock.message(now), "登录失败次数过多，请于11分钟后再试");
        // Another account from the same address is not locked.
        assert_eq!(check(&policy(), &attempts, "lisi", Some("10.0.0.1"), now), Ok(()));
        // Once the window has passed the first failure, the account is open again.
        assert_eq!(check(&policy(), &attempts, "zhangsan", None, t0() + Duration::minutes(15)), Ok(()));
    }

    #[test]
    fn the_wait_is_rounded_up_to_whole_minutes_and_never_shown_as_zero() {
        let lock = Lockout { until: t0() + Duration::seconds(61), scope: LockScope::Account };
        assert_eq!(lock.minutes_left(t0()), 2);
        assert_eq!(lock.minutes_left(t0() + Duration::seconds(60)), 1);
        assert_eq!(lock.minutes_left(t0() + Duration::seconds(61)), 1);
        assert_eq!(lock.message(t0() + Duration::seconds(30)), "登录失败次数过多，请于1分钟后再试");
    }

    #[test]
    fn a_successful_sign_in_clears_the_account_count() {
        let mut attempts: Vec<_> = (0..4).map(|m| attempt("zhangsan", "10.0.0.1", m, false)).collect();
        attempts.push(attempt("zhangsan", "10.0.0.1", 4, true));
        attempts.push(attempt("zhangsan", "10.0.0.1", 5, false));
        assert_eq!(check(&policy(), &attempts, "zhangsan", None, t0() + Duration::minutes(6)), Ok(()));
    }

    #[test]
    fn twenty_failures_from_one_address_lock_the_address_whatever_names_were_tried() {
        let attempts: Vec<_> =
            (0..20).map(|i| attempt(&format!("user{i}"), "10.0.0.9", i / 4, false)).collect::<Vec<_>>();
        let now = t0() + Duration::minutes(5);
        let lock = check(&policy(), &attempts, "someone-new", Some("10.0.0.9"), now).unwrap_err();
        assert_eq!(lock.scope, LockScope::Address);
        assert_eq!(lock.until, t0() + Duration::minutes(15));
        assert_eq!(check(&policy(), &attempts, "someone-new", Some("10.0.0.8"), now), Ok(()));
        assert_eq!(check(&policy(), &attempts, "someone-new", None, now), Ok(()));
    }

    #[test]
    fn a_success_from_the_address_does_not_clear_the_address_count() {
        let mut attempts: Vec<_> = (0..20).map(|i| attempt(&format!("user{i}"), "10.0.0.9", 0, false)).collect();
        attempts.push(attempt("own-account", "10.0.0.9", 1, true));
        assert!(check(&policy(), &attempts, "other", Some("10.0.0.9"), t0() + Duration::minutes(2)).is_err());
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let attempts: Vec<_> = (0..10).map(|m| attempt("zhangsan", "10.0.0.1", -20 + m, false)).collect();
        assert_eq!(check(&policy(), &attempts, "zhangsan", Some("10.0.0.1"), t0()), Ok(()));
    }
}
