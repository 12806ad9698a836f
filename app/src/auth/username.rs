//! User names and display names, parsed once where they enter (a form, the command line) and trusted after.
//!
//! A user name is the sign-in key: 3 to 32 characters among lower-case ASCII letters, digits, `.`, `_` and `-`,
//! starting with a letter or digit. Input is trimmed and lower-cased first, so `ZhangSan` and `zhangsan` are the
//! same account, and the throttling rule (keyed by the name typed) cannot be dodged by changing case.

use std::fmt;

/// A valid, normalised user name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

/// Why a user name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("用户名长度应为3至32个字符")]
    Length,
    #[error("用户名只能包含小写英文字母、数字和 . _ -，并以字母或数字开头")]
    Characters,
}

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;

    /// Trims, lower-cases and checks a user name.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let name = raw.trim().to_ascii_lowercase();
        let count = name.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&count) {
            return Err(UsernameError::Length);
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !first_ok || !name.chars().all(allowed) {
            return Err(UsernameError::Characters);
        }
        Ok(Self(name))
    }

    /// The normalised form that a sign-in attempt is recorded under, also for names that are not valid (so a
    /// typo is throttled like any other name); at most [`Self::MAX_CHARS`]·4 characters are kept.
    pub fn normalise_attempt(raw: &str) -> String {
        raw.trim().to_lowercase().chars().take(Self::MAX_CHARS * 4).collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown in the header and the audit log (e.g. 张三 or 天津海关办公室): 1 to 50 characters,
/// trimmed, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("显示名不能为空")]
    Empty,
    #[error("显示名不能超过50个字符")]
    TooLong,
    #[error("显示名不能包含控制字符")]
    ControlCharacters,
}

impl DisplayName {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacters);
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_name_is_trimmed_and_lower_cased() {
        assert_eq!(Username::parse("  ZhangSan.TJ ").unwrap().as_str(), "zhangsan.tj");
    }

    #[test]
    fn a_user_name_must_be_three_to_thirty_two_allowed_characters_starting_with_a_letter_or_digit() {
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(33)), Err(UsernameError::Length));
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert_eq!(Username::parse("张三丰"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("a b c"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("_admin"), Err(UsernameError::Characters));
        assert!(Username::parse("0200-admin_1").is_ok());
    }

    #[test]
    fn an_attempted_name_is_normalised_and_bounded_even_when_invalid() {
        assert_eq!(Username::normalise_attempt(" Admin "), "admin");
        assert_eq!(Username::normalise_attempt(&"x".repeat(1000)).len(), Username::MAX_CHARS * 4);
    }

    #[test]
    fn a_display_name_is_trimmed_non_empty_short_and_printable() {
        assert_eq!(DisplayName::parse(" 张三 ").unwrap().as_str(), "张三");
        assert_eq!(DisplayName::parse("   "), Err(DisplayNameError::Empty));
        assert_eq!(DisplayName::parse(&"名".repeat(51)), Err(DisplayNameError::TooLong));
        assert_eq!(DisplayName::parse("张\u{7}三"), Err(DisplayNameError::ControlCharacters));
    }
}
