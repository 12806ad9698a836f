//! The encoding of the data a page hands to the browser for hydration.
//!
//! Leptos writes each resource's encoded value into the page as a JavaScript string literal, escaping it with
//! Rust's `{:?}`, which looks up every non-ASCII character in Unicode's printable tables one by one. On pages whose
//! data is mostly Chinese (the dashboards) that escaping was a quarter of the server's time under load. [`AsciiJson`]
//! writes the same JSON with every non-ASCII character as a `\uXXXX` escape, so the page's data is pure ASCII and
//! escaping it is a plain copy; the browser decodes it to the same value.

use std::future::Future;

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// A page's resource whose value travels as [`AsciiJson`]: `Resource::new` of Leptos with that encoding.
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, AsciiJson>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// JSON with every character outside ASCII written as a `\uXXXX` escape (surrogate pairs beyond the BMP).
pub struct AsciiJson;

impl<T: Serialize> Encoder<T> for AsciiJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        Ok(ascii_only(&serde_json::to_string(val)?))
    }
}

impl<T> Decoder<T> for AsciiJson
where
    for<'de> T: Deserialize<'de>,
{
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(val)
    }
}

/// `json` with its non-ASCII characters escaped. Outside string literals JSON has only ASCII, so every such
/// character is inside a string, where `\uXXXX` means the same character.
pub fn ascii_only(json: &str) -> String {
    use std::fmt::Write;
    if json.is_ascii() {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() * 2);
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_travels_as_ascii_and_decodes_to_the_same_value() {
        let value = vec!["天津海关".to_string(), "逾期12日完成 \"引号\"".into(), "𠀀".into(), "plain".into()];
        let encoded = <AsciiJson as Encoder<Vec<String>>>::encode(&value).expect("encodes");
        assert!(encoded.is_ascii(), "{encoded}");
        assert!(encoded.contains("\\u5929\\u6d25") && encoded.contains("\\ud840\\udc00"), "{encoded}");
        let decoded: Vec<String> = <AsciiJson as Decoder<Vec<String>>>::decode(&encoded).expect("decodes");
        assert_eq!(decoded, value);
    }
}
