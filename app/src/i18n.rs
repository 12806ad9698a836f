//! Interface language: Simplified Chinese first, English available.
//!
//! The language comes from the `gongkai_lang` cookie, which `/lang/{zh|en}` sets (a plain link, so switching
//! works without JavaScript). The server renders `<html lang>` from it and the wasm client reads that attribute
//! back, so both sides render the same words and hydration matches.
//!
//! Labels are [`Text`] pairs written next to where they are used; official catalog text (items, elements, legal
//! bases) is Chinese only and is never translated by the product.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "gongkai_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Parses `zh`, `zh-CN`, `en`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Lang> {
        match raw.trim() {
            "zh" | "zh-CN" | "zh-cn" | "zh-Hans" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language out of a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::parse(value))
            .unwrap_or_default()
    }

    pub fn pick(self, text: Text) -> &'static str {
        match self {
            Lang::Zh => text.0,
            Lang::En => text.1,
        }
    }

    /// A date as officials write it: `2022年8月31日`, or `31 Aug 2022` in English.
    pub fn date(self, date: NaiveDate) -> String {
        match self {
            Lang::Zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            Lang::En => date.format("%-d %b %Y").to_string(),
        }
    }

    /// A count with its unit: `42个`, or `42` in English.
    pub fn count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("{n}个"),
            Lang::En => n.to_string(),
        }
    }
}

/// A label in Chinese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text(pub &'static str, pub &'static str);

/// The language of the current page, provided by [`provide_lang`].
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Works out the page language and provides it as context: from the request cookie on the server, from the
/// rendered `<html lang>` in the browser.
pub fn provide_lang() -> Lang {
    let lang = detect();
    provide_context(lang);
    lang
}

#[cfg(feature = "ssr")]
fn detect() -> Lang {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            parts.headers.get(axum::http::header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header)
        })
        .unwrap_or_default()
}

#[cfg(all(not(feature = "ssr"), feature = "hydrate"))]
fn detect() -> Lang {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}

#[cfg(all(not(feature = "ssr"), not(feature = "hydrate")))]
fn detect() -> Lang {
    Lang::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_way_officials_write_them() {
        let d = NaiveDate::from_ymd_opt(2022, 8, 31).unwrap();
        assert_eq!(Lang::Zh.date(d), "2022年8月31日");
        assert_eq!(Lang::En.date(d), "31 Aug 2022");
    }

    #[test]
    fn the_language_cookie_is_read_and_unknown_values_fall_back_to_chinese() {
        assert_eq!(Lang::from_cookie_header("a=1; gongkai_lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("gongkai_lang=fr"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header(""), Lang::Zh);
    }
}
