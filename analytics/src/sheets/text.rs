//! Text folding, header comparison, dates, cell references, and text made safe to write into a cell.

use std::borrow::Cow;

use chrono::{Days, NaiveDate};

use super::Cell;

/// The accepted date spellings, as told to the user.
pub const DATE_FORMATS_HINT: &str = "请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日";

/// Folds full-width ASCII variants (Ａ, ０, （, ：) and the ideographic space to half-width.
pub fn to_halfwidth(raw: &str) -> String {
    raw.chars().map(halfwidth_char).collect()
}

fn halfwidth_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// A header as compared with known names: half-width, lower case, without spaces, `*`, `_`, `-`, `.`, `:` and
/// without a trailing hint in parentheses (`生效日期（YYYY-MM-DD）`): everything from the first `(` on, unless the
/// text starts with it.
pub fn normalize_header(raw: &str) -> String {
    // One pass and one allocation: it runs on every short text cell of a sheet's top rows.
    let mut out = String::with_capacity(raw.len());
    let mut seen_text = false;
    let mut seen_paren = false;
    for c in raw.chars().map(halfwidth_char) {
        if c == '(' && !seen_paren {
            seen_paren = true;
            if seen_text {
                break;
            }
        }
        if c.is_whitespace() {
            continue;
        }
        seen_text = true;
        if matches!(c, '*' | '_' | '-' | '.' | ':') {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_caseless(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether `c` is in a block without letter case (CJK radicals and symbols, kana, CJK ideographs, Yi, Hangul), so
/// that lower-casing a Chinese header skips Unicode's case tables.
fn is_caseless(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7AF}')
}

/// Letters of a 0-based column index (0 → A, 26 → AA).
pub fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (col % 26) as u8));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// A sheet name as Excel writes it in a reference: quoted when it holds spaces or punctuation.
pub fn sheet_reference(sheet: &str) -> String {
    if sheet.chars().any(|c| c.is_whitespace() || (c.is_ascii_punctuation() && c != '_')) {
        format!("'{}'", sheet.replace('\'', "''"))
    } else {
        sheet.to_string()
    }
}

/// A cell reference as Excel shows it: `公开事项!E7` for the 0-based column 4 on the 1-based row 7.
pub fn cell_reference(sheet: &str, col: u32, line: usize) -> String {
    format!("{}!{}{line}", sheet_reference(sheet), column_letters(col))
}

/// A number without a needless `.0`.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// An Excel serial day number (1900 date system). Only five-digit serials (1927-05-18 ..= 2173-10-14) are taken
/// as dates, so that a bare year such as `2022` is not read as 1905-07-14.
pub fn date_from_serial(value: f64) -> Option<NaiveDate> {
    if !value.is_finite() || !(10_000.0..100_000.0).contains(&value) {
        return None;
    }
    let days = value.floor() as u64;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(days))
}

/// Text dates: `2022-08-31`, `2022/8/31`, `2022.8.31`, `2022年8月31日`, `20220831`, a five-digit Excel serial,
/// full-width digits, an optional time part (`2022-08-31 00:00:00`, `2022-08-31T00:00:00`).
pub fn parse_date_text(raw: &str) -> Option<NaiveDate> {
    let half = to_halfwidth(raw);
    let mut text = half.trim();
    if text.contains(':') {
        if let Some(i) = text.find(|c: char| c == 'T' || c.is_whitespace()) {
            text = &text[..i];
        }
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit()) {
        return match compact.len() {
            8 => NaiveDate::parse_from_str(&compact, "%Y%m%d").ok(),
            5 => compact.parse::<f64>().ok().and_then(date_from_serial),
            _ => None,
        };
    }
    let unified: String = compact
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' | '-' => '-',
            _ => c,
        })
        .collect();
    let unified = unified.trim_end_matches(['日', '号']);
    let parts: Vec<&str> = unified.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A date from a cell: a date cell, a five-digit serial number or text; `Ok(None)` when empty; else the Chinese
/// reason.
pub fn date_from_cell(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::BadDate(raw) => Err(format!("日期单元格的值 {raw} 不是有效日期")),
        Cell::Number(n) => date_from_serial(*n)
            .map(Some)
            .ok_or_else(|| format!("数字 {} 不是日期；{DATE_FORMATS_HINT}", format_number(*n))),
        Cell::Text(s) => {
            parse_date_text(s).map(Some).ok_or_else(|| format!("无法识别日期“{}”；{DATE_FORMATS_HINT}", s.trim()))
        }
        Cell::Error(e) => Err(format!("单元格是错误值 {e}")),
    }
}

/// Most characters Excel keeps in one cell, counted in UTF-16 code units as Excel counts them.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The visible mark [`safe_text`] ends a cut text with.
pub const TRUNCATION_MARK: &str = "…（已截断）";

/// The first characters that make a spreadsheet (or a CSV re-saved from it) read a text as a formula (OWASP's list).
fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Text as it may be written into an Excel cell: a leading `'` when it starts like a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return), and cut to [`MAX_CELL_CHARS`] UTF-16 units with [`TRUNCATION_MARK`] at the end when longer, so
/// that no writer fails on Excel's limit. Borrowed when nothing changes.
pub fn safe_text(text: &str) -> Cow<'_, str> {
    let guard = starts_like_formula(text);
    let units = text.encode_utf16().count() + usize::from(guard);
    if !guard && units <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(4 * MAX_CELL_CHARS) + 1);
    if guard {
        out.push('\'');
    }
    if units <= MAX_CELL_CHARS {
        out.push_str(text);
        return Cow::Owned(out);
    }
    let room = MAX_CELL_CHARS - TRUNCATION_MARK.encode_utf16().count() - usize::from(guard);
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push_str(TRUNCATION_MARK);
    Cow::Owned(out)
}

/// The text [`safe_text`] guarded, without its guard: `'=1` reads as `=1`; any other text is returned as it is.
pub fn unguard_text(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_every_accepted_spelling() {
        let expected = NaiveDate::from_ymd_opt(2022, 8, 31);
        for text in ["2022-08-31", "2022/8/31", "2022.8.31", "2022年8月31日", "２０２２年８月３１日", "44804"]
        {
            assert_eq!(parse_date_text(text), expected, "{text}");
        }
        assert_eq!(parse_date_text("2022"), None);
    }

    #[test]
    fn references_name_the_sheet_quoted_only_when_excel_would() {
        assert_eq!(cell_reference("公开事项", 4, 7), "公开事项!E7");
        assert_eq!(cell_reference("Sheet 1", 26, 2), "'Sheet 1'!AA2");
    }

    #[test]
    fn full_width_text_folds_to_half_width() {
        assert_eq!(to_halfwidth("Ｙ（１）：\u{3000}"), "Y(1): ");
        assert_eq!(normalize_header(" 公开日期（YYYY-MM-DD） "), "公开日期");
    }

    /// The definition the one-pass [`normalize_header`] must agree with.
    fn normalize_header_reference(raw: &str) -> String {
        let half = to_halfwidth(raw);
        let trimmed = half.trim();
        let without_hint = match trimmed.find('(') {
            Some(i) if i > 0 => &trimmed[..i],
            _ => trimmed,
        };
        without_hint
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '-' | '.' | ':'))
            .flat_map(char::to_lowercase)
            .collect()
    }

    #[test]
    fn headers_normalise_as_defined() {
        for raw in [
            "",
            "   ",
            "\u{3000}（备注）",
            "(a)(b)",
            " (A) x (B)",
            "公开日期（YYYY-MM-DD）",
            "*是否公开",
            "* (必填)",
            "Ｅ-Mail：地址",
            "İstanbul Straße",
            "渠道 ( 其他 )",
            "_:.-",
            "ＡＢＣ\t(ｄ)",
        ] {
            assert_eq!(normalize_header(raw), normalize_header_reference(raw), "{raw:?}");
        }
    }

    #[test]
    fn characters_taken_as_caseless_have_no_lower_case() {
        let caseless = ('\u{2E80}'..='\u{A4CF}').chain('\u{AC00}'..='\u{D7AF}');
        for c in caseless {
            assert!(is_caseless(c));
            assert!(c.to_lowercase().eq([c]), "{c:?} ({:X}) has a lower case", c as u32);
        }
        assert!(!is_caseless('Ⅰ') && !is_caseless('Ａ') && !is_caseless('Ꙁ'));
    }

    proptest::proptest! {
        #[test]
        fn headers_normalise_as_defined_on_any_mix(raw in "[ \t\u{3000}aZ（）()*_.:\\-ＡｚİẞΣ公开]{0,10}") {
            proptest::prop_assert_eq!(normalize_header(&raw), normalize_header_reference(&raw));
        }
    }

    #[test]
    fn text_starting_like_a_formula_is_written_with_a_leading_apostrophe_and_reads_back_without_it() {
        for formula in ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            let written = safe_text(formula);
            assert_eq!(written, format!("'{formula}"));
            assert_eq!(unguard_text(&written), formula);
        }
        for plain in ["新港海关", "http://tianjin.customs.gov.cn", "2022-08-31", "'已有撇号", " =空格在前", ""]
        {
            assert!(matches!(safe_text(plain), Cow::Borrowed(_)), "{plain}");
            assert_eq!(unguard_text(plain), plain);
        }
    }

    #[test]
    fn a_text_longer_than_an_excel_cell_is_cut_with_a_visible_mark() {
        let long = "a".repeat(40_000);
        let cut = safe_text(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with(TRUNCATION_MARK) && cut.starts_with("aaa"));
        let exactly = "b".repeat(MAX_CELL_CHARS);
        assert_eq!(safe_text(&exactly), exactly.as_str());
        // A guarded text that the apostrophe pushes over the limit is cut too.
        let guarded = format!("={}", "c".repeat(MAX_CELL_CHARS - 1));
        let cut = safe_text(&guarded);
        assert!(cut.starts_with("'=") && cut.ends_with(TRUNCATION_MARK));
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
    }

    #[test]
    fn the_cell_limit_counts_utf16_units_as_excel_does() {
        // 20,000 Chinese characters are 60,000 UTF-8 bytes but 20,000 UTF-16 units: they fit.
        let chinese = "海".repeat(20_000);
        assert!(matches!(safe_text(&chinese), Cow::Borrowed(_)));
        // An emoji outside the BMP is two units: 20,000 of them are 40,000 units and are cut, never inside a pair.
        let emoji = "😀".repeat(20_000);
        let cut = safe_text(&emoji);
        assert!(cut.encode_utf16().count() <= MAX_CELL_CHARS);
        assert!(cut.ends_with(TRUNCATION_MARK));
        let kept = cut.trim_end_matches(TRUNCATION_MARK);
        assert!(kept.chars().all(|c| c == '😀'));
        assert_eq!(kept.encode_utf16().count() + TRUNCATION_MARK.encode_utf16().count(), MAX_CELL_CHARS - 1);
    }
}
