//! Text as it may go into an Excel cell, for every workbook the server writes (issue 13).
//!
//! Rules ([`excel_text`]):
//! - a cell holds at most [`MAX_CELL_UTF16`] UTF-16 code units (Excel's limit): longer text is cut there and ends
//!   with [`TRUNCATED_MARK`], so one oversized value (a file name, a summary) never makes the export fail;
//! - text beginning with `=`, `+`, `-` or `@` gets a leading `'`, so that a workbook re-saved as CSV and opened
//!   again cannot turn it into a formula.

use std::borrow::Cow;

/// Excel's limit of one cell, in UTF-16 code units.
pub const MAX_CELL_UTF16: usize = 32_767;

/// What ends a text cut to fit a cell.
pub const TRUNCATED_MARK: &str = "…（已截断）";

/// `text` as a cell may hold it (module rules); borrowed when nothing changes.
pub fn excel_text(text: &str) -> Cow<'_, str> {
    let formula_like = text.starts_with(['=', '+', '-', '@']);
    let prefix = if formula_like { "'" } else { "" };
    let units = text.encode_utf16().count() + prefix.len();
    if !formula_like && units <= MAX_CELL_UTF16 {
        return Cow::Borrowed(text);
    }
    if units <= MAX_CELL_UTF16 {
        return Cow::Owned(format!("{prefix}{text}"));
    }
    let room = MAX_CELL_UTF16 - prefix.len() - TRUNCATED_MARK.encode_utf16().count();
    let mut kept = 0;
    // Whole characters only: a surrogate pair is never split.
    let end = text
        .char_indices()
        .find(|(_, c)| {
            kept += c.len_utf16();
            kept > room
        })
        .map_or(text.len(), |(at, _)| at);
    Cow::Owned(format!("{prefix}{}{TRUNCATED_MARK}", &text[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_written_as_it_is() {
        assert!(matches!(excel_text("新港海关 2022Q3"), Cow::Borrowed("新港海关 2022Q3")));
        assert_eq!(excel_text(""), "");
    }

    #[test]
    fn text_that_would_read_as_a_formula_gets_a_leading_apostrophe() {
        for text in ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)"] {
            assert_eq!(excel_text(text), format!("'{text}"));
        }
    }

    #[test]
    fn text_longer_than_a_cell_is_cut_with_a_visible_mark_and_never_splits_a_character() {
        let long = "名".repeat(40_000);
        let cut = excel_text(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UTF16);
        assert!(cut.ends_with(TRUNCATED_MARK));
        // Characters outside the BMP take two units each: the cut falls between two of them.
        let emoji = "😀".repeat(20_000);
        let cut = excel_text(&emoji);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UTF16);
        assert!(cut.trim_end_matches(TRUNCATED_MARK).chars().all(|c| c == '😀'));
        let formula = format!("={}", "x".repeat(40_000));
        let cut = excel_text(&formula);
        assert!(cut.starts_with("'=") && cut.ends_with(TRUNCATED_MARK));
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UTF16);
        let exact = "x".repeat(MAX_CELL_UTF16);
        assert_eq!(excel_text(&exact), exact, "text that fits exactly is kept whole");
    }
}
