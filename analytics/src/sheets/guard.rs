//! Bounding a workbook's sheets before anything is allocated for them.
//!
//! calamine builds a dense [`calamine::Range`] spanning a sheet's first to last cell, so two cells far apart (A1 and
//! XFD1048576) or a declared dimension of the whole grid ask for hundreds of gigabytes, and a failed allocation
//! aborts the process. The reader of .xlsx streams the cells instead (`workbook.rs`); .xls and .ods are parsed whole
//! by calamine when the workbook is opened, so their cells are scanned here first, by the same rules calamine uses to
//! place them:
//! - **.ods**: `content.xml` is streamed; a cell counts when calamine would keep it (a value, a string type or a
//!   formula), at the row and column its repeats (`table:number-rows-repeated`, `table:number-columns-repeated`)
//!   put it, the last repeat included. calamine also holds every cell of a row before its last element, empty
//!   ones included (once per row element): those count towards the workbook's budget, so a run of a billion
//!   empty cells before one more cell is refused too.
//! - **.xls**: the compound file is read with the `cfb` crate (which validates it) and its workbook stream is
//!   written into a fresh compound file, the only one calamine reads (its own reader allocates whatever the header
//!   says). The BIFF records of each sheet are walked; the DIMENSIONS record (calamine reserves room for it) and
//!   every cell record calamine reads must lie inside the extent.
//!
//! Besides each sheet's own extent, the dense area calamine will build over all sheets together is at most
//! [`Extent::cells`]: a workbook of many sheets cannot multiply the bound.

use std::io::{BufReader, Cursor, Read, Write};

use super::{column_letters, SheetError};

/// The most a sheet may span: rows and columns from A1. Every importer names its own (see [`super`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Rows (1 ..= `rows`).
    pub rows: u32,
    /// Columns (A ..= the `cols`-th).
    pub cols: u32,
}

impl Extent {
    /// The dense area calamine may build over all sheets of one workbook together: one full sheet's worth.
    pub fn cells(self) -> u64 {
        u64::from(self.rows) * u64::from(self.cols)
    }

    /// Whether a 0-based position lies inside.
    pub fn contains(self, row: u32, col: u32) -> bool {
        row < self.rows && col < self.cols
    }

    pub(crate) fn out_of_extent(self, sheet: &str, row: u32, col: u32) -> SheetError {
        SheetError::OutOfExtent { sheet: sheet.to_string(), cell: position_name(row, col), extent: self }
    }
}

/// `XFD1048576` for a 0-based position, however far out it is.
pub(crate) fn position_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// The dense area of the cells seen so far in one sheet, for the workbook-wide budget.
#[derive(Default)]
struct Span {
    bounds: Option<(u32, u32, u32, u32)>,
}

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        self.bounds = Some(match self.bounds {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }

    fn area(&self) -> u64 {
        self.bounds.map_or(0, |(r0, r1, c0, c1)| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1))
    }
}

/// Adds one sheet's area to the workbook's total, refusing when the total passes the budget.
fn charge(total: &mut u64, area: u64, extent: Extent) -> Result<(), SheetError> {
    *total = total.saturating_add(area);
    if *total > extent.cells() {
        return Err(SheetError::WorkbookTooLarge { cells: *total, limit: extent.cells() });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// .ods

/// Scans `content.xml` of an .ods (already checked to be in the zip) against `extent`.
pub(crate) fn scan_ods(bytes: &[u8], extent: Extent) -> Result<(), OdsScanError> {
    use quick_xml::events::Event;

    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| OdsScanError::Broken(e.to_string()))?;
    let content = archive.by_name("content.xml").map_err(|e| OdsScanError::Broken(e.to_string()))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    // calamine's settings, so that what it reads is what is scanned.
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = false;
    config.check_comments = false;
    config.trim_text(false);
    let mut buf = Vec::new();
    let mut skip = Vec::new();
    let mut total = 0u64;
    // The table being read: its name, the current row (0-based, repeats counted), the rows' elements seen, and
    // the span of its kept cells.
    let mut table: Option<(String, u64, u64, Span)> = None;
    // The row being read: its repeats, the current column, and the columns calamine keeps of it so far.
    let mut row: Option<(u64, u64, u64)> = None;
    // The cells calamine holds over all rows of all sheets before building their ranges.
    let mut kept = 0u64;
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(|e| OdsScanError::Broken(e.to_string()))?;
        match event {
            Event::Start(ref e) => match e.name().as_ref() {
                b"table:table" => {
                    let name = attribute(e, b"table:name", &reader).unwrap_or_default();
                    table = Some((name, 0, 0, Span::default()));
                    row = None;
                }
                b"table:table-row" => {
                    if let Some((name, row_index, elements, _)) = table.as_mut() {
                        *elements += 1;
                        // Every row element takes at least one row: more elements than rows (and a trailing one of
                        // empty rows) cannot fit.
                        if *elements > u64::from(extent.rows) + 1 {
                            return Err(OdsScanError::Sheet(extent.out_of_extent(name, clamp(*row_index), 0)));
                        }
                        row = Some((repeats(e, b"table:number-rows-repeated", &reader), 0, 0));
                    }
                }
                name @ (b"table:table-cell" | b"table:covered-table-cell") => {
                    if let (Some((sheet, row_index, _, span)), Some((row_repeats, col, kept_to))) =
                        (table.as_mut(), row.as_mut())
                    {
                        // calamine keeps every cell before this one in its row, empty ones too.
                        *kept_to = *col;
                        let col_repeats = repeats(e, b"table:number-columns-repeated", &reader);
                        if kept_by_calamine(e) {
                            let last_row = row_index.saturating_add(row_repeats.saturating_sub(1));
                            let last_col = col.saturating_add(col_repeats.saturating_sub(1));
                            if last_row >= u64::from(extent.rows) || last_col >= u64::from(extent.cols) {
                                return Err(OdsScanError::Sheet(extent.out_of_extent(
                                    sheet,
                                    clamp(last_row),
                                    clamp(last_col),
                                )));
                            }
                            span.add(*row_index as u32, *col as u32);
                            span.add(last_row as u32, last_col as u32);
                            *kept_to = last_col + 1;
                        }
                        *col = col.saturating_add(col_repeats);
                    }
                    // A cell's content (paragraphs, annotations, even a nested table) is no part of the grid.
                    skip.clear();
                    reader
                        .read_to_end_into(quick_xml::name::QName(name), &mut skip)
                        .map_err(|e| OdsScanError::Broken(e.to_string()))?;
                }
                _ => {}
            },
            Event::End(ref e) => match e.name().as_ref() {
                b"table:table-row" => {
                    if let (Some((_, row_index, _, _)), Some((row_repeats, _, kept_to))) = (table.as_mut(), row.take())
                    {
                        *row_index = row_index.saturating_add(row_repeats);
                        // The row's cells calamine holds before it builds the range (once per row element).
                        kept = kept.saturating_add(kept_to);
                        if kept > extent.cells() {
                            return Err(OdsScanError::Sheet(SheetError::WorkbookTooLarge {
                                cells: kept,
                                limit: extent.cells(),
                            }));
                        }
                    }
                }
                b"table:table" => {
                    if let Some((_, _, _, span)) = table.take() {
                        charge(&mut total, span.area(), extent).map_err(OdsScanError::Sheet)?;
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Why an .ods could not be scanned: a sheet out of bounds, or XML calamine would refuse too.
#[derive(Debug)]
pub(crate) enum OdsScanError {
    Sheet(SheetError),
    Broken(String),
}

fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn attribute<R>(e: &quick_xml::events::BytesStart<'_>, key: &[u8], reader: &quick_xml::Reader<R>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.decode_and_unescape_value(reader.decoder()).ok().map(|v| v.into_owned()))
}

/// A repeat count; calamine refuses what does not parse, so that is counted as one here.
fn repeats<R>(e: &quick_xml::events::BytesStart<'_>, key: &[u8], reader: &quick_xml::Reader<R>) -> u64 {
    attribute(e, key, reader).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

/// Whether calamine keeps the cell (its `get_datatype` gives a value or a formula), from the attributes alone.
fn kept_by_calamine(e: &quick_xml::events::BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| match a.key.as_ref() {
        b"office:value"
        | b"office:string-value"
        | b"office:date-value"
        | b"office:time-value"
        | b"office:boolean-value"
        | b"table:formula" => true,
        b"office:value-type" => a.value.as_ref() == b"string",
        _ => false,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// .xls

/// What the compound file of an .xls holds, read before calamine parses it.
pub(crate) struct CompoundFile {
    /// A VBA project (`_VBA_PROJECT_CUR`, or a `VBA` storage anywhere).
    pub macros: bool,
    /// The BIFF stream (`Workbook`, or `Book` for BIFF5), when there is one.
    pub stream: Option<Vec<u8>>,
    /// A new compound file holding only that stream, written by the `cfb` crate: what calamine is given.
    pub rewritten: Vec<u8>,
}

/// Opens the compound file (the `cfb` crate validates its sector chains and sizes against the file), reads its
/// workbook stream and writes it into a fresh compound file. calamine's own compound-file reader trusts the header
/// and directory (a sector number or a stream length becomes an allocation of that size, a looping chain grows
/// without end), so it only ever reads the file written here. `Err` when it is no readable compound file.
pub(crate) fn read_compound_file(bytes: &[u8]) -> Result<CompoundFile, String> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let macros = file.walk().any(|entry| {
        entry.is_storage() && (entry.name().eq_ignore_ascii_case("_VBA_PROJECT_CUR") || entry.name() == "VBA")
    });
    let mut stream = None;
    for name in ["/Workbook", "/Book"] {
        if file.is_stream(name) {
            let mut data = Vec::new();
            // Bounded by the file: the chain of sectors is finite and within it, whatever length is declared.
            file.open_stream(name).and_then(|mut s| s.read_to_end(&mut data)).map_err(|e| e.to_string())?;
            stream = Some((name, data));
            break;
        }
    }
    // Version 3 (512-byte sectors): calamine takes a version 4 file without a mini stream for an empty one.
    let mut fresh =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).map_err(|e| e.to_string())?;
    if let Some((name, data)) = &stream {
        fresh.create_stream(name).and_then(|mut s| s.write_all(data)).map_err(|e| e.to_string())?;
    }
    fresh.flush().map_err(|e| e.to_string())?;
    let rewritten = fresh.into_inner().into_inner();
    Ok(CompoundFile { macros, stream: stream.map(|(_, data)| data), rewritten })
}

/// The records of a BIFF stream, as calamine walks them (CONTINUE records are data, not cells).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let current = rest;
        let typ = u16_at(current, 0)?;
        let len = usize::from(u16_at(current, 2)?);
        let data = current.get(4..4 + len)?;
        rest = &current[4 + len..];
        Some((typ, data))
    })
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([*data.get(at)?, *data.get(at + 1)?, *data.get(at + 2)?, *data.get(at + 3)?]))
}

/// A BoundSheet8 record's sheet name, for messages: UTF-16 or Latin-1 in BIFF8, the Chinese code page before.
fn sheet_name(data: &[u8], biff8: bool, index: usize) -> String {
    let fallback = || format!("第 {} 个工作表", index + 1);
    let Some(&cch) = data.get(6) else { return fallback() };
    let cch = usize::from(cch);
    let name = if biff8 {
        let Some(&flags) = data.get(7) else { return fallback() };
        if flags & 1 == 1 {
            let Some(raw) = data.get(8..8 + 2 * cch) else { return fallback() };
            String::from_utf16_lossy(&raw.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>())
        } else {
            let Some(raw) = data.get(8..8 + cch) else { return fallback() };
            raw.iter().map(|&b| char::from(b)).collect()
        }
    } else {
        let Some(raw) = data.get(7..7 + cch) else { return fallback() };
        encoding_rs::GB18030.decode(raw).0.into_owned()
    };
    if name.trim().is_empty() {
        fallback()
    } else {
        name
    }
}

/// Scans a BIFF workbook stream against `extent`: each sheet's DIMENSIONS and every cell record calamine keeps.
pub(crate) fn scan_xls(stream: &[u8], extent: Extent) -> Result<(), SheetError> {
    let mut biff8 = true;
    let mut sheets = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            // BOF: the version decides how sheet names are stored.
            0x0809 => biff8 = u16_at(data, 0).is_none_or(|v| v >= 0x0600),
            // BoundSheet8: where a sheet's records start.
            0x0085 => {
                if let Some(pos) = u32_at(data, 0) {
                    sheets.push((pos as usize, sheet_name(data, biff8, sheets.len())));
                }
            }
            // FILEPASS: the rest is encrypted, and calamine refuses the file here before reading any sheet.
            0x002F if u16_at(data, 0) != Some(0) => return Ok(()),
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    // The cells calamine holds before building the ranges: one per cell record, so duplicates count too.
    let mut held = 0u64;
    for (pos, name) in sheets {
        // calamine fails on a position outside the stream; nothing is allocated for it.
        let Some(sheet) = stream.get(pos..) else { continue };
        let mut span = Span::default();
        let check = |row: u32, col: u32, span: &mut Span| {
            if !extent.contains(row, col) {
                return Err(extent.out_of_extent(&name, row, col));
            }
            span.add(row, col);
            Ok(())
        };
        let mut hold = |count: u64| {
            held = held.saturating_add(count);
            if held > extent.cells() {
                return Err(SheetError::WorkbookTooLarge { cells: held, limit: extent.cells() });
            }
            Ok(())
        };
        for (typ, data) in records(sheet) {
            match typ {
                0x0200 => check_dimensions(data, extent, &name)?,
                // NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA: row and column first.
                0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                        check(u32::from(row), u32::from(col), &mut span)?;
                        hold(1)?;
                    }
                }
                // MULRK: a row of RK values from the first column, six bytes each.
                0x00BD if data.len() >= 6 => {
                    if let (Some(row), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) {
                        let count = (data.len() - 6).div_ceil(6) as u32;
                        check(u32::from(row), u32::from(first), &mut span)?;
                        check(u32::from(row), u32::from(first) + count.saturating_sub(1), &mut span)?;
                        hold(u64::from(count))?;
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        charge(&mut total, span.area(), extent)?;
    }
    Ok(())
}

/// DIMENSIONS as calamine reads it (`parse_dimensions`), refused when its end or the room calamine reserves for it
/// (rows × columns, computed as calamine does) lies outside the extent.
fn check_dimensions(data: &[u8], extent: Extent, sheet: &str) -> Result<(), SheetError> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u32::from(u16_at(data, 0).unwrap_or(0)),
            u32::from(u16_at(data, 2).unwrap_or(0)),
            u32::from(u16_at(data, 4).unwrap_or(0)),
            u32::from(u16_at(data, 6).unwrap_or(0)),
        ),
        14 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u32::from(u16_at(data, 8).unwrap_or(0)),
            u32::from(u16_at(data, 10).unwrap_or(0)),
        ),
        // calamine refuses any other length before reserving anything.
        _ => return Ok(()),
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    let (start, end) = if last_row >= 1 && last_col >= 1 {
        ((first_row, first_col), (last_row - 1, last_col - 1))
    } else {
        ((first_row, first_col), (first_row, first_col))
    };
    let rows = u64::from(end.0.wrapping_sub(start.0).wrapping_add(1));
    let cols = u64::from(end.1.wrapping_sub(start.1).wrapping_add(1));
    if !extent.contains(end.0, end.1) || !extent.contains(start.0, start.1) || rows * cols > extent.cells() {
        return Err(SheetError::DeclaredExtent {
            sheet: sheet.to_string(),
            range: format!("{}:{}", position_name(start.0, start.1), position_name(end.0, end.1)),
            extent,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Hostile workbooks, built by hand. Without the guard each of them makes calamine ask for gigabytes (or
    //! hundreds of them) and the test process aborts; with it each is refused before anything is allocated.

    use std::io::Write;

    use super::*;
    use crate::sheets::{open_workbook, Cell, SourceFormat};

    const EXTENT: Extent = Extent { rows: 500, cols: 100 };

    /// A zip of the given entries, the first stored (an .ods wants its `mimetype` so), the others deflated.
    pub(crate) fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut out);
            for (i, (name, content)) in files.iter().enumerate() {
                let method = if i == 0 { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
                writer.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
                writer.write_all(content).unwrap();
            }
            writer.finish().unwrap();
        }
        out.into_inner()
    }

    /// A real .xlsx (sheet `公开事项`) with some of its entries replaced or added.
    pub(crate) fn xlsx_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet().set_name("公开事项").unwrap().write_string(0, 0, "甲").unwrap();
        let original = workbook.save_to_buffer().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(original.as_slice())).unwrap();
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            files.push((entry.name().to_string(), content));
        }
        for (name, content) in entries {
            match files.iter_mut().find(|(n, _)| n == name) {
                Some(file) => file.1 = content.to_vec(),
                None => files.push((name.to_string(), content.to_vec())),
            }
        }
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect();
        zip_of(&refs)
    }

    fn sheet_xml(dimension: Option<&str>, cells: &str) -> Vec<u8> {
        let dimension = dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{cells}</sheetData></worksheet>"#
        )
        .into_bytes()
    }

    const FAR_APART: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;

    fn read_xlsx(bytes: &[u8]) -> Result<crate::sheets::Sheet, SheetError> {
        open_workbook(bytes, SourceFormat::Xlsx, EXTENT)?.read("公开事项", 1000)
    }

    #[test]
    fn a_sheet_with_two_cells_far_apart_is_refused_naming_the_far_cell() {
        let bytes = xlsx_with(&[("xl/worksheets/sheet1.xml", &sheet_xml(Some("A1"), FAR_APART))]);
        assert!(bytes.len() < 8 * 1024, "a small file: {} bytes", bytes.len());
        let error = read_xlsx(&bytes).unwrap_err();
        assert_eq!(
            error.to_string(),
            "工作表“公开事项”的单元格 XFD1048576 超出可读取的范围（最多 500 行、100 列），拒绝读取：请删去范围以外的内容后再上传"
        );
        // Without a dimension at all, the same.
        let bytes = xlsx_with(&[("xl/worksheets/sheet1.xml", &sheet_xml(None, FAR_APART))]);
        assert!(matches!(read_xlsx(&bytes), Err(SheetError::OutOfExtent { .. })));
    }

    #[test]
    fn a_sheet_declaring_the_whole_grid_is_refused_before_its_cells_are_read() {
        let one_cell = r#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
        let bytes = xlsx_with(&[("xl/worksheets/sheet1.xml", &sheet_xml(Some("A1:XFD1048576"), one_cell))]);
        let error = read_xlsx(&bytes).unwrap_err();
        assert!(matches!(&error, SheetError::DeclaredExtent { range, .. } if range == "A1:XFD1048576"), "{error}");
        assert!(error.to_string().contains("工作表“公开事项”声明的范围 A1:XFD1048576"), "{error}");
    }

    #[test]
    fn cells_inside_the_extent_are_read_into_sparse_rows_in_order_the_last_of_a_repeated_cell_kept() {
        let cells = r#"<row r="3"><c r="E3"><v>3</v></c></row><row r="1"><c r="B1"><v>1</v></c><c r="C1" s="1"/></row><row r="3"><c r="E3"><v>4</v></c></row><row r="500"><c r="CV500"><v>5</v></c></row>"#;
        let bytes = xlsx_with(&[("xl/worksheets/sheet1.xml", &sheet_xml(Some("B1:CV500"), cells))]);
        let sheet = read_xlsx(&bytes).unwrap();
        let lines: Vec<usize> = sheet.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 3, 500]);
        assert_eq!(sheet.rows[0].cell(1), &Cell::Number(1.0));
        assert_eq!(sheet.rows[0].cell(2), &Cell::Empty);
        assert_eq!(sheet.rows[1].cell(4), &Cell::Number(4.0));
        assert_eq!(sheet.rows[2].cell(99), &Cell::Number(5.0));
        assert!(sheet.rows.iter().all(|r| r.first_col == 1));
    }

    fn ods_of(tables: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        );
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
        zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.as_bytes()),
            ("META-INF/manifest.xml", manifest.as_bytes()),
        ])
    }

    fn read_ods(bytes: &[u8]) -> Result<crate::sheets::Sheet, SheetError> {
        open_workbook(bytes, SourceFormat::Ods, EXTENT)?.read("公开事项", 1000)
    }

    const VALUE: &str = r#"office:value-type="float" office:value="1""#;

    #[test]
    fn an_ods_row_or_cell_repeated_across_the_grid_is_refused_before_calamine_parses_it() {
        let rows = format!(
            r#"<table:table table:name="公开事项"><table:table-row table:number-rows-repeated="1048576"><table:table-cell {VALUE} table:number-columns-repeated="16384"/></table:table-row></table:table>"#
        );
        let error = read_ods(&ods_of(&rows)).unwrap_err();
        assert!(matches!(&error, SheetError::OutOfExtent { cell, .. } if cell == "XFD1048576"), "{error}");

        let far = format!(
            r#"<table:table table:name="公开事项"><table:table-row><table:table-cell {VALUE}/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell {VALUE}/></table:table-row></table:table>"#
        );
        let error = read_ods(&ods_of(&far)).unwrap_err();
        assert!(matches!(&error, SheetError::OutOfExtent { cell, .. } if cell == "XFD1048576"), "{error}");

        // No value at all, but a billion empty cells calamine would hold because another cell follows them.
        let empties = r#"<table:table table:name="公开事项"><table:table-row><table:table-cell table:number-columns-repeated="1000000000"/><table:table-cell/></table:table-row></table:table>"#;
        let error = read_ods(&ods_of(empties)).unwrap_err();
        assert!(matches!(error, SheetError::WorkbookTooLarge { cells: 1_000_000_000, .. }), "{error}");
    }

    #[test]
    fn an_ods_with_libreoffices_trailing_empty_repeats_reads_normally() {
        let table = format!(
            r#"<table:table table:name="公开事项"><table:table-row><table:table-cell {VALUE}/><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#
        );
        let sheet = read_ods(&ods_of(&table)).unwrap();
        assert_eq!(sheet.rows.len(), 1);
        assert_eq!(sheet.rows[0].cell(0), &Cell::Number(1.0));
    }

    #[test]
    fn many_ods_sheets_each_within_the_extent_cannot_add_up_past_it() {
        let one = |i: usize| {
            format!(
                r#"<table:table table:name="表{i}"><table:table-row table:number-rows-repeated="500"><table:table-cell {VALUE} table:number-columns-repeated="100"/></table:table-row></table:table>"#
            )
        };
        let tables: String = (0..3).map(one).collect();
        let error = read_ods(&ods_of(&tables)).unwrap_err();
        assert!(matches!(error, SheetError::WorkbookTooLarge { limit: 50_000, .. }), "{error}");
    }

    /// A BIFF8 record.
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend_from_slice(&col.to_le_bytes());
        data.extend_from_slice(&0u16.to_le_bytes());
        data.extend_from_slice(&1f64.to_le_bytes());
        record(0x0203, &data)
    }

    fn dimensions(rows: u32, cols: u16) -> Vec<u8> {
        let mut data = 0u32.to_le_bytes().to_vec();
        data.extend_from_slice(&rows.to_le_bytes());
        data.extend_from_slice(&0u16.to_le_bytes());
        data.extend_from_slice(&cols.to_le_bytes());
        data.extend_from_slice(&0u16.to_le_bytes());
        record(0x0200, &data)
    }

    /// A compound file whose `Workbook` stream holds one sheet `公开事项` of the given records, plus `extra` storages.
    pub(crate) fn xls_of(sheet_records: &[Vec<u8>], extra_storages: &[&str]) -> Vec<u8> {
        let bof = |dt: u16| record(0x0809, &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat());
        let name: Vec<u8> = "公开事项".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let boundsheet_len = 4 + 8 + name.len();
        let globals_len = bof(5).len() + boundsheet_len + 4;
        let mut boundsheet = (globals_len as u32).to_le_bytes().to_vec();
        boundsheet.extend_from_slice(&[0, 0, 4, 1]);
        boundsheet.extend_from_slice(&name);
        let mut stream = bof(5);
        stream.extend(record(0x0085, &boundsheet));
        stream.extend(record(0x000A, &[]));
        assert_eq!(stream.len(), globals_len);
        stream.extend(bof(0x10));
        for r in sheet_records {
            stream.extend_from_slice(r);
        }
        stream.extend(record(0x000A, &[]));
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        file.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
        for storage in extra_storages {
            file.create_storage(storage).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    fn open_xls(bytes: &[u8]) -> Result<(), SheetError> {
        open_workbook(bytes, SourceFormat::Xls, EXTENT).map(|_| ())
    }

    #[test]
    fn an_xls_with_two_cells_far_apart_is_refused_before_calamine_parses_it() {
        let bytes = xls_of(&[dimensions(10, 10), number(0, 0), number(65_535, 255)], &[]);
        let error = open_xls(&bytes).unwrap_err();
        assert_eq!(
            error,
            SheetError::OutOfExtent { sheet: "公开事项".into(), cell: "IV65536".into(), extent: EXTENT },
            "{error}"
        );
    }

    #[test]
    fn an_xls_declaring_more_rows_than_the_format_has_is_refused() {
        let bytes = xls_of(&[dimensions(u32::MAX, 256), number(0, 0)], &[]);
        let error = open_xls(&bytes).unwrap_err();
        assert!(matches!(&error, SheetError::DeclaredExtent { sheet, .. } if sheet == "公开事项"), "{error}");
    }

    #[test]
    fn an_xls_within_the_extent_opens_and_reads() {
        let bytes = xls_of(&[dimensions(3, 3), number(0, 0), number(2, 2)], &[]);
        let mut workbook = open_workbook(&bytes, SourceFormat::Xls, EXTENT).unwrap();
        let sheet = workbook.read("公开事项", 10).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[1].cell(2), &Cell::Number(1.0));
    }

    #[test]
    fn a_dense_entry_hidden_among_incompressible_ones_is_refused_on_its_own_ratio() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..2_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let zeros = vec![0u8; 200 * 1024];
        let bytes = xlsx_with(&[("xl/media/image1.bin", &noise), ("xl/media/image2.bin", &zeros)]);
        let error = open_workbook(&bytes, SourceFormat::Xlsx, EXTENT).unwrap_err();
        assert!(matches!(error, SheetError::CompressionRatio { unpacked: 204_800, .. }), "{error}");
    }

    #[test]
    fn a_workbook_with_a_vba_project_is_refused_in_either_format() {
        let xlsm = xlsx_with(&[("xl/vbaProject.bin", b"\xD0\xCF\x11\xE0 not even a real project")]);
        let error = open_workbook(&xlsm, SourceFormat::Xlsm, EXTENT).unwrap_err();
        assert_eq!(error, SheetError::Macros);
        assert_eq!(
            error.to_string(),
            "工作簿含有宏（VBA 代码），出于安全原因不予接收：请另存为不含宏的 .xlsx 后再上传"
        );
        let xls = xls_of(&[number(0, 0)], &["/_VBA_PROJECT_CUR", "/_VBA_PROJECT_CUR/VBA"]);
        assert_eq!(open_xls(&xls).unwrap_err(), SheetError::Macros);
        // An .xlsm without a project is an .xlsx by another name.
        let plain = xlsx_with(&[]);
        assert!(open_workbook(&plain, SourceFormat::Xlsm, EXTENT).is_ok());
    }
}
