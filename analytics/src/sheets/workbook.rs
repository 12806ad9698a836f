//! Opening a workbook from bytes: format sniffing, the zip checks, encryption, macros, the sheet bounds, and
//! reading a sheet's rows (an .xlsx sheet streamed cell by cell into sparse rows).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::Reader;

use super::guard::{self, Extent, OdsScanError};
use super::{
    Cell, Row, Sheet, SheetError, SourceFormat, MAX_COMPRESSION_RATIO, MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES, RATIO_FLOOR_BYTES, TOTAL_RATIO_FLOOR_BYTES,
};

const ZIP_MAGIC: &[u8] = b"PK";
pub(crate) const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What calamine reads: the upload itself, or (.xls) the compound file rewritten by `guard`.
type Rs<'a> = Cursor<Cow<'a, [u8]>>;

/// An opened workbook whose zip container (if any) passed the checks of the module.
pub struct Workbook<'a> {
    sheets: calamine::Sheets<Rs<'a>>,
    format: SourceFormat,
    /// The worksheet names in the workbook's order, each with its trimmed half-width form for [`Self::find_sheet`].
    names: Vec<(String, String)>,
    /// What every sheet may span.
    extent: Extent,
}

impl std::fmt::Debug for Workbook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workbook").field("format", &self.format).finish_non_exhaustive()
    }
}

/// What a zip container holds, for choosing the reader.
enum ZipKind {
    Ooxml,
    Ods,
}

fn corrupt(format: SourceFormat, detail: impl Into<String>) -> SheetError {
    SheetError::Corrupt { format, detail: detail.into() }
}

/// Checks the declared sizes of a zip's entries from its central directory, before anything is unpacked.
fn check_zip(bytes: &[u8], format: SourceFormat) -> Result<ZipKind, SheetError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format, format!("压缩包结构错误：{e}")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(SheetError::TooManyEntries { count: archive.len() });
    }
    let mut total_unpacked: u64 = 0;
    let mut total_packed: u64 = 0;
    let mut names = BTreeSet::new();
    let mut dense_entry = None;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| corrupt(format, format!("压缩包条目错误：{e}")))?;
        if entry.encrypted() {
            return Err(SheetError::Encrypted);
        }
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > MAX_ENTRY_BYTES {
            return Err(SheetError::EntryTooLarge { name: entry.name().to_string(), size });
        }
        // Every entry past the floor on its own: one bomb among honest entries must not hide in the total.
        if dense_entry.is_none() && size > RATIO_FLOOR_BYTES && size > packed.saturating_mul(MAX_COMPRESSION_RATIO) {
            dense_entry = Some(SheetError::CompressionRatio { unpacked: size, packed });
        }
        total_unpacked = total_unpacked.saturating_add(size);
        total_packed = total_packed.saturating_add(packed);
        names.insert(entry.name().to_string());
    }
    if total_unpacked > MAX_UNPACKED_BYTES {
        return Err(SheetError::TotalTooLarge { size: total_unpacked });
    }
    // Small entries escape the check above; together they do not.
    if total_unpacked > TOTAL_RATIO_FLOOR_BYTES && total_unpacked > total_packed.saturating_mul(MAX_COMPRESSION_RATIO) {
        return Err(SheetError::CompressionRatio { unpacked: total_unpacked, packed: total_packed });
    }
    if let Some(error) = dense_entry {
        return Err(error);
    }
    if names.contains("EncryptionInfo") || names.contains("EncryptedPackage") {
        return Err(SheetError::Encrypted);
    }
    // The VBA project's part, wherever the package puts it (Excel: `xl/vbaProject.bin`).
    if names.iter().any(|name| name.rsplit('/').next().is_some_and(|file| file.eq_ignore_ascii_case("vbaProject.bin")))
    {
        return Err(SheetError::Macros);
    }
    if names.contains("[Content_Types].xml") {
        Ok(ZipKind::Ooxml)
    } else if names.contains("content.xml") {
        Ok(ZipKind::Ods)
    } else {
        Err(corrupt(format, "压缩包中没有工作表"))
    }
}

/// Whether a compound file (the .xls container) is an encrypted OOXML package, i.e. a password-protected .xlsx:
/// its directory names a stream `EncryptedPackage` or `EncryptionInfo`. Directory entries are 128-byte records
/// starting at sector boundaries, with the name (UTF-16LE) first, so only 128-byte aligned offsets are compared.
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let needles: Vec<Vec<u8>> = ["EncryptedPackage", "EncryptionInfo"]
        .iter()
        .map(|name| name.encode_utf16().flat_map(u16::to_le_bytes).collect())
        .collect();
    // Both names start with `E` (UTF-16LE: `E`, 0), which rules out almost every entry with one comparison.
    bytes
        .chunks(128)
        .filter(|entry| entry.starts_with(b"E\0"))
        .any(|entry| needles.iter().any(|needle| entry.starts_with(needle)))
}

fn open_error(format: SourceFormat, err: impl std::fmt::Display) -> SheetError {
    let text = err.to_string();
    // calamine reports an .xls with a FILEPASS record (and some encrypted files) as password-protected.
    if text.to_ascii_lowercase().contains("password") {
        SheetError::Encrypted
    } else {
        corrupt(format, text)
    }
}

/// Opens a workbook after the checks of the module, its sheets bounded by `extent` (see the module rules of
/// [`super`]). `format` is what the upload claims; the bytes decide.
pub fn open_workbook(bytes: &[u8], format: SourceFormat, extent: Extent) -> Result<Workbook<'_>, SheetError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SheetError::EmptyFile);
    }
    // calamine and zip are not expected to panic, but a malformed file must never take the server down.
    match catch_unwind(AssertUnwindSafe(|| open_inner(bytes, format, extent))) {
        Ok(result) => result,
        Err(_) => Err(corrupt(format, "读取时内部出错")),
    }
}

fn open_inner(bytes: &[u8], format: SourceFormat, extent: Extent) -> Result<Workbook<'_>, SheetError> {
    let sheets: calamine::Sheets<Rs<'_>> = if bytes.starts_with(ZIP_MAGIC) {
        match check_zip(bytes, format)? {
            // Nothing of a sheet is read yet: `read` streams it.
            ZipKind::Ooxml => calamine::Sheets::Xlsx(
                <calamine::Xlsx<Rs<'_>> as Reader<Rs<'_>>>::new(Cursor::new(Cow::Borrowed(bytes)))
                    .map_err(|e| open_error(format, e))?,
            ),
            // calamine parses every sheet here: scanned first.
            ZipKind::Ods => {
                guard::scan_ods(bytes, extent).map_err(|e| match e {
                    OdsScanError::Sheet(e) => e,
                    OdsScanError::Broken(detail) => corrupt(format, detail),
                })?;
                calamine::Sheets::Ods(
                    <calamine::Ods<Rs<'_>> as Reader<Rs<'_>>>::new(Cursor::new(Cow::Borrowed(bytes)))
                        .map_err(|e| open_error(format, e))?,
                )
            }
        }
    } else if bytes.starts_with(CFB_MAGIC) {
        if is_encrypted_package(bytes) {
            return Err(SheetError::Encrypted);
        }
        // calamine parses every sheet (and any VBA project) here: the compound file is read and scanned first.
        let compound = guard::read_compound_file(bytes).map_err(|e| corrupt(format, e))?;
        if compound.macros {
            return Err(SheetError::Macros);
        }
        if let Some(stream) = &compound.stream {
            guard::scan_xls(stream, extent)?;
        }
        calamine::Sheets::Xls(
            <calamine::Xls<Rs<'_>> as Reader<Rs<'_>>>::new(Cursor::new(Cow::Owned(compound.rewritten)))
                .map_err(|e| open_error(format, e))?,
        )
    } else {
        return Err(SheetError::NotAWorkbook { format });
    };
    let names = sheets
        .sheet_names()
        .into_iter()
        .map(|name| {
            let folded = super::to_halfwidth(&name).trim().to_string();
            (name, folded)
        })
        .collect();
    let workbook = Workbook { sheets, format, names, extent };
    if workbook.names.is_empty() {
        return Err(SheetError::NoWorksheet);
    }
    Ok(workbook)
}

impl Workbook<'_> {
    /// The worksheet names in the workbook's order (hidden sheets included).
    pub fn sheet_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|(name, _)| name.as_str())
    }

    /// The first sheet whose name, trimmed and folded to half-width, is one of `names` (in the order of `names`).
    pub fn find_sheet(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|wanted| {
            let wanted = super::to_halfwidth(wanted);
            let wanted = wanted.trim();
            self.names.iter().find(|(_, folded)| folded == wanted).map(|(name, _)| name.clone())
        })
    }

    /// Reads the non-blank rows of a sheet, keeping at most `row_cap + 1` of them (so that a caller can tell the
    /// cap was exceeded: [`Sheet::truncated`]).
    pub fn read(&mut self, name: &str, row_cap: usize) -> Result<Sheet, SheetError> {
        let format = self.format;
        match catch_unwind(AssertUnwindSafe(|| self.read_inner(name, row_cap))) {
            Ok(result) => result,
            Err(_) => Err(corrupt(format, "读取时内部出错")),
        }
    }

    fn read_inner(&mut self, name: &str, row_cap: usize) -> Result<Sheet, SheetError> {
        if let calamine::Sheets::Xlsx(xlsx) = &mut self.sheets {
            return read_xlsx(xlsx, name, row_cap, self.extent, self.format);
        }
        // .xls and .ods were scanned against the extent when opened, so this range is bounded. It is ours (calamine
        // hands out a copy): its cells are moved into ours, not copied again, and blank rows (formatted but empty
        // cells, common in .xls) are skipped before anything is allocated for them.
        let mut range = self.sheets.worksheet_range(name).map_err(|e| open_error(self.format, e))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        let mut truncated = false;
        for index in 0..range.height() {
            let cells = &mut range[index];
            // Trailing blank cells are left out: `Row::cell` answers `Empty` beyond the row.
            let Some(last) = cells.iter().rposition(|data| !Cell::data_is_blank(data)) else {
                continue;
            };
            if rows.len() > row_cap {
                truncated = true;
                break;
            }
            rows.push(Row {
                line: first_row as usize + index + 1,
                first_col,
                cells: cells[..=last].iter_mut().map(|data| Cell::from_owned_data(std::mem::take(data))).collect(),
            });
        }
        Ok(Sheet { name: name.to_string(), rows, truncated })
    }
}

/// Reads an .xlsx sheet cell by cell: its declared dimension and every cell's position are checked against the
/// extent as they come, and only non-blank cells are kept, in rows of their own (never a dense range of the sheet).
fn read_xlsx(
    xlsx: &mut calamine::Xlsx<Rs<'_>>,
    name: &str,
    row_cap: usize,
    extent: Extent,
    format: SourceFormat,
) -> Result<Sheet, SheetError> {
    let mut reader = match xlsx.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet: no cells (what calamine's own range gives).
        Err(calamine::XlsxError::NotAWorksheet(_)) => {
            return Ok(Sheet { name: name.to_string(), rows: Vec::new(), truncated: false })
        }
        Err(e) => return Err(open_error(format, e)),
    };
    let declared = reader.dimensions();
    if !extent.contains(declared.start.0, declared.start.1) || !extent.contains(declared.end.0, declared.end.1) {
        return Err(SheetError::DeclaredExtent {
            sheet: name.to_string(),
            range: format!(
                "{}:{}",
                guard::position_name(declared.start.0, declared.start.1),
                guard::position_name(declared.end.0, declared.end.1)
            ),
            extent,
        });
    }
    // Each row's cells by column, at most `extent.cols` of them; a cell given twice keeps its last value.
    let mut grid: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(|e| open_error(format, e))? {
        let (row, col) = cell.get_position();
        if !extent.contains(row, col) {
            return Err(extent.out_of_extent(name, row, col));
        }
        let data = calamine::Data::from(cell.get_value().clone());
        if Cell::data_is_blank(&data) {
            continue;
        }
        let cells = grid.entry(row).or_default();
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = Cell::from_owned_data(data);
    }
    // The sheet's leftmost filled column is every row's first, as in a range read.
    let first_col = grid.values().filter_map(|cells| cells.iter().position(|c| !c.is_blank())).min().unwrap_or(0);
    let mut rows = Vec::new();
    let mut truncated = false;
    for (row, mut cells) in grid {
        let Some(last) = cells.iter().rposition(|c| !c.is_blank()) else {
            continue;
        };
        if rows.len() > row_cap {
            truncated = true;
            break;
        }
        cells.truncate(last + 1);
        cells.drain(..first_col);
        rows.push(Row { line: row as usize + 1, first_col: first_col as u32, cells });
    }
    Ok(Sheet { name: name.to_string(), rows, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXTENT: Extent = Extent { rows: 500, cols: 100 };

    fn directory_entry(name: &str) -> Vec<u8> {
        let mut entry: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        entry.resize(128, 0);
        entry
    }

    #[test]
    fn an_encrypted_package_is_recognised_by_its_directory_entries_only() {
        let mut file = CFB_MAGIC.to_vec();
        file.resize(512, 0);
        file.extend(directory_entry("Root Entry"));
        file.extend(directory_entry("EncryptionInfo"));
        assert!(is_encrypted_package(&file));
        assert_eq!(open_workbook(&file, SourceFormat::Xlsx, EXTENT).unwrap_err(), SheetError::Encrypted);
        // The same name inside cell text (not at an entry's start) is no encryption.
        let mut plain = CFB_MAGIC.to_vec();
        plain.resize(530, 0);
        plain.extend(directory_entry("EncryptedPackage"));
        assert!(!is_encrypted_package(&plain));
    }

    #[test]
    fn sheets_are_found_by_name_after_folding_full_width_and_spaces() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet().set_name(" 公开事项 ").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut opened = open_workbook(&bytes, SourceFormat::Xlsx, EXTENT).unwrap();
        assert_eq!(opened.find_sheet(&["机构", "公开事项"]).as_deref(), Some(" 公开事项 "));
        assert_eq!(opened.find_sheet(&["_meta"]), None);
        let sheet = opened.read(" 公开事项 ", 10).unwrap();
        assert!(sheet.rows.is_empty() && !sheet.truncated);
    }

    #[test]
    fn a_row_ends_at_its_last_filled_cell_and_reads_empty_beyond_it() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet().set_name("表").unwrap();
        sheet.write_string(0, 1, "甲").unwrap();
        sheet.write_string(0, 2, "  ").unwrap();
        sheet.write_string(0, 5, "\u{3000}").unwrap();
        sheet.write_number(2, 4, 3.0).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let sheet = open_workbook(&bytes, SourceFormat::Xlsx, EXTENT).unwrap().read("表", 10).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        let (first, second) = (&sheet.rows[0], &sheet.rows[1]);
        assert_eq!((first.line, first.first_col, first.cells.len()), (1, 1, 1));
        assert_eq!(first.cell(1), &Cell::Text("甲".into()));
        assert_eq!(first.cell(2), &Cell::Empty);
        assert_eq!(first.cell(5), &Cell::Empty);
        assert_eq!(second.line, 3);
        assert_eq!(second.cell(4), &Cell::Number(3.0));
        assert_eq!(second.filled().collect::<Vec<_>>(), vec![(4, &Cell::Number(3.0))]);
    }

    #[test]
    fn a_taken_text_is_the_cells_trimmed_text_and_leaves_the_cell_empty() {
        let mut row = Row {
            line: 7,
            first_col: 2,
            cells: vec![
                Cell::Text("网址".into()),
                Cell::Text(" 公告栏\u{3000}".into()),
                Cell::Number(12.0),
                Cell::Date(chrono::NaiveDate::from_ymd_opt(2022, 8, 31).unwrap()),
                Cell::Empty,
            ],
        };
        let expected: Vec<Option<String>> =
            (0..8).map(|col| Some(row.cell(col).as_text()).filter(|t| !t.is_empty())).collect();
        let taken: Vec<Option<String>> = (0..8).map(|col| row.take_text(col)).collect();
        assert_eq!(taken, expected);
        assert_eq!(taken[3].as_deref(), Some("公告栏"));
        assert_eq!(taken[5].as_deref(), Some("2022-08-31"));
        assert!(row.cells.iter().all(Cell::is_blank));
        assert_eq!(row.take_text(2), None);
    }

    #[test]
    fn half_width_text_is_trimmed_and_folded_whatever_the_cell() {
        assert_eq!(Cell::Text("\u{3000}ＡＢ１ ".into()).as_halfwidth(), "AB1");
        assert_eq!(Cell::Text("r1".into()).as_halfwidth(), "r1");
        assert_eq!(Cell::Number(2.5).as_halfwidth(), "2.5");
        assert_eq!(Cell::Empty.as_halfwidth(), "");
    }
}
