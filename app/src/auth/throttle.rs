//! Throttling of password guesses (sign-in, and the current password on the password change): the rule, as pure
//! functions over the recent attempts. Growing delays, never a lock, following OWASP's Authentication and
//! Credential Stuffing cheat sheets: a lock that anyone can trigger by typing a name is a way to keep its owner out.
//!
//! Words: an *attempt* is one verified guess of a password, recorded with the user name typed (normalised, whether
//! or not the account exists, so that throttling says nothing about which accounts exist), the client address and
//! whether it succeeded. A *pair* is one user name from one address. The *window* is 15 minutes: older attempts
//! do not count. A pair's *failures* are its failed attempts in the window after its last success in the window.
//!
//! Rules ([`check`], defaults of [`ThrottlePolicy`]):
//! 1. A pair without failures is never delayed: its guess is verified, and a correct password is accepted, however
//!    many failures the account has from other addresses or the address has for other accounts. So nobody can keep
//!    an account's owner out by failing on purpose elsewhere, nor behind a shared address (an office's NAT, a proxy
//!    not listed in `GONGKAI_TRUSTED_PROXIES`) by failing for other accounts.
//! 2. A pair with failures waits, after its own last failure, the longest of three delays:
//!    - per pair, from its failures: the first 2 are free, then 1 s, 2 s, 4 s, … doubling with each failure, at
//!      most 60 s;
//!    - per account, from the failures of the user name from every address: the first 5 are free, then 1 s,
//!      doubling every 2 failures, at most 60 s (gentler: these include the owner's own typing errors);
//!    - per address, from the failures from the address for every name: the first 10 are free, then 1 s, doubling
//!      every 2 failures, at most 60 s.
//!
//!    Every delay runs from the pair's own last failure, so whatever others do, nobody waits longer than 60 s after
//!    their own last failure.
//! 3. An attempt during a delay is refused without verifying the password and is not recorded: it cannot extend the
//!    delay, and it costs the server no hashing. The refusal says how many seconds are left.
//! 4. A success clears the pair's failures, not the account's or the address's: signing in to one's own account
//!    does not reset a guessing run against others.
//!
//! What this leaves an attacker: against one account from one address, about one guess a minute; from many
//! addresses, one free guess per address and window, then the same; one guess per account and window from an
//! address that has not tried that account. The bounded hashing queue ([`super::password`]) caps the total rate,
//! and the audit log raises an alert:
//!
//! Alerts ([`alerts`]): when a failure brings the failures of a user name (from every address) in the window to 10,
//! or of an address (for every name) to 20, one audit entry says so. One per episode, not per attempt: no alert if
//! the threshold was already reached at any earlier failure of the same subject in the window, so a sustained
//! attack raises one alert, and a new one only after a whole window in which the threshold was not reached.
//! Deciding this needs the failures of two windows ([`ThrottlePolicy::load_since`]).

use chrono::{DateTime, Duration, Utc};

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// The user name typed, normalised ([`Username::normalise_attempt`](super::username::Username::normalise_attempt)).
    pub username: String,
    pub remote_addr: Option<String>,
    pub at: DateTime<Utc>,
    pub succeeded: bool,
}

/// What a password was guessed for: the rule counts both alike (the account of a password change being the
/// signed-in user), the audit log words them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuessKind {
    /// Signing in (`/auth/login`).
    SignIn,
    /// The current password on the password change (`/account/password`).
    CurrentPassword,
}

/// A delay that grows with the number of failures: none for the first `free` ones, then `first`, doubling every
/// `doubling_every` failures, never more than `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free: usize,
    pub first: Duration,
    pub doubling_every: usize,
    pub cap: Duration,
}

impl Backoff {
    /// The delay after `failures` failures.
    pub fn delay(&self, failures: usize) -> Duration {
        if failures <= self.free {
            return Duration::zero();
        }
        let doublings = (failures - self.free - 1) / self.doubling_every.max(1);
        // 2^20 times any first delay is far past any sensible cap: stop doubling there, no overflow.
        let factor = 1i32 << doublings.min(20);
        self.first.checked_mul(factor).map_or(self.cap, |d| d.min(self.cap))
    }
}

/// The limits of the rule (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub window: Duration,
    pub pair: Backoff,
    pub account: Backoff,
    pub address: Backoff,
    /// Failures of one user name in the window that raise an alert.
    pub account_alert: usize,
    /// Failures from one address in the window that raise an alert.
    pub address_alert: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        let cap = Duration::seconds(60);
        let first = Duration::seconds(1);
        Self {
            window: Duration::minutes(15),
            pair: Backoff { free: 2, first, doubling_every: 1, cap },
            account: Backoff { free: 5, first, doubling_every: 2, cap },
            address: Backoff { free: 10, first, doubling_every: 2, cap },
            account_alert: 10,
            address_alert: 20,
        }
    }
}

impl ThrottlePolicy {
    /// The earliest attempt that can matter at `now` (two windows: see the alerts in the module docs): what to load
    /// before calling [`check`] and [`alerts`].
    pub fn load_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window - self.window
    }
}

/// Which rule set a delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayCause {
    Pair,
    Account,
    Address,
}

/// Guesses from this pair are refused until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delay {
    pub until: DateTime<Utc>,
    pub cause: DelayCause,
}

impl Delay {
    /// Whole seconds until the delay ends, rounded up, at least 1.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        let millis = (self.until - now).num_milliseconds().max(1);
        (millis + 999) / 1000
    }
}

/// The attempts in the window ending at `now`.
fn in_window<'a>(
    policy: &ThrottlePolicy,
    attempts: &'a [LoginAttempt],
    now: DateTime<Utc>,
) -> impl Iterator<Item = &'a LoginAttempt> + Clone {
    let start = now - policy.window;
    attempts.iter().filter(move |a| a.at > start && a.at <= now)
}

/// Applies the rule at `now` to `attempts` (any superset of those since [`ThrottlePolicy::load_since`]) for a guess
/// of `username` from `remote_addr`: `Err` with the delay if the guess must not be verified now.
pub fn check(
    policy: &ThrottlePolicy,
    attempts: &[LoginAttempt],
    username: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Delay> {
    let recent = in_window(policy, attempts, now);
    let of_pair = |a: &&LoginAttempt| a.username == username && a.remote_addr.as_deref() == remote_addr;
    let last_success = recent.clone().filter(of_pair).filter(|a| a.succeeded).map(|a| a.at).max();
    let pair_failures: Vec<DateTime<Utc>> = recent
        .clone()
        .filter(of_pair)
        .filter(|a| !a.succeeded && last_success.is_none_or(|s| a.at > s))
        .map(|a| a.at)
        .collect();
    // Rule 1: a pair without failures is never delayed.
    let Some(last_failure) = pair_failures.iter().max().copied() else {
        return Ok(());
    };
    let account_failures = recent.clone().filter(|a| !a.succeeded && a.username == username).count();
    let address_failures = remote_addr
        .map(|addr| recent.clone().filter(|a| !a.succeeded && a.remote_addr.as_deref() == Some(addr)).count())
        .unwrap_or(0);
    let delays = [
        (policy.pair.delay(pair_failures.len()), DelayCause::Pair),
        (policy.account.delay(account_failures), DelayCause::Account),
        (policy.address.delay(address_failures), DelayCause::Address),
    ];
    let (delay, cause) =
        delays.into_iter().fold(
            (Duration::zero(), DelayCause::Pair),
            |longest, next| {
                if next.0 > longest.0 {
                    next
                } else {
                    longest
                }
            },
        );
    let until = last_failure + delay;
    if until > now {
        Err(Delay { until, cause })
    } else {
        Ok(())
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertScope {
    /// A user name, tried from any address.
    Account,
    /// An address, whatever names it tried.
    Address,
}

/// A subject whose failures just reached its alert threshold (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub scope: AlertScope,
    /// The user name or the address.
    pub subject: String,
    /// Its failures in the window, this one included.
    pub failures: usize,
    pub window: Duration,
}

impl Alert {
    /// The summary written to the audit log.
    pub fn summary(&self) -> String {
        let minutes = self.window.num_minutes();
        match self.scope {
            AlertScope::Account => format!(
                "安全提醒：用户名“{}”在{minutes}分钟内登录失败{}次，可能正被猜测密码；其后的尝试将逐次延时",
                self.subject, self.failures
            ),
            AlertScope::Address => format!(
                "安全提醒：地址 {} 在{minutes}分钟内登录失败{}次（可能涉及多个用户名）；其后的尝试将逐次延时",
                self.subject, self.failures
            ),
        }
    }
}

/// Whether the last of `failures` (times in the order they were made, hence in time order) is the first in its
/// episode to bring the count in the window to `threshold`; the count if so.
fn episode_alert(failures: &[DateTime<Utc>], threshold: usize, window: Duration) -> Option<usize> {
    let last = *failures.last()?;
    if threshold == 0 {
        return None;
    }
    // The count at each failure: itself and the failures before it less than a window older (one pass).
    let mut oldest = 0;
    let counts: Vec<usize> = failures
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            while failures[oldest] <= at - window {
                oldest += 1;
            }
            i + 1 - oldest
        })
        .collect();
    let count = *counts.last()?;
    let reached_before = failures[..failures.len() - 1]
        .iter()
        .zip(&counts)
        .any(|(&at, &earlier_count)| at > last - window && earlier_count >= threshold);
    (count >= threshold && !reached_before).then_some(count)
}

/// The alerts raised by a failure of `username` from `remote_addr` just made at `now`: `attempts` are those since
/// [`ThrottlePolicy::load_since`] in the order they were made, that failure last.
pub fn alerts(
    policy: &ThrottlePolicy,
    attempts: &[LoginAttempt],
    username: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    // Only the failures of the last two windows matter.
    let since = policy.load_since(now);
    let failures_of = |matches: &dyn Fn(&LoginAttempt) -> bool| -> Vec<DateTime<Utc>> {
        let mut times: Vec<DateTime<Utc>> = attempts
            .iter()
            .filter(|a| !a.succeeded && a.at > since && a.at <= now && matches(a))
            .map(|a| a.at)
            .collect();
        // Stable: attempts made at the same instant keep their order.
        times.sort();
        times
    };
    let mut raised = Vec::new();
    let account = failures_of(&|a: &LoginAttempt| a.username == username);
    if let Some(failures) = episode_alert(&account, policy.account_alert, policy.window) {
        raised.push(Alert {
            scope: AlertScope::Account,
            subject: username.to_string(),
            failures,
            window: policy.window,
        });
    }
    if let Some(addr) = remote_addr {
        let address = failures_of(&|a: &LoginAttempt| a.remote_addr.as_deref() == Some(addr));
        if let Some(failures) = episode_alert(&address, policy.address_alert, policy.window) {
            raised.push(Alert {
                scope: AlertScope::Address,
                subject: addr.to_string(),
                failures,
                window: policy.window,
            });
        }
    }
    raised
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-06T08:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        t0() + Duration::seconds(seconds)
    }

    fn attempt(user: &str, addr: &str, seconds: i64, succeeded: bool) -> LoginAttempt {
        LoginAttempt { username: user.into(), remote_addr: Some(addr.into()), at: at(seconds), succeeded }
    }

    fn fail(user: &str, addr: &str, seconds: i64) -> LoginAttempt {
        attempt(user, addr, seconds, false)
    }

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy::default()
    }

    fn check_at(attempts: &[LoginAttempt], user: &str, addr: &str, seconds: i64) -> Result<(), Delay> {
        check(&policy(), attempts, user, Some(addr), at(seconds))
    }

    #[test]
    fn the_pair_delay_is_free_twice_then_doubles_from_one_second_up_to_a_minute() {
        let pair = policy().pair;
        let seconds: Vec<i64> = (0..=10).map(|n| pair.delay(n).num_seconds()).collect();
        assert_eq!(seconds, vec![0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(pair.delay(usize::MAX), Duration::seconds(60), "no overflow however many failures");
    }

    #[test]
    fn the_account_and_address_delays_grow_more_gently() {
        let account: Vec<i64> = (0..=19).map(|n| policy().account.delay(n).num_seconds()).collect();
        assert_eq!(account, vec![0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 60, 60]);
        let address: Vec<i64> = (9..=24).map(|n| policy().address.delay(n).num_seconds()).collect();
        assert_eq!(address, vec![0, 0, 1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 60, 60]);
    }

    #[test]
    fn two_failures_cost_nothing_and_the_third_makes_the_pair_wait_a_second_after_it() {
        let mut attempts = vec![fail("zhangsan", "10.0.0.1", 0), fail("zhangsan", "10.0.0.1", 0)];
        assert_eq!(check_at(&attempts, "zhangsan", "10.0.0.1", 0), Ok(()));
        attempts.push(fail("zhangsan", "10.0.0.1", 0));
        let delay = check_at(&attempts, "zhangsan", "10.0.0.1", 0).unwrap_err();
        assert_eq!(delay, Delay { until: at(1), cause: DelayCause::Pair });
        assert_eq!(check_at(&attempts, "zhangsan", "10.0.0.1", 1), Ok(()), "the delay has passed");
    }

    #[test]
    fn each_further_failure_of_the_pair_doubles_the_wait_after_it() {
        let mut attempts = Vec::new();
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..10 {
            attempts.push(fail("zhangsan", "10.0.0.1", now));
            let wait = match check_at(&attempts, "zhangsan", "10.0.0.1", now) {
                Ok(()) => 0,
                Err(delay) => (delay.until - at(now)).num_seconds(),
            };
            waits.push(wait);
            now += wait;
        }
        assert_eq!(waits, vec![0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn attempts_refused_during_a_delay_are_not_counted_so_the_delay_ends_when_announced() {
        // Refused attempts are never recorded: the rule sees only the verified ones, and the end stays put.
        let attempts: Vec<_> = (0..5).map(|_| fail("zhangsan", "10.0.0.1", 0)).collect();
        let first = check_at(&attempts, "zhangsan", "10.0.0.1", 0).unwrap_err();
        let later = check_at(&attempts, "zhangsan", "10.0.0.1", 3).unwrap_err();
        assert_eq!(first.until, at(4));
        assert_eq!(later.until, first.until);
        assert_eq!(later.seconds_left(at(3)), 1);
    }

    #[test]
    fn a_correct_guess_from_a_clean_address_is_verified_however_hard_the_account_is_attacked_elsewhere() {
        // Fifty failures for the HQ administrator from ten addresses, the last one just now.
        let attempts: Vec<_> = (0..50).map(|i| fail("hq.admin", &format!("203.0.113.{}", i % 10), i)).collect();
        assert!(check_at(&attempts, "hq.admin", "203.0.113.1", 49).is_err(), "an attacking address waits");
        assert_eq!(check_at(&attempts, "hq.admin", "192.0.2.7", 49), Ok(()), "the owner's office does not");
        assert_eq!(check(&policy(), &attempts, "hq.admin", None, at(49)), Ok(()), "nor a request without address");
    }

    #[test]
    fn many_failures_from_a_shared_address_never_delay_an_account_without_failures_there() {
        let attempts: Vec<_> = (0..100).map(|i| fail(&format!("user{i}"), "198.51.100.1", i / 10)).collect();
        assert_eq!(check_at(&attempts, "lisi", "198.51.100.1", 10), Ok(()));
        assert_eq!(check_at(&attempts, "user0", "198.51.100.1", 10).unwrap_err().cause, DelayCause::Address);
        assert_eq!(
            check_at(&attempts, "user0", "198.51.100.1", 10).unwrap_err().until,
            at(60),
            "one failure of the pair at 0 s, the address at a minute"
        );
    }

    #[test]
    fn the_account_delay_slows_an_attack_spread_over_many_addresses_after_each_addresss_own_failure() {
        // Twenty addresses, each one failure (free for each pair), the account at 20 failures: 60 s each.
        let attempts: Vec<_> = (0..20).map(|i| fail("hq.admin", &format!("203.0.113.{i}"), i)).collect();
        let delay = check_at(&attempts, "hq.admin", "203.0.113.0", 20).unwrap_err();
        assert_eq!(delay, Delay { until: at(60), cause: DelayCause::Account });
        let delay = check_at(&attempts, "hq.admin", "203.0.113.19", 20).unwrap_err();
        assert_eq!(delay.until, at(79), "measured from that address's own last failure");
        assert_eq!(check_at(&attempts, "hq.admin", "203.0.113.0", 60), Ok(()));
    }

    #[test]
    fn nobody_waits_more_than_a_minute_after_their_own_last_failure_whatever_others_do() {
        let mut attempts: Vec<_> = (0..500).map(|i| fail("hq.admin", &format!("203.0.113.{}", i % 200), i)).collect();
        attempts.extend((0..500).map(|i| fail(&format!("n{i}"), "192.0.2.7", i)));
        attempts.push(fail("hq.admin", "192.0.2.7", 500));
        let delay = check_at(&attempts, "hq.admin", "192.0.2.7", 500).unwrap_err();
        assert_eq!(delay.until, at(560));
        assert_eq!(check_at(&attempts, "hq.admin", "192.0.2.7", 560), Ok(()));
    }

    #[test]
    fn a_success_clears_the_pairs_failures_but_not_the_addresss() {
        let mut attempts: Vec<_> = (0..4).map(|i| fail("zhangsan", "10.0.0.1", i)).collect();
        attempts.push(attempt("zhangsan", "10.0.0.1", 20, true));
        attempts.push(fail("zhangsan", "10.0.0.1", 21));
        assert_eq!(check_at(&attempts, "zhangsan", "10.0.0.1", 21), Ok(()), "one failure since the success");
        let mut guessing: Vec<_> = (0..30).map(|i| fail(&format!("u{i}"), "10.0.0.9", 0)).collect();
        guessing.push(attempt("own", "10.0.0.9", 1, true));
        assert!(check_at(&guessing, "u1", "10.0.0.9", 2).is_err(), "the address count survives the success");
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let attempts: Vec<_> = (0..10).map(|i| fail("zhangsan", "10.0.0.1", -16 * 60 + i)).collect();
        assert_eq!(check_at(&attempts, "zhangsan", "10.0.0.1", 0), Ok(()));
        assert_eq!(policy().load_since(at(0)), at(-30 * 60));
    }

    #[test]
    fn the_wait_is_rounded_up_to_whole_seconds_and_never_shown_as_zero() {
        let delay = Delay { until: at(2), cause: DelayCause::Pair };
        assert_eq!(delay.seconds_left(at(0)), 2);
        assert_eq!(delay.seconds_left(at(0) + Duration::milliseconds(1)), 2);
        assert_eq!(delay.seconds_left(at(1)), 1);
        assert_eq!(delay.seconds_left(at(2)), 1);
    }

    #[test]
    fn the_tenth_failure_of_an_account_raises_one_alert_and_the_eleventh_none() {
        let mut attempts: Vec<_> = (0..9).map(|i| fail("hq.admin", &format!("203.0.113.{i}"), i * 30)).collect();
        assert_eq!(alerts(&policy(), &attempts, "hq.admin", Some("203.0.113.8"), at(240)), vec![]);
        attempts.push(fail("hq.admin", "203.0.113.9", 270));
        let raised = alerts(&policy(), &attempts, "hq.admin", Some("203.0.113.9"), at(270));
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].scope, AlertScope::Account);
        assert_eq!(raised[0].failures, 10);
        assert!(raised[0].summary().contains("用户名“hq.admin”在15分钟内登录失败10次"), "{}", raised[0].summary());
        for i in 10..40 {
            let addr = format!("203.0.113.{i}");
            attempts.push(fail("hq.admin", &addr, i * 30));
            assert_eq!(alerts(&policy(), &attempts, "hq.admin", Some(&addr), at(i * 30)), vec![], "{i}");
        }
    }

    #[test]
    fn simultaneous_failures_raise_the_alert_once() {
        let mut attempts = Vec::new();
        let mut raised = 0;
        for i in 0..30 {
            attempts.push(fail(&format!("u{i}"), "198.51.100.1", 0));
            raised += alerts(&policy(), &attempts, &format!("u{i}"), Some("198.51.100.1"), at(0)).len();
        }
        assert_eq!(raised, 1, "the address, at its twentieth failure");
    }

    #[test]
    fn a_new_episode_raises_a_new_alert_only_after_a_window_below_the_threshold() {
        let mut attempts: Vec<_> = (0..10).map(|i| fail("zhangsan", "10.0.0.1", i)).collect();
        assert_eq!(alerts(&policy(), &attempts, "zhangsan", Some("10.0.0.1"), at(9)).len(), 1);
        // Ten minutes later, ten more: the threshold was reached at a failure less than a window before.
        attempts.extend((600..610).map(|s| fail("zhangsan", "10.0.0.2", s)));
        assert_eq!(alerts(&policy(), &attempts, "zhangsan", Some("10.0.0.2"), at(609)), vec![]);
        // Forty minutes after that, ten more: a new episode.
        attempts.extend((3000..3010).map(|s| fail("zhangsan", "10.0.0.3", s)));
        let raised = alerts(&policy(), &attempts, "zhangsan", Some("10.0.0.3"), at(3009));
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].failures, 10);
    }

    #[test]
    fn a_slow_guesser_below_the_threshold_raises_no_alert() {
        // Nine failures per window, spread evenly, for an hour.
        let attempts: Vec<_> = (0..36).map(|i| fail("zhangsan", "10.0.0.1", i * 100)).collect();
        for end in 1..=attempts.len() {
            let now = attempts[end - 1].at;
            assert_eq!(alerts(&policy(), &attempts[..end], "zhangsan", Some("10.0.0.1"), now), vec![]);
        }
    }

    #[test]
    fn successes_do_not_count_towards_an_alert() {
        let mut attempts: Vec<_> = (0..9).map(|i| fail("zhangsan", "10.0.0.1", i)).collect();
        attempts.push(attempt("zhangsan", "10.0.0.1", 9, true));
        assert_eq!(alerts(&policy(), &attempts, "zhangsan", Some("10.0.0.1"), at(9)), vec![]);
    }
}
