//! Random secrets: session tokens (the cookie value), CSRF tokens and API tokens.
//!
//! Rules of this module:
//! - every secret is 32 bytes from the operating system's random source, written as unpadded base64url
//!   (43 characters);
//! - the database stores only the hex SHA-256 of a session or API token, and finds it by that digest: a stolen copy
//!   of the database signs no one in, and a lookup by digest leaks nothing useful through timing;
//! - an API token is shown once, when it is made, as `gk_` + the secret; its first characters stay readable in lists
//!   ([`NewApiToken::prefix`]) so an administrator can tell tokens apart;
//! - secrets that are compared directly (the CSRF token) are compared in constant time ([`constant_time_eq`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;

/// Bytes of randomness in every secret.
pub const SECRET_BYTES: usize = 32;
/// Length of a secret in its text form (unpadded base64url of [`SECRET_BYTES`]).
pub const SECRET_CHARS: usize = 43;
/// What every API token starts with, so that a leaked one is recognisable (and secret scanners can find it).
pub const API_TOKEN_PREFIX: &str = "gk_";
/// Characters of an API token kept readable in lists: `gk_` and the first 8 characters of the secret.
pub const API_TOKEN_VISIBLE_CHARS: usize = API_TOKEN_PREFIX.len() + 8;

/// The operating system's random source failed (practically never; then nothing secret can be made).
#[derive(Debug, Clone, thiserror::Error)]
#[error("系统随机数源不可用：{0}")]
pub struct RandomError(String);

/// A fresh random secret in text form.
pub fn random_secret() -> Result<String, RandomError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` has the shape of a secret made by [`random_secret`]: checked before any database lookup, so a
/// tampered or oversized cookie is turned away without work.
pub fn is_well_formed_secret(text: &str) -> bool {
    text.len() == SECRET_CHARS
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && URL_SAFE_NO_PAD.decode(text).is_ok_and(|bytes| bytes.len() == SECRET_BYTES)
}

/// Hex SHA-256 of a token, as stored in the database.
pub fn token_sha256(token: &str) -> String {
    crate::services::sha256_hex(token.as_bytes())
}

/// Compares two secrets in time that depends only on their lengths, not on where they first differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A new session token: the value for the cookie and the digest for the database.
#[derive(Clone)]
pub struct SessionToken {
    /// The cookie value. Never logged, never stored.
    pub token: String,
    /// Hex SHA-256 of [`Self::token`], stored in `sessions.token_sha256`.
    pub sha256: String,
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionToken").field("token", &"…").field("sha256", &self.sha256).finish()
    }
}

impl SessionToken {
    pub fn generate() -> Result<Self, RandomError> {
        let token = random_secret()?;
        let sha256 = token_sha256(&token);
        Ok(Self { token, sha256 })
    }
}

/// A new API token: the full text to show once, the readable prefix and the digest to store.
#[derive(Clone)]
pub struct NewApiToken {
    /// `gk_` + the secret: shown to the administrator once, then forgotten.
    pub token: String,
    /// `gk_` + the first 8 characters of the secret, stored and shown in lists.
    pub prefix: String,
    /// Hex SHA-256 of the full token.
    pub sha256: String,
}

impl std::fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiToken").field("prefix", &self.prefix).field("sha256", &self.sha256).finish()
    }
}

impl NewApiToken {
    pub fn generate() -> Result<Self, RandomError> {
        let token = format!("{API_TOKEN_PREFIX}{}", random_secret()?);
        let prefix = token[..API_TOKEN_VISIBLE_CHARS].to_string();
        let sha256 = token_sha256(&token);
        Ok(Self { token, prefix, sha256 })
    }
}

/// The digest to look up for a presented API token (`Authorization: Bearer gk_…`), or `None` if it does not have
/// the shape of one.
pub fn api_token_lookup_digest(presented: &str) -> Option<String> {
    let secret = presented.trim().strip_prefix(API_TOKEN_PREFIX)?;
    is_well_formed_secret(secret).then(|| token_sha256(presented.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_43_base64url_characters_of_32_random_bytes_and_never_repeats() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_eq!(a.len(), SECRET_CHARS);
        assert!(is_well_formed_secret(&a));
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    }

    #[test]
    fn a_malformed_secret_is_recognised_before_any_lookup() {
        let good = random_secret().unwrap();
        assert!(!is_well_formed_secret(""));
        assert!(!is_well_formed_secret(&good[..42]));
        assert!(!is_well_formed_secret(&format!("{good}A")));
        assert!(!is_well_formed_secret(&format!("{}+", &good[..42])));
        assert!(!is_well_formed_secret(&"字".repeat(15)));
    }

    #[test]
    fn a_session_token_is_stored_only_as_its_sha256() {
        let token = SessionToken::generate().unwrap();
        assert_eq!(token.sha256.len(), 64);
        assert_eq!(token.sha256, token_sha256(&token.token));
        assert!(!token.sha256.contains(&token.token));
        assert!(!format!("{token:?}").contains(&token.token), "Debug does not print the secret");
    }

    #[test]
    fn an_api_token_starts_with_gk_keeps_a_readable_prefix_and_is_found_by_its_digest() {
        let token = NewApiToken::generate().unwrap();
        assert!(token.token.starts_with("gk_"));
        assert_eq!(token.token.len(), 3 + SECRET_CHARS);
        assert_eq!(token.prefix, token.token[..11]);
        assert_eq!(api_token_lookup_digest(&token.token), Some(token.sha256.clone()));
        assert_eq!(api_token_lookup_digest(&format!(" {} ", token.token)), Some(token.sha256.clone()));
        assert_eq!(api_token_lookup_digest(&token.token[3..]), None, "without gk_ it is not an API token");
        assert_eq!(api_token_lookup_digest("gk_short"), None);
        assert!(!format!("{token:?}").contains(&token.token));
    }

    #[test]
    fn constant_time_comparison_is_plain_equality_in_its_result() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
    }
}
