//! Reading spreadsheets that people filled in by hand, and writing cells safely: the helpers shared by every import
//! (offices, returns) and every Excel writer.
//!
//! The rules of this module:
//! - **Sniff, don't trust the extension.** A workbook is recognised by its magic bytes (`PK` zip: .xlsx/.xlsm/.ods;
//!   `D0 CF 11 E0` compound file: .xls, or an encrypted .xlsx); the declared [`SourceFormat`] only names the file in
//!   messages.
//! - **Check before unpacking.** A zip container's central directory is checked first: at most [`MAX_ZIP_ENTRIES`]
//!   entries, none declaring more than [`MAX_ENTRY_BYTES`] unpacked, all together at most [`MAX_UNPACKED_BYTES`],
//!   every entry above [`RATIO_FLOOR_BYTES`] at most [`MAX_COMPRESSION_RATIO`] times its packed size, and the
//!   whole container (small entries included) too once its total passes [`TOTAL_RATIO_FLOOR_BYTES`]. Only then does
//!   calamine read it.
//! - **Bound every sheet before anything is allocated for it.** The caller names the [`Extent`] its sheets may
//!   span (a return: [`crate::returns::RETURN_EXTENT`]; an office list: [`crate::offices::import::OFFICE_EXTENT`]). A
//!   declared dimension or a cell outside it refuses the workbook ([`SheetError::OutOfExtent`],
//!   [`SheetError::DeclaredExtent`]), naming the sheet and the cell: .xlsx cells are streamed into sparse rows, never a
//!   dense range; .xls and .ods cells are scanned before calamine parses them (see `guard.rs`).
//! - **No macros.** A workbook holding a VBA project (`vbaProject.bin` in the zip, a `_VBA_PROJECT_CUR` or `VBA`
//!   storage in a compound file) is refused ([`SheetError::Macros`]); an .xlsm without one is read.
//! - **Never panic.** Every failure is a [`SheetError`] whose `Display` is one clear Chinese sentence; calamine is
//!   additionally run under `catch_unwind` (which cannot catch an allocation failure: hence the bounds above).
//! - **Tolerate what people type.** [`to_halfwidth`] folds full-width ASCII (Ａ０（：) and the ideographic space;
//!   [`normalize_header`] compares headers without spaces, punctuation or a trailing hint in parentheses; dates may
//!   be date cells, Excel serials or the text forms [`parse_date_text`] lists.
//! - **Name cells as Excel does.** [`cell_reference`] gives `公开事项!E7` (the sheet quoted when Excel would quote it).
//! - **Write text that stays text.** Every Excel writer passes its text through [`safe_text`]: a text starting with
//!   `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (so a re-save as CSV cannot make it a formula),
//!   and a text longer than Excel's [`MAX_CELL_CHARS`] is cut with the visible mark [`TRUNCATION_MARK`]. Reading
//!   undoes the guard: a text cell `'` followed by one of those characters reads without the `'`.

mod guard;
mod text;
mod workbook;

pub use guard::Extent;
pub use text::{
    cell_reference, column_letters, date_from_cell, date_from_serial, format_number, normalize_header, parse_date_text,
    safe_text, sheet_reference, to_halfwidth, unguard_text, DATE_FORMATS_HINT, MAX_CELL_CHARS, TRUNCATION_MARK,
};
#[cfg(test)]
pub(crate) use workbook::CFB_MAGIC;
pub use workbook::{open_workbook, Workbook};

use chrono::NaiveDate;

/// Largest declared unpacked size of one entry of a workbook's zip container (200 MB).
pub const MAX_ENTRY_BYTES: u64 = 200 * 1000 * 1000;

/// Largest declared unpacked size of all entries of a workbook's zip container together (200 MB).
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1000 * 1000;

/// Largest ratio of declared unpacked to packed size of a zip entry (and of a whole workbook container).
pub const MAX_COMPRESSION_RATIO: u64 = 100;

/// Unpacked size below which one entry's compression ratio is not checked (64 KiB): on a small entry the ratio
/// means nothing (a few hundred bytes of headers pack tightly). Small entries still count towards the container's
/// total ratio and the request's budget.
pub const RATIO_FLOOR_BYTES: u64 = 64 * 1024;

/// Unpacked total of a workbook container below which its overall compression ratio is not checked (1 MiB).
pub const TOTAL_RATIO_FLOOR_BYTES: u64 = 1024 * 1024;

/// Most entries a workbook's zip container may hold. Excel writes a dozen or two; thousands mean a hostile file.
pub const MAX_ZIP_ENTRIES: usize = 1000;

/// The formats an import file can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Csv,
    Xlsx,
    Xlsm,
    Xls,
    Ods,
}

impl SourceFormat {
    /// The format a file name's extension announces (case-insensitive), e.g. `机构.XLSX`.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, ext) = name.trim().rsplit_once('.')?;
        match ext.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(SourceFormat::Csv),
            "xlsx" => Some(SourceFormat::Xlsx),
            "xlsm" => Some(SourceFormat::Xlsm),
            "xls" => Some(SourceFormat::Xls),
            "ods" => Some(SourceFormat::Ods),
            _ => None,
        }
    }

    /// The usual extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Xlsx => "xlsx",
            SourceFormat::Xlsm => "xlsm",
            SourceFormat::Xls => "xls",
            SourceFormat::Ods => "ods",
        }
    }

    /// Whether the format is a workbook (not CSV text).
    pub fn is_workbook(self) -> bool {
        !matches!(self, SourceFormat::Csv)
    }
}

/// Why a file could not be read as a workbook at all. `Display` is the Chinese message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("文件是空的，没有任何内容")]
    EmptyFile,
    #[error("工作簿设有打开密码（已加密），无法读取：请在 Excel 中取消密码后另存为 .xlsx 再导入")]
    Encrypted,
    #[error(
        "无法读取该 .{} 文件：文件可能已损坏、设有密码或不是所声明的格式（{detail}）。请用 Excel 打开后另存为 .xlsx 再导入",
        format.extension()
    )]
    Corrupt { format: SourceFormat, detail: String },
    #[error(
        "文件不是有效的 .{} 工作簿（既不是 Excel/ODS 压缩包，也不是旧版 .xls）；如果是 CSV 文本，请以 .csv 扩展名上传",
        format.extension()
    )]
    NotAWorkbook { format: SourceFormat },
    #[error("工作簿中的“{name}”声明解压后有 {size} 字节，超过上限 {} 字节（200 MB），拒绝读取", MAX_ENTRY_BYTES)]
    EntryTooLarge { name: String, size: u64 },
    #[error(
        "工作簿的压缩比异常（解压后 {unpacked} 字节，压缩后 {packed} 字节，超过 {} 倍），拒绝读取",
        MAX_COMPRESSION_RATIO
    )]
    CompressionRatio { unpacked: u64, packed: u64 },
    #[error("工作簿的压缩包中有 {count} 个条目，超过上限 {}，拒绝读取", MAX_ZIP_ENTRIES)]
    TooManyEntries { count: usize },
    #[error("工作簿的压缩包中各条目解压后共 {size} 字节，超过上限 {} 字节（200 MB），拒绝读取", MAX_UNPACKED_BYTES)]
    TotalTooLarge { size: u64 },
    #[error("工作簿含有宏（VBA 代码），出于安全原因不予接收：请另存为不含宏的 .xlsx 后再上传")]
    Macros,
    #[error(
        "工作表“{sheet}”的单元格 {cell} 超出可读取的范围（最多 {} 行、{} 列），拒绝读取：请删去范围以外的内容后再上传",
        extent.rows,
        extent.cols
    )]
    OutOfExtent { sheet: String, cell: String, extent: Extent },
    #[error(
        "工作表“{sheet}”声明的范围 {range} 超出可读取的范围（最多 {} 行、{} 列），拒绝读取：请删去范围以外的内容（含空白格式）后再上传",
        extent.rows,
        extent.cols
    )]
    DeclaredExtent { sheet: String, range: String, extent: Extent },
    #[error("工作簿各工作表合计约 {cells} 个单元格，超过上限 {limit} 个，拒绝读取")]
    WorkbookTooLarge { cells: u64, limit: u64 },
    #[error("工作簿中没有工作表")]
    NoWorksheet,
    #[error("工作表“{0}”是空的，没有任何内容")]
    EmptySheet(String),
}

/// A cell, whatever the source format.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    /// A date cell that is no calendar date (out of range), with its raw value.
    BadDate(String),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// A text cell; blank text is [`Cell::Empty`].
    pub fn text(raw: &str) -> Self {
        if raw.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(raw.to_string())
        }
    }

    pub fn is_blank(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as trimmed text: numbers without a needless `.0`, dates as `2022-08-31`.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Date(d) => d.to_string(),
            Cell::BadDate(s) | Cell::Error(s) => s.clone(),
        }
    }

    /// The cell as trimmed half-width text (see [`to_halfwidth`]).
    pub fn as_halfwidth(&self) -> String {
        // Folding keeps whitespace whitespace (U+3000 becomes a space), so trimming once after it is the same as
        // trimming before and after; a text cell is copied once.
        let folded = match self {
            Cell::Text(s) => to_halfwidth(s),
            other => to_halfwidth(&other.as_text()),
        };
        let trimmed = folded.trim();
        if trimmed.len() == folded.len() {
            folded
        } else {
            trimmed.to_string()
        }
    }

    /// Whether a calamine cell becomes [`Cell::Empty`] (empty, or blank text), without converting it.
    pub fn data_is_blank(data: &calamine::Data) -> bool {
        use calamine::Data;
        match data {
            Data::Empty => true,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// [`Cell::from_data`] taking the cell, so that its text is moved rather than copied.
    pub fn from_owned_data(data: calamine::Data) -> Self {
        use calamine::Data;
        match data {
            Data::String(mut s) | Data::DateTimeIso(mut s) | Data::DurationIso(mut s) => {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    if unguard_text(&s).len() < s.len() {
                        s.remove(0);
                    }
                    Cell::Text(s)
                }
            }
            other => Cell::from_data(&other),
        }
    }

    pub fn from_data(data: &calamine::Data) -> Self {
        use calamine::Data;
        match data {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(unguard_text(s)),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.to_string()),
            Data::Error(e) => Cell::Error(e.to_string()),
            Data::DateTime(dt) => {
                let value = dt.as_f64();
                // `to_ymd_hms_milli` is only sound on Excel's range (1900-01-01 ..= 9999-12-31).
                if dt.is_datetime() && (0.0..2_958_466.0).contains(&value) {
                    let (y, m, d, ..) = dt.to_ymd_hms_milli();
                    match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                        Some(date) => Cell::Date(date),
                        None => Cell::BadDate(format_number(value)),
                    }
                } else {
                    Cell::BadDate(format_number(value))
                }
            }
        }
    }
}

/// One row of a sheet (or a CSV record).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based row as the user sees it.
    pub line: usize,
    /// 0-based absolute column of `cells[0]` (workbooks may start further right).
    pub first_col: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }

    /// The cell in a 0-based absolute column; [`Cell::Empty`] outside the row.
    pub fn cell(&self, col: u32) -> &Cell {
        col.checked_sub(self.first_col).and_then(|i| self.cells.get(i as usize)).unwrap_or(&Cell::Empty)
    }

    /// Takes the cell in a 0-based absolute column as trimmed text ([`Cell::as_text`]), leaving it empty; `None`
    /// when it is empty. A text cell's text is moved, not copied, when it needs no trimming.
    pub fn take_text(&mut self, col: u32) -> Option<String> {
        let cell = col.checked_sub(self.first_col).and_then(|i| self.cells.get_mut(i as usize))?;
        match std::mem::replace(cell, Cell::Empty) {
            Cell::Empty => None,
            Cell::Text(text) if text.trim().len() == text.len() => Some(text),
            other => Some(other.as_text()).filter(|t| !t.is_empty()),
        }
    }

    /// The non-empty cells with their 0-based absolute columns.
    pub fn filled(&self) -> impl Iterator<Item = (u32, &Cell)> {
        self.cells.iter().enumerate().filter(|(_, c)| !c.is_blank()).map(|(i, c)| (self.first_col + i as u32, c))
    }
}

/// The non-blank rows of one worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Non-blank rows, top to bottom, at most the cap asked for plus one.
    pub rows: Vec<Row>,
    /// Whether rows beyond the cap were left unread.
    pub truncated: bool,
}
