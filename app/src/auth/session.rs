//! Sessions: how long they live, the cookie that carries them, and the CSRF token bound to each.
//!
//! Rules of this module:
//! - a session ends after 30 minutes without a request (idle) and 12 hours after sign-in whatever happens
//!   (absolute); the server enforces both, the cookie itself has no expiry (it goes when the browser closes);
//! - the cookie `gongkai_session` is `HttpOnly` (no script reads it), `SameSite=Lax` (not sent on cross-site
//!   sub-requests or POSTs), `Path=/`, and `Secure` when the deployment serves HTTPS ([`SessionPolicy::secure_cookie`]);
//! - a malformed cookie value is ignored before any database lookup;
//! - every session has its own CSRF token, which a state-changing request must echo (form field
//!   [`CSRF_FORM_FIELD`] or header [`CSRF_HEADER`]); the check is in constant time.

use chrono::{DateTime, Duration, Utc};

use super::tokens::{constant_time_eq, is_well_formed_secret, random_secret, RandomError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gongkai_session";
pub use crate::functions::client::CSRF_HEADER;
/// Form field that carries the CSRF token on plain HTML forms.
pub const CSRF_FORM_FIELD: &str = "csrf_token";

/// Lifetimes of a session and the flags of its cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long has ended.
    pub idle: Duration,
    /// A session this old has ended, however active.
    pub absolute: Duration,
    /// `last_seen_at` is written at most this often, so reading pages does not become a stream of writes.
    pub touch_interval: Duration,
    /// Send the cookie over HTTPS only. On for any deployment behind HTTPS; off for `http://127.0.0.1`.
    pub secure_cookie: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            touch_interval: Duration::minutes(1),
            secure_cookie: false,
        }
    }
}

/// Why a session is no longer valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Unused for longer than [`SessionPolicy::idle`].
    Idle,
    /// Older than [`SessionPolicy::absolute`].
    Absolute,
}

impl SessionPolicy {
    /// The absolute end of a session created at `created_at`.
    pub fn expires_at(&self, created_at: DateTime<Utc>) -> DateTime<Utc> {
        created_at + self.absolute
    }

    /// Whether a session last seen at `last_seen_at`, ending at `expires_at` at the latest, has expired at `now`.
    pub fn expiry(&self, last_seen_at: DateTime<Utc>, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Expiry> {
        if now >= expires_at {
            Some(Expiry::Absolute)
        } else if now - last_seen_at >= self.idle {
            Some(Expiry::Idle)
        } else {
            None
        }
    }

    /// Whether `last_seen_at` is old enough to be written again.
    pub fn needs_touch(&self, last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last_seen_at >= self.touch_interval
    }

    /// The `Set-Cookie` value that starts a session with `token`.
    pub fn set_cookie(&self, token: &str) -> String {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}", self.secure_suffix())
    }

    /// The `Set-Cookie` value that removes the session cookie (sign-out, expired session).
    pub fn clear_cookie(&self) -> String {
        format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", self.secure_suffix())
    }

    fn secure_suffix(&self) -> &'static str {
        if self.secure_cookie {
            "; Secure"
        } else {
            ""
        }
    }
}

/// The session token from the request's `Cookie` header values, if one is present and well formed. With several
/// cookies of that name (another site on a parent domain may plant one), the first is used, as browsers send the
/// most specific first; a malformed one yields `None` rather than a guess.
pub fn session_token_from_cookies<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let value = headers
        .into_iter()
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))?;
    is_well_formed_secret(value).then_some(value)
}

/// A fresh CSRF token for a new session.
pub fn new_csrf_token() -> Result<String, RandomError> {
    random_secret()
}

/// Whether the CSRF token presented with a request is the session's, compared in constant time.
pub fn csrf_token_matches(expected: &str, presented: Option<&str>) -> bool {
    match presented {
        Some(presented) if !expected.is_empty() => constant_time_eq(expected, presented.trim()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-05-06T08:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_default_policy_is_thirty_minutes_idle_and_twelve_hours_absolute() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.idle, Duration::minutes(30));
        assert_eq!(policy.absolute, Duration::hours(12));
        assert!(!policy.secure_cookie);
        assert_eq!(policy.expires_at(t0()), t0() + Duration::hours(12));
    }

    #[test]
    fn a_session_expires_when_idle_for_thirty_minutes_or_twelve_hours_after_sign_in() {
        let policy = SessionPolicy::default();
        let expires = policy.expires_at(t0());
        let seen = t0() + Duration::hours(3);
        assert_eq!(policy.expiry(seen, expires, seen + Duration::minutes(29)), None);
        assert_eq!(policy.expiry(seen, expires, seen + Duration::minutes(30)), Some(Expiry::Idle));
        let busy = expires - Duration::seconds(10);
        assert_eq!(policy.expiry(busy, expires, busy + Duration::seconds(9)), None);
        assert_eq!(policy.expiry(busy, expires, expires), Some(Expiry::Absolute));
    }

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        let policy = SessionPolicy::default();
        assert!(!policy.needs_touch(t0(), t0() + Duration::seconds(59)));
        assert!(policy.needs_touch(t0(), t0() + Duration::seconds(60)));
    }

    #[test]
    fn the_cookie_is_http_only_lax_for_the_whole_site_and_secure_when_configured() {
        let plain = SessionPolicy::default();
        assert_eq!(plain.set_cookie("TOKEN"), "gongkai_session=TOKEN; Path=/; HttpOnly; SameSite=Lax");
        let secure = SessionPolicy { secure_cookie: true, ..plain };
        assert_eq!(secure.set_cookie("TOKEN"), "gongkai_session=TOKEN; Path=/; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(secure.clear_cookie(), "gongkai_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
        assert!(!plain.set_cookie("TOKEN").contains("Max-Age"), "ends with the browser session");
    }

    #[test]
    fn the_session_token_is_read_from_the_cookie_header_only_when_well_formed() {
        let token = random_secret().unwrap();
        let header = format!("lang=zh; {SESSION_COOKIE}={token}; other=1");
        assert_eq!(session_token_from_cookies([header.as_str()]), Some(token.as_str()));
        let split = [String::from("lang=zh"), format!("{SESSION_COOKIE}={token}")];
        assert_eq!(session_token_from_cookies(split.iter().map(String::as_str)), Some(token.as_str()));
        assert_eq!(session_token_from_cookies(["lang=zh"]), None);
        let tampered = format!("{SESSION_COOKIE}={}!", &token[..42]);
        assert_eq!(session_token_from_cookies([tampered.as_str()]), None);
        let oversized = format!("{SESSION_COOKIE}={token}{token}");
        assert_eq!(session_token_from_cookies([oversized.as_str()]), None);
        let prefix = format!("x{SESSION_COOKIE}={token}");
        assert_eq!(session_token_from_cookies([prefix.as_str()]), None, "the name must match exactly");
    }

    #[test]
    fn a_csrf_token_matches_only_itself() {
        let token = new_csrf_token().unwrap();
        assert!(csrf_token_matches(&token, Some(&token)));
        assert!(csrf_token_matches(&token, Some(&format!(" {token} "))));
        assert!(!csrf_token_matches(&token, None));
        assert!(!csrf_token_matches(&token, Some("")));
        assert!(!csrf_token_matches(&token, Some(&token[1..])));
        assert!(!csrf_token_matches("", Some("")));
        assert_ne!(token, new_csrf_token().unwrap());
    }
}
