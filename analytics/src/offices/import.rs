//! The administrator's office import format: one row = one version of an office, in CSV or a workbook
//! (.xlsx, .xlsm, .xls, .ods).
//!
//! # The format
//! Columns are found by their header on the first row that looks like a header (the first non-empty row holding at
//! least two known headers, so a merged title row above it is skipped; otherwise the first non-empty row). Column
//! order is free, unknown columns are ignored, header cells are trimmed and full-width characters are folded to
//! half-width; English aliases (`code`, `name`, `kind`, `parent`, `valid_from`, `valid_to`, `note`) are accepted.
//!
//! | column | required | content |
//! |---|---|---|
//! | `机构代码` | yes | 4 digits (`0201`); full-width digits and Excel's dropped leading zeros (`201`) are tolerated |
//! | `机构名称` | yes | non-empty; no markup (`<`, `>`) or control characters |
//! | `机构类型` | yes | `海关总署` / `直属海关` / `隶属海关` |
//! | `上级机构代码` | yes (column) | empty only for 海关总署 |
//! | `生效日期` | yes | first day in force |
//! | `失效日期` | no | first day no longer in force (自该日起失效, exclusive); empty while current |
//! | `备注` | no | free text; no markup (`<`, `>`) or control characters other than line breaks and tabs |
//!
//! Dates may be Excel date cells, Excel serial numbers (five digits), `2022-08-31`, `2022/8/31`, `2022.8.31`,
//! `2022年8月31日` or `20220831`, with full-width digits too. CSV may be UTF-8 (with or without BOM), UTF-16 with
//! BOM, or GBK/GB18030 (what Excel on Chinese Windows saves): valid UTF-8 is read as UTF-8, anything else as
//! GB18030. The delimiter is a comma, or a tab or semicolon when the header line uses those instead. A workbook is
//! read from its sheet named `机构` or `机构名录`, else its first sheet.
//!
//! # The rules
//! - [`parse`] never panics and reports every problem of the file at once, each at the row (and for workbooks the
//!   cell) where it is, in Chinese ([`ImportProblem`]'s `Display`). At most [`MAX_ROWS`] data rows. A workbook's
//!   zip entries are checked for their declared sizes before anything is unpacked (no entry above
//!   [`MAX_ENTRY_BYTES`], unpacked/packed ratio at most [`MAX_COMPRESSION_RATIO`]), a workbook with macros is
//!   refused, and its sheets may span at most [`OFFICE_EXTENT`]: a cell or declared dimension beyond it refuses the
//!   file before anything is allocated for the sheet (see [`crate::sheets`]).
//! - Names and notes are shown in pages and titles: markup characters (`<`, `>`) and control characters are refused
//!   at the cell, whatever the pages escape.
//! - [`plan`] merges a parsed file into the existing versions: for every code in the file the file's rows replace
//!   all existing versions of that code; other codes keep theirs. The merged whole must hold together: no two
//!   versions of a code overlap in time, a code keeps one kind, exactly one 海关总署 and it has no parent, every other
//!   version's parent exists, has the kind [`OfficeKind::parent_kind`] requires and is in force on every day of
//!   the version, and every name is non-empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::{OfficeCode, OfficeKind, OfficeVersion};
use crate::sheets::{
    column_letters, date_from_cell, format_number, normalize_header, open_workbook, sheet_reference, to_halfwidth,
    Cell, Extent, Row, SheetError,
};

/// The real part of the office list: 海关总署 and the 42 direct customs, in the import format.
pub const DIRECT_CUSTOMS_CSV: &str = include_str!("../../data/offices-direct-customs.csv");

/// The header line of the import format, in its canonical column order.
pub const CSV_HEADER: &str = "机构代码,机构名称,机构类型,上级机构代码,生效日期,失效日期,备注";

/// Most data rows one file may hold.
pub const MAX_ROWS: usize = 50_000;

pub use crate::sheets::{SourceFormat, MAX_COMPRESSION_RATIO, MAX_ENTRY_BYTES, RATIO_FLOOR_BYTES};

/// How many non-empty rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 10;

/// What every sheet of an office workbook may span: [`MAX_ROWS`] data rows with room for title, header and blank
/// rows, and 30 columns (the format has seven; the rest for columns of the administrator's own, which are ignored).
pub const OFFICE_EXTENT: Extent = Extent { rows: MAX_ROWS as u32 + 1_000, cols: 30 };

/// The columns of the import format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Code,
    Name,
    Kind,
    Parent,
    ValidFrom,
    ValidTo,
    Note,
}

impl Column {
    /// All columns in the canonical order of [`CSV_HEADER`].
    pub const ALL: [Column; 7] =
        [Column::Code, Column::Name, Column::Kind, Column::Parent, Column::ValidFrom, Column::ValidTo, Column::Note];

    /// The canonical (Chinese) header.
    pub fn header(self) -> &'static str {
        match self {
            Column::Code => "机构代码",
            Column::Name => "机构名称",
            Column::Kind => "机构类型",
            Column::Parent => "上级机构代码",
            Column::ValidFrom => "生效日期",
            Column::ValidTo => "失效日期",
            Column::Note => "备注",
        }
    }

    /// Whether the column must be present in the header.
    pub fn required(self) -> bool {
        !matches!(self, Column::ValidTo | Column::Note)
    }

    /// Accepted headers, in the normalised form of `normalize_header`.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Code => &["机构代码", "代码", "关区代码", "海关代码", "code", "officecode"],
            Column::Name => &["机构名称", "名称", "海关名称", "name", "officename"],
            Column::Kind => &["机构类型", "类型", "机构层级", "层级", "kind", "type", "officekind"],
            Column::Parent => &["上级机构代码", "上级代码", "上级机构", "parent", "parentcode"],
            Column::ValidFrom => &["生效日期", "启用日期", "validfrom", "from", "startdate"],
            Column::ValidTo => &["失效日期", "停用日期", "validto"],
            Column::Note => &["备注", "说明", "note", "notes", "remark", "remarks", "comment"],
        }
    }

    fn from_header(raw: &str) -> Option<Column> {
        let normalized = normalize_header(raw);
        Column::ALL.into_iter().find(|c| c.aliases().contains(&normalized.as_str()))
    }
}

/// Where a problem is, as the user sees the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The worksheet (workbooks only).
    pub sheet: Option<String>,
    /// 1-based row as the user sees it (the spreadsheet row number, or the CSV line where the record starts).
    pub line: usize,
    /// The column's canonical header, e.g. `上级机构代码`.
    pub column: Option<String>,
    /// The cell reference, e.g. `B7` (workbooks only).
    pub cell: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行", self.line)?;
        match (&self.sheet, &self.cell) {
            (Some(sheet), Some(cell)) => write!(f, "（{}!{cell}）", sheet_reference(sheet))?,
            (Some(sheet), None) => write!(f, "（工作表 {sheet}）")?,
            (None, Some(cell)) => write!(f, "（{cell}）")?,
            (None, None) => {}
        }
        if let Some(column) = &self.column {
            if self.sheet.is_none() && self.cell.is_none() {
                f.write_str(" ")?;
            }
            f.write_str(column)?;
        }
        Ok(())
    }
}

/// One problem found in an import file, with its place when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub location: Option<Location>,
    pub message: String,
}

impl ImportProblem {
    fn file(message: impl Into<String>) -> Self {
        Self { location: None, message: message.into() }
    }

    fn at(location: Location, message: impl Into<String>) -> Self {
        Self { location: Some(location), message: message.into() }
    }
}

impl fmt::Display for ImportProblem {
    /// E.g. `第7行（机构!B7）上级机构代码：找不到代码为 9999 的机构`, or for CSV `第7行 上级机构代码：…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportProblem {}

/// Where a parsed row came from, so that [`plan`] can point at the cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSource {
    /// The worksheet (workbooks only).
    pub sheet: Option<String>,
    /// The column letters of each column found (workbooks only), e.g. `Parent → "D"`.
    pub columns: BTreeMap<Column, String>,
}

/// One parsed row: one version of an office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// 1-based row as the user sees it.
    pub line: usize,
    pub version: OfficeVersion,
    pub source: RowSource,
}

impl ImportRow {
    /// A row with no sheet or cell information (e.g. built by a caller, not parsed).
    pub fn new(line: usize, version: OfficeVersion) -> Self {
        Self { line, version, source: RowSource::default() }
    }

    /// The place of this row, or of one of its cells.
    pub fn location(&self, column: Option<Column>) -> Location {
        let cell = column.and_then(|c| self.source.columns.get(&c)).map(|letters| format!("{letters}{}", self.line));
        Location {
            sheet: self.source.sheet.clone(),
            line: self.line,
            column: column.map(|c| c.header().to_string()),
            cell,
        }
    }
}

/// The result of merging an import file into the existing versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// The merged full set, sorted by code then `valid_from`.
    pub versions: Vec<OfficeVersion>,
    /// The codes whose stored versions must be replaced (deleted, then inserted from `versions`): the added and the
    /// changed codes of the file, sorted. Codes of the file whose versions are unchanged need no write.
    pub replaced_codes: Vec<OfficeCode>,
    /// Codes in the file that did not exist.
    pub added: usize,
    /// Codes in the file whose versions differ from the existing ones.
    pub changed: usize,
    /// Codes in the file whose versions are exactly the existing ones.
    pub unchanged: usize,
}

/// Parses an import file. On failure returns every problem found in the whole file.
pub fn parse(bytes: &[u8], format: SourceFormat) -> Result<Vec<ImportRow>, Vec<ImportProblem>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(vec![ImportProblem::file("文件是空的，没有任何内容")]);
    }
    let table = match format {
        SourceFormat::Csv => read_csv(bytes)?,
        SourceFormat::Xlsx | SourceFormat::Xlsm | SourceFormat::Xls | SourceFormat::Ods => {
            read_workbook(bytes, format)?
        }
    };
    rows_from_table(&table)
}

/// 海关总署 and the 42 direct customs from [`DIRECT_CUSTOMS_CSV`], parsed and checked.
pub fn direct_customs_versions() -> Result<Vec<OfficeVersion>, Vec<ImportProblem>> {
    let rows = parse(DIRECT_CUSTOMS_CSV.as_bytes(), SourceFormat::Csv)?;
    Ok(plan(&rows, &[])?.versions)
}

// ---------------------------------------------------------------------------------------------------------------
// Reading: bytes → a table of cells.

type TableRow = Row;

struct Table {
    /// The sheet read (workbooks only); cells are then named (`B7`).
    sheet: Option<String>,
    is_workbook: bool,
    rows: Vec<TableRow>,
}

/// Rows kept while reading: enough to find the header and to know the row limit was exceeded.
const READ_ROW_CAP: usize = MAX_ROWS + HEADER_SEARCH_ROWS + 1;

fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return encoding_rs::UTF_16LE.decode_with_bom_removal(bytes).0.into_owned();
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return encoding_rs::UTF_16BE.decode_with_bom_removal(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Comma, unless the first non-empty line has more tabs or semicolons.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| first.chars().filter(|x| *x == c).count();
    let (commas, tabs, semicolons) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas && semicolons > tabs {
        b';'
    } else {
        b','
    }
}

/// Line numbers of byte offsets, counted forward. The csv crate's own line numbers miss skipped blank lines, and
/// its record offsets point at the end of the previous record, so line breaks are skipped first.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), offset: 0, line: 1 }
    }

    /// The 1-based line of the first character at or after `byte` that is not a line break.
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.text[self.offset..start].iter().filter(|b| **b == b'\n').count();
        } else {
            self.line = 1 + self.text[..start].iter().filter(|b| **b == b'\n').count();
        }
        self.offset = start;
        self.line
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, Vec<ImportProblem>> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut kept = 0usize;
    let mut lines = LineCounter::new(&text);
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map(|p| lines.line_at(p.byte())).unwrap_or(index + 1);
                let location = Location { sheet: None, line, column: None, cell: None };
                return Err(vec![ImportProblem::at(location, format!("CSV 格式错误，无法继续读取（{err}）"))]);
            }
        };
        let line = record.position().map(|p| lines.line_at(p.byte())).unwrap_or(index + 1);
        let row = TableRow { line, first_col: 0, cells: record.iter().map(Cell::text).collect() };
        if !row.is_blank() {
            kept += 1;
            rows.push(row);
            if kept > READ_ROW_CAP {
                break;
            }
        }
    }
    Ok(Table { sheet: None, is_workbook: false, rows })
}

fn sheet_problem(err: SheetError) -> ImportProblem {
    ImportProblem::file(err.to_string())
}

fn read_workbook(bytes: &[u8], format: SourceFormat) -> Result<Table, Vec<ImportProblem>> {
    let mut workbook = open_workbook(bytes, format, OFFICE_EXTENT).map_err(|e| vec![sheet_problem(e)])?;
    let sheet = workbook
        .find_sheet(&["机构", "机构名录"])
        .or_else(|| workbook.sheet_names().next().map(str::to_string))
        .ok_or_else(|| vec![sheet_problem(SheetError::NoWorksheet)])?;
    let sheet = workbook.read(&sheet, READ_ROW_CAP).map_err(|e| vec![sheet_problem(e)])?;
    Ok(Table { sheet: Some(sheet.name), is_workbook: true, rows: sheet.rows })
}

// ---------------------------------------------------------------------------------------------------------------
// Interpreting the table.

/// Characters that open or close markup: refused in names and notes, which pages and titles show.
fn is_markup(c: char) -> bool {
    matches!(c, '<' | '>')
}

fn cell_as_text(cell: &Cell) -> String {
    cell.as_text()
}

fn code_from_text(raw: &str) -> Result<OfficeCode, String> {
    let half = to_halfwidth(raw);
    let trimmed = half.trim();
    // Excel drops leading zeros of codes typed as numbers (0201 → 201), also in the CSV it saves.
    let padded = if (1..=3).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        format!("{trimmed:0>4}")
    } else {
        trimmed.to_string()
    };
    OfficeCode::parse(&padded).map_err(|_| format!("“{}”不是4位数字的机构代码（如 0201）", raw.trim()))
}

fn code_from_cell(cell: &Cell) -> Result<Option<OfficeCode>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) => code_from_text(s).map(Some),
        Cell::Number(n) if n.fract() == 0.0 && (0.0..=9999.0).contains(n) => {
            code_from_text(&format!("{:04}", *n as i64)).map(Some)
        }
        Cell::Number(n) => Err(format!("“{}”不是4位数字的机构代码（如 0201）", format_number(*n))),
        Cell::Date(_) | Cell::BadDate(_) => Err("单元格是日期，应为4位数字的机构代码（如 0201）".to_string()),
        Cell::Error(e) => Err(format!("单元格是错误值 {e}")),
    }
}

fn parse_kind(raw: &str) -> Option<OfficeKind> {
    let half = to_halfwidth(raw);
    let trimmed = half.trim();
    OfficeKind::parse(trimmed).or_else(|| {
        let compact: String = trimmed
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        match compact.as_str() {
            "headquarters" | "hq" => Some(OfficeKind::Headquarters),
            "directcustoms" | "direct" => Some(OfficeKind::DirectCustoms),
            "subordinate" | "subordinateoffice" | "subordinatecustoms" => Some(OfficeKind::Subordinate),
            _ => None,
        }
    })
}

fn is_header_row(row: &TableRow) -> bool {
    let known: BTreeSet<Column> = row
        .cells
        .iter()
        .filter_map(|c| match c {
            Cell::Text(s) => Column::from_header(s),
            _ => None,
        })
        .collect();
    known.len() >= 2
}

fn rows_from_table(table: &Table) -> Result<Vec<ImportRow>, Vec<ImportProblem>> {
    let rows: Vec<&TableRow> = table.rows.iter().filter(|r| !r.is_blank()).collect();
    let Some(first) = rows.first() else {
        return Err(vec![ImportProblem::file(match &table.sheet {
            Some(sheet) => format!("工作表“{sheet}”是空的，没有任何内容"),
            None => "文件是空的，没有任何内容".to_string(),
        })]);
    };
    let header_index = rows.iter().take(HEADER_SEARCH_ROWS).position(|r| is_header_row(r)).unwrap_or(0);
    let header = rows.get(header_index).copied().unwrap_or(first);
    let place = |line: usize, col: Option<u32>, column: Option<Column>| Location {
        sheet: table.sheet.clone(),
        line,
        column: column.map(|c| c.header().to_string()),
        cell: col.filter(|_| table.is_workbook).map(|c| format!("{}{line}", column_letters(c))),
    };

    // The header.
    let mut problems = Vec::new();
    let mut columns: BTreeMap<Column, u32> = BTreeMap::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let col = header.first_col + i as u32;
        let Cell::Text(text) = cell else { continue };
        let Some(column) = Column::from_header(text) else {
            continue;
        };
        if let Some(previous) = columns.get(&column) {
            problems.push(ImportProblem::at(
                place(header.line, Some(col), None),
                format!("列“{}”出现了两次（第{}列和第{}列），请只保留一列", column.header(), previous + 1, col + 1),
            ));
        } else {
            columns.insert(column, col);
        }
    }
    let missing: Vec<&str> =
        Column::ALL.iter().filter(|c| c.required() && !columns.contains_key(c)).map(|c| c.header()).collect();
    if !missing.is_empty() {
        problems.push(ImportProblem::at(
            place(header.line, None, None),
            format!(
                "缺少必需的列：{}（表头应为：{}；失效日期、备注可省略）",
                missing.join("、"),
                CSV_HEADER.replace(',', "、")
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    // The data rows.
    let data = &rows[header_index + 1..];
    if data.is_empty() {
        return Err(vec![ImportProblem::at(place(header.line, None, None), "表头下面没有数据行")]);
    }
    if data.len() > MAX_ROWS {
        return Err(vec![ImportProblem::file(format!(
            "数据行太多：一个文件最多 {MAX_ROWS} 行，本文件超过了这个数目；请分成几个文件导入"
        ))]);
    }
    let source = RowSource {
        sheet: table.sheet.clone(),
        columns: if table.is_workbook {
            columns.iter().map(|(c, col)| (*c, column_letters(*col))).collect()
        } else {
            BTreeMap::new()
        },
    };
    let mut parsed = Vec::with_capacity(data.len());
    for row in data {
        let cell = |column: Column| columns.get(&column).map(|col| row.cell(*col)).unwrap_or(&Cell::Empty);
        let mut report = |column: Column, message: String| {
            problems.push(ImportProblem::at(place(row.line, columns.get(&column).copied(), Some(column)), message));
        };
        let code = match code_from_cell(cell(Column::Code)) {
            Ok(Some(code)) => Some(code),
            Ok(None) => {
                report(Column::Code, "不能为空".to_string());
                None
            }
            Err(message) => {
                report(Column::Code, message);
                None
            }
        };
        let name = cell_as_text(cell(Column::Name));
        if name.is_empty() {
            report(Column::Name, "不能为空".to_string());
        } else if name.chars().any(|c| is_markup(c) || c.is_control()) {
            report(Column::Name, "机构名称不得包含 < > 等标记字符或控制字符".to_string());
        }
        let kind = match cell(Column::Kind) {
            Cell::Empty => {
                report(Column::Kind, "不能为空（应为 海关总署、直属海关 或 隶属海关）".to_string());
                None
            }
            other => {
                let text = cell_as_text(other);
                let kind = parse_kind(&text);
                if kind.is_none() {
                    report(Column::Kind, format!("无法识别“{text}”，应为 海关总署、直属海关 或 隶属海关"));
                }
                kind
            }
        };
        let parent = match code_from_cell(cell(Column::Parent)) {
            Ok(parent) => {
                match (kind, &parent) {
                    (Some(OfficeKind::Headquarters), Some(_)) => {
                        report(Column::Parent, "海关总署没有上级机构，此处应留空".to_string())
                    }
                    (Some(k), None) if k != OfficeKind::Headquarters => report(
                        Column::Parent,
                        format!("不能为空：{}的上级应为{}", k.name_zh(), k.parent_kind().map_or("", |p| p.name_zh())),
                    ),
                    _ => {}
                }
                parent
            }
            Err(message) => {
                report(Column::Parent, message);
                None
            }
        };
        let valid_from = match date_from_cell(cell(Column::ValidFrom)) {
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                report(Column::ValidFrom, "不能为空".to_string());
                None
            }
            Err(message) => {
                report(Column::ValidFrom, message);
                None
            }
        };
        let valid_to = match date_from_cell(cell(Column::ValidTo)) {
            Ok(date) => date,
            Err(message) => {
                report(Column::ValidTo, message);
                None
            }
        };
        if let (Some(from), Some(to)) = (valid_from, valid_to) {
            if to <= from {
                report(Column::ValidTo, format!("失效日期 {to} 应晚于生效日期 {from}（失效日期是不再有效的第一天）"));
            }
        }
        let note = cell_as_text(cell(Column::Note));
        if note.chars().any(|c| is_markup(c) || (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))) {
            report(Column::Note, "备注不得包含 < > 等标记字符或控制字符".to_string());
        }
        if let (Some(code), Some(kind), Some(valid_from)) = (code, kind, valid_from) {
            parsed.push(ImportRow {
                line: row.line,
                version: OfficeVersion { code, name, kind, parent, valid_from, valid_to, note },
                source: source.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Merging and checking.

/// A version of the merged set, from the file (with its row) or kept from the existing versions.
struct Entry<'a> {
    version: &'a OfficeVersion,
    row: Option<&'a ImportRow>,
}

impl Entry<'_> {
    fn describe(&self) -> String {
        match self.row {
            Some(row) => format!("第{}行", row.line),
            None => format!("现有版本（{} 起）", self.version.valid_from),
        }
    }

    fn problem(&self, column: Option<Column>, message: String) -> ImportProblem {
        match self.row {
            Some(row) => ImportProblem::at(row.location(column), message),
            None => {
                let v = self.version;
                let place = column.map(|c| format!(" {}", c.header())).unwrap_or_default();
                ImportProblem::file(format!(
                    "现有机构 {} {}（{} 起的版本）{place}：{message}",
                    v.code, v.name, v.valid_from
                ))
            }
        }
    }
}

fn range_text(v: &OfficeVersion) -> String {
    match v.valid_to {
        Some(to) => format!("{} 至 {to} 前", v.valid_from),
        None => format!("{} 起长期有效", v.valid_from),
    }
}

/// Merges the parsed rows into the existing versions (the file's codes replace theirs) and checks the whole.
pub fn plan(rows: &[ImportRow], existing: &[OfficeVersion]) -> Result<ImportPlan, Vec<ImportProblem>> {
    let file_codes: BTreeSet<&OfficeCode> = rows.iter().map(|r| &r.version.code).collect();
    let mut merged: Vec<Entry<'_>> = existing
        .iter()
        .filter(|v| !file_codes.contains(&v.code))
        .map(|version| Entry { version, row: None })
        .chain(rows.iter().map(|row| Entry { version: &row.version, row: Some(row) }))
        .collect();
    merged.sort_by(|a, b| {
        (&a.version.code, a.version.valid_from, a.row.map(|r| r.line)).cmp(&(
            &b.version.code,
            b.version.valid_from,
            b.row.map(|r| r.line),
        ))
    });
    let mut by_code: BTreeMap<&OfficeCode, Vec<usize>> = BTreeMap::new();
    for (i, entry) in merged.iter().enumerate() {
        by_code.entry(&entry.version.code).or_default().push(i);
    }

    let mut problems = Vec::new();

    // Each version on its own.
    for entry in &merged {
        let v = entry.version;
        if v.name.trim().is_empty() {
            problems.push(entry.problem(Some(Column::Name), "不能为空".to_string()));
        } else if entry.row.is_some() && v.name.chars().any(|c| is_markup(c) || c.is_control()) {
            // Only what is being imported: a stored name is the business of whoever fixes it.
            problems.push(entry.problem(Some(Column::Name), "机构名称不得包含 < > 等标记字符或控制字符".to_string()));
        }
        if v.valid_to.is_some_and(|to| to <= v.valid_from) {
            problems.push(entry.problem(
                Some(Column::ValidTo),
                format!("失效日期应晚于生效日期 {}（失效日期是不再有效的第一天）", v.valid_from),
            ));
        }
    }

    // The versions of one code: one kind, no overlap.
    for indexes in by_code.values() {
        let Some(&first_index) = indexes.first() else {
            continue;
        };
        let first = &merged[first_index];
        let mut latest: Option<usize> = None;
        for &i in indexes {
            let entry = &merged[i];
            if entry.version.kind != first.version.kind {
                problems.push(entry.problem(
                    Some(Column::Kind),
                    format!(
                        "同一机构代码 {} 只能有一种机构类型：{}是{}，此处是{}",
                        entry.version.code,
                        first.describe(),
                        first.version.kind.name_zh(),
                        entry.version.kind.name_zh()
                    ),
                ));
            }
            if let Some(j) = latest {
                let earlier = &merged[j];
                if earlier.version.valid_to.is_none_or(|end| end > entry.version.valid_from) {
                    // Point at the file's row when only one of the two comes from the file.
                    let (at, other) =
                        if entry.row.is_none() && earlier.row.is_some() { (earlier, entry) } else { (entry, earlier) };
                    problems.push(at.problem(
                        Some(Column::ValidFrom),
                        format!(
                            "与{}的版本时间重叠（{} 与 {}）；同一机构的各版本不能同时有效，失效日期是不再有效的第一天",
                            other.describe(),
                            range_text(other.version),
                            range_text(at.version)
                        ),
                    ));
                }
            }
            let ends_later = latest.is_none_or(|j| match (merged[j].version.valid_to, entry.version.valid_to) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(a), Some(b)) => b > a,
            });
            if ends_later {
                latest = Some(i);
            }
        }
    }

    // Exactly one headquarters.
    let hq_codes: Vec<&OfficeCode> = by_code
        .iter()
        .filter(|(_, indexes)| indexes.iter().any(|&i| merged[i].version.kind == OfficeKind::Headquarters))
        .map(|(code, _)| *code)
        .collect();
    match hq_codes.split_first() {
        None => problems
            .push(ImportProblem::file("缺少海关总署：机构名录中需要恰好一个机构类型为“海关总署”、没有上级机构的机构")),
        Some((hq, others)) => {
            for code in others {
                for &i in by_code.get(code).map(Vec::as_slice).unwrap_or_default() {
                    let entry = &merged[i];
                    if entry.version.kind == OfficeKind::Headquarters {
                        problems.push(
                            entry
                                .problem(Some(Column::Kind), format!("只能有一个海关总署，已有代码为 {hq} 的海关总署")),
                        );
                    }
                }
            }
        }
    }

    // Parents.
    for entry in &merged {
        let v = entry.version;
        let Some(expected) = v.kind.parent_kind() else {
            if v.parent.is_some() {
                problems.push(entry.problem(Some(Column::Parent), "海关总署没有上级机构，此处应留空".to_string()));
            }
            continue;
        };
        let Some(parent) = &v.parent else {
            problems.push(entry.problem(
                Some(Column::Parent),
                format!("不能为空：{}的上级应为{}", v.kind.name_zh(), expected.name_zh()),
            ));
            continue;
        };
        if parent == &v.code {
            problems.push(entry.problem(Some(Column::Parent), "上级机构不能是本机构自己".to_string()));
            continue;
        }
        let Some(parent_indexes) = by_code.get(parent) else {
            problems.push(entry.problem(Some(Column::Parent), format!("找不到代码为 {parent} 的机构")));
            continue;
        };
        let parent_versions: Vec<&OfficeVersion> = parent_indexes.iter().map(|&i| merged[i].version).collect();
        let at_start = parent_versions.iter().position(|p| p.in_force_on(v.valid_from));
        let shown = at_start.and_then(|i| parent_versions.get(i)).or(parent_versions.first());
        let Some(shown) = shown else { continue };
        if shown.kind != expected {
            problems.push(entry.problem(
                Some(Column::Parent),
                format!(
                    "上级机构 {parent} {} 是{}，{}的上级应为{}",
                    shown.name,
                    shown.kind.name_zh(),
                    v.kind.name_zh(),
                    expected.name_zh()
                ),
            ));
            continue;
        }
        let Some(start) = at_start else {
            problems.push(entry.problem(
                Some(Column::Parent),
                format!("上级机构 {parent} {} 在本版本的生效日期 {} 不在有效期内", shown.name, v.valid_from),
            ));
            continue;
        };
        // Follow the parent's consecutive versions from the one in force at the start.
        let mut coverage_end = parent_versions[start].valid_to;
        for p in &parent_versions[start + 1..] {
            match coverage_end {
                Some(end) if p.valid_from == end => coverage_end = p.valid_to,
                _ => break,
            }
        }
        let uncovered = match (coverage_end, v.valid_to) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(end), Some(to)) => end < to,
        };
        if let (true, Some(end)) = (uncovered, coverage_end) {
            let until = v.valid_to.map_or("长期有效".to_string(), |to| format!("到 {to} 才失效"));
            problems.push(entry.problem(
                Some(Column::Parent),
                format!("上级机构 {parent} {} 自 {end} 起失效，而本版本{until}", shown.name),
            ));
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.location.is_some(), p.location.as_ref().map(|l| l.line)));
        problems.dedup();
        return Err(problems);
    }

    // What the file changes.
    let sorted_versions = |versions: Vec<&OfficeVersion>| {
        let mut versions: Vec<OfficeVersion> = versions.into_iter().cloned().collect();
        // A total order, so that equal sets compare equal whatever order they came in.
        let key =
            |v: &OfficeVersion| (v.valid_from, v.valid_to, v.kind, v.parent.clone(), v.name.clone(), v.note.clone());
        versions.sort_by_key(key);
        versions
    };
    let mut old_by_code: BTreeMap<&OfficeCode, Vec<&OfficeVersion>> = BTreeMap::new();
    for v in existing.iter().filter(|v| file_codes.contains(&v.code)) {
        old_by_code.entry(&v.code).or_default().push(v);
    }
    let mut new_by_code: BTreeMap<&OfficeCode, Vec<&OfficeVersion>> = BTreeMap::new();
    for row in rows {
        new_by_code.entry(&row.version.code).or_default().push(&row.version);
    }
    let (mut added, mut changed, mut unchanged) = (0, 0, 0);
    let mut replaced_codes = Vec::new();
    for code in &file_codes {
        let old = sorted_versions(old_by_code.remove(code).unwrap_or_default());
        let new = sorted_versions(new_by_code.remove(code).unwrap_or_default());
        if old.is_empty() {
            added += 1;
            replaced_codes.push((*code).clone());
        } else if old != new {
            changed += 1;
            replaced_codes.push((*code).clone());
        } else {
            unchanged += 1;
        }
    }
    Ok(ImportPlan {
        versions: merged.iter().map(|e| e.version.clone()).collect(),
        replaced_codes,
        added,
        changed,
        unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offices::Directory;
    use crate::sheets::{parse_date_text, CFB_MAGIC};
    use chrono::NaiveDate;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn code(s: &str) -> OfficeCode {
        OfficeCode::parse(s).unwrap()
    }

    fn csv(body: &str) -> Vec<u8> {
        format!("{CSV_HEADER}\n{body}").into_bytes()
    }

    fn rows(body: &str) -> Vec<ImportRow> {
        parse(&csv(body), SourceFormat::Csv).unwrap()
    }

    fn problems(result: Result<impl fmt::Debug, Vec<ImportProblem>>) -> Vec<String> {
        result.unwrap_err().iter().map(ToString::to_string).collect()
    }

    /// The real direct customs plus two subordinate offices of 天津.
    fn existing() -> Vec<OfficeVersion> {
        let mut versions = direct_customs_versions().unwrap();
        let subs = rows("0201,新港海关,隶属海关,0200,2000-01-01,,\n0204,东港海关,隶属海关,0200,2000-01-01,,\n");
        versions.extend(
            plan(&subs, &versions)
                .unwrap()
                .replaced_codes
                .iter()
                .flat_map(|c| subs.iter().filter(move |r| &r.version.code == c).map(|r| r.version.clone())),
        );
        versions
    }

    fn xlsx(build: impl FnOnce(&mut Workbook)) -> Vec<u8> {
        let mut workbook = Workbook::new();
        build(&mut workbook);
        workbook.save_to_buffer().unwrap()
    }

    /// A workbook as an official might make it: an explanation sheet first, then the `机构` sheet with a merged
    /// title row, a blank row, reordered columns with an extra one, a date cell, text dates, a code typed as a
    /// number, full-width digits and a blank row between the data.
    fn official_workbook(parent_of_new_port: &str, valid_from_of_tianjin: &str) -> Vec<u8> {
        xlsx(|wb| {
            let date = Format::new().set_num_format("yyyy-mm-dd");
            let help = wb.add_worksheet();
            help.set_name("填写说明").unwrap();
            help.write_string(0, 0, "每行是一个机构的一个版本").unwrap();
            let sheet = wb.add_worksheet();
            sheet.set_name("机构").unwrap();
            sheet.merge_range(0, 0, 0, 7, "海关机构名录", &Format::new()).unwrap();
            for (col, header) in
                ["备注", "机构名称", " 机构代码 ", "上级机构代码", "机构类型", "生效日期", "失效日期", "联系人"]
                    .iter()
                    .enumerate()
            {
                sheet.write_string(2, col as u16, *header).unwrap();
            }
            // Line 4: headquarters with a date cell.
            sheet.write_string(3, 1, "海关总署").unwrap();
            sheet.write_string(3, 2, "0000").unwrap();
            sheet.write_string(3, 4, "海关总署").unwrap();
            sheet.write_datetime_with_format(3, 5, ExcelDateTime::from_ymd(1949, 10, 25).unwrap(), &date).unwrap();
            // Line 5: 天津海关, code typed as a number (Excel shows 200), text date.
            sheet.write_string(4, 1, "天津海关").unwrap();
            sheet.write_number(4, 2, 200).unwrap();
            sheet.write_string(4, 3, "0000").unwrap();
            sheet.write_string(4, 4, "直属海关").unwrap();
            sheet.write_string(4, 5, valid_from_of_tianjin).unwrap();
            sheet.write_string(4, 7, "张三").unwrap();
            // Line 6 is blank. Line 7: a subordinate office with full-width digits and a closing date cell.
            sheet.write_string(6, 0, "示例").unwrap();
            sheet.write_string(6, 1, "新港海关").unwrap();
            sheet.write_string(6, 2, "０２０１").unwrap();
            sheet.write_string(6, 3, parent_of_new_port).unwrap();
            sheet.write_string(6, 4, "隶属海关").unwrap();
            sheet.write_string(6, 5, "2022年8月31日").unwrap();
            sheet.write_datetime_with_format(6, 6, ExcelDateTime::from_ymd(2024, 1, 1).unwrap(), &date).unwrap();
        })
    }

    /// A zip whose central directory declares the given unpacked sizes; the data is `packed` bytes of nothing.
    fn zip_declaring(entries: &[(&str, u32, usize)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, declared, packed) in entries {
            let offset = out.len() as u32;
            let header = |sig: u32, central_dir: bool| {
                let mut h = Vec::new();
                h.extend_from_slice(&sig.to_le_bytes());
                if central_dir {
                    h.extend_from_slice(&20u16.to_le_bytes()); // version made by
                }
                h.extend_from_slice(&20u16.to_le_bytes()); // version needed
                h.extend_from_slice(&0u16.to_le_bytes()); // flags
                h.extend_from_slice(&8u16.to_le_bytes()); // deflate
                h.extend_from_slice(&0u16.to_le_bytes()); // time
                h.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
                h.extend_from_slice(&0u32.to_le_bytes()); // crc
                h.extend_from_slice(&(*packed as u32).to_le_bytes());
                h.extend_from_slice(&declared.to_le_bytes());
                h.extend_from_slice(&(name.len() as u16).to_le_bytes());
                h.extend_from_slice(&0u16.to_le_bytes()); // extra
                if central_dir {
                    h.extend_from_slice(&0u16.to_le_bytes()); // comment
                    h.extend_from_slice(&0u16.to_le_bytes()); // disk
                    h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                    h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                    h.extend_from_slice(&offset.to_le_bytes());
                }
                h.extend_from_slice(name.as_bytes());
                h
            };
            out.extend(header(0x0403_4b50, false));
            out.extend(std::iter::repeat_n(0u8, *packed));
            central.extend(header(0x0201_4b50, true));
        }
        let central_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&central_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    // --- formats, headers, values -------------------------------------------------------------------------

    #[test]
    fn the_format_is_taken_from_the_file_extension() {
        assert_eq!(SourceFormat::from_file_name("机构名录.CSV"), Some(SourceFormat::Csv));
        assert_eq!(SourceFormat::from_file_name("a.b.xlsx"), Some(SourceFormat::Xlsx));
        assert_eq!(SourceFormat::from_file_name("宏.xlsm"), Some(SourceFormat::Xlsm));
        assert_eq!(SourceFormat::from_file_name("旧.xls"), Some(SourceFormat::Xls));
        assert_eq!(SourceFormat::from_file_name("wps.ods"), Some(SourceFormat::Ods));
        assert_eq!(SourceFormat::from_file_name("机构名录"), None);
        assert_eq!(SourceFormat::from_file_name("机构.docx"), None);
    }

    #[test]
    fn headers_are_matched_after_trimming_folding_full_width_and_dropping_hints() {
        assert_eq!(Column::from_header(" 机构代码 "), Some(Column::Code));
        assert_eq!(Column::from_header("＊机构代码（必填）"), Some(Column::Code));
        assert_eq!(Column::from_header("生效日期(YYYY-MM-DD)"), Some(Column::ValidFrom));
        assert_eq!(Column::from_header("Valid From"), Some(Column::ValidFrom));
        assert_eq!(Column::from_header("valid_to"), Some(Column::ValidTo));
        assert_eq!(Column::from_header("Parent_Code"), Some(Column::Parent));
        assert_eq!(Column::from_header("联系人"), None);
    }

    #[test]
    fn dates_are_read_in_every_accepted_spelling() {
        let expected = Some(d("2022-08-31"));
        for text in [
            "2022-08-31",
            "2022/8/31",
            "2022.8.31",
            "2022年8月31日",
            "２０２２年８月３１日",
            "２０２２－０８－３１",
            "2022 年 8 月 31 日",
            "20220831",
            "44804",
            "2022-08-31 00:00:00",
            "2022-08-31T00:00:00",
        ] {
            assert_eq!(parse_date_text(text), expected, "{text}");
        }
        for text in ["2022", "2022-02-30", "31/8/2022", "2022-8", "明天", "22-8-31", "1e300"] {
            assert_eq!(parse_date_text(text), None, "{text}");
        }
        assert_eq!(date_from_cell(&Cell::Number(44804.0)), Ok(expected));
        assert!(date_from_cell(&Cell::Number(2022.0)).is_err(), "a bare year is no serial date");
        assert!(date_from_cell(&Cell::Number(f64::NAN)).is_err());
    }

    #[test]
    fn codes_tolerate_full_width_digits_and_dropped_leading_zeros() {
        assert_eq!(code_from_cell(&Cell::Text("０２０１".into())), Ok(Some(code("0201"))));
        assert_eq!(code_from_cell(&Cell::Text("201".into())), Ok(Some(code("0201"))));
        assert_eq!(code_from_cell(&Cell::Number(0.0)), Ok(Some(code("0000"))));
        assert!(code_from_cell(&Cell::Text("02A1".into())).is_err());
        assert!(code_from_cell(&Cell::Text("12345".into())).is_err());
        assert!(code_from_cell(&Cell::Number(20.5)).is_err());
        assert!(code_from_cell(&Cell::Number(-1.0)).is_err());
    }

    #[test]
    fn a_problem_names_its_place_in_chinese() {
        let workbook = ImportProblem::at(
            Location {
                sheet: Some("机构".into()),
                line: 7,
                column: Some("上级机构代码".into()),
                cell: Some("B7".into()),
            },
            "找不到代码为 9999 的机构",
        );
        assert_eq!(workbook.to_string(), "第7行（机构!B7）上级机构代码：找不到代码为 9999 的机构");
        let csv = ImportProblem::at(
            Location { sheet: None, line: 7, column: Some("上级机构代码".into()), cell: None },
            "找不到代码为 9999 的机构",
        );
        assert_eq!(csv.to_string(), "第7行 上级机构代码：找不到代码为 9999 的机构");
        let quoted = Location { sheet: Some("Sheet 1".into()), line: 2, column: None, cell: Some("A2".into()) };
        assert_eq!(quoted.to_string(), "第2行（'Sheet 1'!A2）");
        assert_eq!(ImportProblem::file("文件是空的").to_string(), "文件是空的");
    }

    // --- CSV ------------------------------------------------------------------------------------------------

    #[test]
    fn the_bundled_direct_customs_list_is_headquarters_and_42_direct_customs_sorted_by_code() {
        let rows = parse(DIRECT_CUSTOMS_CSV.as_bytes(), SourceFormat::Csv).unwrap();
        assert_eq!(rows.len(), 43);
        assert!(DIRECT_CUSTOMS_CSV.starts_with(CSV_HEADER));
        let codes: Vec<&str> = rows.iter().map(|r| r.version.code.as_str()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
        let hq = &rows[0].version;
        assert_eq!((hq.code.as_str(), hq.name.as_str(), hq.kind), ("0000", "海关总署", OfficeKind::Headquarters));
        assert_eq!(hq.valid_from, d("1949-10-25"));
        assert_eq!(hq.parent, None);
        for row in &rows[1..] {
            let v = &row.version;
            assert_eq!(v.kind, OfficeKind::DirectCustoms);
            assert!(v.code.as_str().ends_with("00") && v.name.ends_with("海关"), "{v:?}");
            assert_eq!(v.parent, Some(code("0000")));
            assert_eq!(v.valid_from, d("2000-01-01"));
            assert!(v.note.contains("启用日期待核实"), "{v:?}");
            let unverified = ["0100", "3300", "3500", "4300"].contains(&v.code.as_str());
            assert_eq!(v.note.contains("代码待核实"), unverified, "{v:?}");
        }
        let names: BTreeSet<&str> = rows.iter().map(|r| r.version.name.as_str()).collect();
        for city in ["北京", "天津", "满洲里", "拱北", "黄埔", "江门", "乌鲁木齐", "银川"] {
            assert!(names.contains(format!("{city}海关").as_str()), "{city}");
        }
        assert_eq!(direct_customs_versions().unwrap().len(), 43);
    }

    #[test]
    fn a_valid_csv_with_bom_reordered_aliased_and_extra_columns_parses() {
        let text = "\u{feff}name,联系人,CODE,Kind,parent,Valid From,valid_to,note\n\
                    海关总署,,0000,海关总署,,1949-10-25,,\n\
                    天津海关,李四,０２００,直属海关,0000,2000/1/1,,\n\
                    \n\
                    \"新港海关\",,201,隶属海关,200,2022年8月31日,2024.1.1,\"备注，含逗号\"\n";
        let rows = parse(text.as_bytes(), SourceFormat::Csv).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 5]);
        let port = &rows[2].version;
        assert_eq!(port.code, code("0201"));
        assert_eq!(port.parent, Some(code("0200")));
        assert_eq!(port.kind, OfficeKind::Subordinate);
        assert_eq!((port.valid_from, port.valid_to), (d("2022-08-31"), Some(d("2024-01-01"))));
        assert_eq!(port.note, "备注，含逗号");
        assert!(plan(&rows, &[]).is_ok());
    }

    #[test]
    fn csv_line_numbers_count_blank_lines_crlf_and_quoted_line_breaks() {
        let text = format!(
            "\r\n{CSV_HEADER}\r\n\r\n0000,海关总署,海关总署,,1949-10-25,,\"两行\r\n备注\"\r\n\n,,,,,,\n0200,,直属海关,0000,2000-01-01,,\n"
        );
        let found = problems(parse(text.as_bytes(), SourceFormat::Csv));
        assert_eq!(found, vec!["第8行 机构名称：不能为空"]);
    }

    #[test]
    fn a_gbk_csv_as_saved_by_excel_is_decoded() {
        let text = format!("{CSV_HEADER}\r\n0000,海关总署,海关总署,,1949-10-25,,\r\n0200,天津海关,直属海关,0000,2000-01-01,,启用日期待核实\r\n");
        let (gbk, _, had_errors) = encoding_rs::GBK.encode(&text);
        assert!(!had_errors);
        assert!(std::str::from_utf8(&gbk).is_err(), "the test data must not be valid UTF-8");
        let rows = parse(&gbk, SourceFormat::Csv).unwrap();
        assert_eq!(rows[1].version.name, "天津海关");
        assert_eq!(rows[1].version.note, "启用日期待核实");
    }

    #[test]
    fn tab_separated_text_is_read_too() {
        let text = CSV_HEADER.replace(',', "\t") + "\n0000\t海关总署\t海关总署\t\t1949-10-25\t\t\n";
        assert_eq!(parse(text.as_bytes(), SourceFormat::Csv).unwrap().len(), 1);
    }

    #[test]
    fn an_invalid_csv_reports_every_problem_at_its_row_and_column() {
        let body = "02A1,某海关,直属海关,0000,2000-01-01,,\n\
                    0300,,直属海关,0000,2000-01-01,,\n\
                    0400,某海关,直属局,0000,2000-01-01,,\n\
                    0500,某海关,直属海关,0000,2000-13-01,,\n\
                    0600,某海关,直属海关,0000,2022-01-01,2021-01-01,\n\
                    0700,某海关,直属海关,,2000-01-01,,\n\
                    ,,,,,,\n\
                    0800,某海关,隶属海关,0000,,,\n\
                    0000,海关总署,海关总署,0000,1949-10-25,,\n";
        let found = problems(parse(&csv(body), SourceFormat::Csv));
        assert_eq!(
            found,
            vec![
                "第2行 机构代码：“02A1”不是4位数字的机构代码（如 0201）",
                "第3行 机构名称：不能为空",
                "第4行 机构类型：无法识别“直属局”，应为 海关总署、直属海关 或 隶属海关",
                "第5行 生效日期：无法识别日期“2000-13-01”；请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日",
                "第6行 失效日期：失效日期 2021-01-01 应晚于生效日期 2022-01-01（失效日期是不再有效的第一天）",
                "第7行 上级机构代码：不能为空：直属海关的上级应为海关总署",
                "第9行 生效日期：不能为空",
                "第10行 上级机构代码：海关总署没有上级机构，此处应留空",
            ]
        );
    }

    #[test]
    fn markup_or_control_characters_in_a_name_or_note_are_refused_at_the_cell() {
        let body = "0201,</title><script>alert(1)</script>,直属海关,0000,2000-01-01,,\n\
                    0202,某\u{7}海关,直属海关,0000,2000-01-01,,\n\
                    0203,某海关,直属海关,0000,2000-01-01,,<b>备注</b>\n\
                    0204,某海关,直属海关,0000,2000-01-01,,\"两行\n备注\"\n";
        let found = problems(parse(&csv(body), SourceFormat::Csv));
        assert_eq!(
            found,
            vec![
                "第2行 机构名称：机构名称不得包含 < > 等标记字符或控制字符",
                "第3行 机构名称：机构名称不得包含 < > 等标记字符或控制字符",
                "第4行 备注：备注不得包含 < > 等标记字符或控制字符",
            ]
        );
        // In a workbook, at the cell.
        let bytes = xlsx(|wb| {
            let sheet = wb.add_worksheet().set_name("机构").unwrap();
            for (col, header) in CSV_HEADER.split(',').enumerate() {
                sheet.write_string(0, col as u16, header).unwrap();
            }
            for (col, value) in ["0000", "海关<总署>", "海关总署", "", "1949-10-25"].iter().enumerate() {
                sheet.write_string(1, col as u16, *value).unwrap();
            }
        });
        let found = problems(parse(&bytes, SourceFormat::Xlsx));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("B2") && found[0].contains("机构名称不得包含 < > 等标记字符"), "{}", found[0]);
    }

    #[test]
    fn a_workbook_with_a_cell_far_beyond_the_office_list_is_refused_before_it_is_read() {
        let bytes = xlsx(|wb| {
            let sheet = wb.add_worksheet().set_name("机构").unwrap();
            for (col, header) in CSV_HEADER.split(',').enumerate() {
                sheet.write_string(0, col as u16, header).unwrap();
            }
            sheet.write_string(1_048_575, 16_383, "远处").unwrap();
        });
        let found = problems(parse(&bytes, SourceFormat::Xlsx));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("工作表“机构”") && found[0].contains("A1:XFD1048576"), "{}", found[0]);
    }

    #[test]
    fn missing_headers_are_listed_by_name() {
        let found = problems(parse("机构代码,名称,类型\n0000,海关总署,海关总署\n".as_bytes(), SourceFormat::Csv));
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("第1行：缺少必需的列：上级机构代码、生效日期（"), "{}", found[0]);
        let found = problems(parse("foo,bar\n1,2\n".as_bytes(), SourceFormat::Csv));
        assert!(found[0].contains("机构代码、机构名称、机构类型、上级机构代码、生效日期"), "{}", found[0]);
        let found = problems(parse(format!("{CSV_HEADER},代码\n").as_bytes(), SourceFormat::Csv));
        assert_eq!(found, vec!["第1行：列“机构代码”出现了两次（第1列和第8列），请只保留一列"]);
    }

    #[test]
    fn an_empty_file_a_header_alone_and_too_many_rows_are_refused() {
        assert_eq!(problems(parse(b"", SourceFormat::Csv)), vec!["文件是空的，没有任何内容"]);
        assert_eq!(problems(parse(b" \r\n ", SourceFormat::Xlsx)), vec!["文件是空的，没有任何内容"]);
        assert_eq!(problems(parse(b"\xEF\xBB\xBF\n,,\n", SourceFormat::Csv)), vec!["文件是空的，没有任何内容"]);
        assert_eq!(problems(parse(&csv(""), SourceFormat::Csv)), vec!["第1行：表头下面没有数据行"]);
        let many = "0201,某海关,隶属海关,0200,2000-01-01,,\n".repeat(MAX_ROWS + 1);
        let found = problems(parse(&csv(&many), SourceFormat::Csv));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("最多 50000 行"), "{}", found[0]);
        let exactly = "0201,某海关,隶属海关,0200,2000-01-01,,\n".repeat(MAX_ROWS);
        assert_eq!(parse(&csv(&exactly), SourceFormat::Csv).unwrap().len(), MAX_ROWS);
    }

    // --- workbooks ------------------------------------------------------------------------------------------

    #[test]
    fn a_valid_xlsx_with_a_title_row_reordered_columns_and_a_date_cell_parses() {
        let bytes = official_workbook("200", "2000/1/1");
        let rows = parse(&bytes, SourceFormat::Xlsx).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![4, 5, 7]);
        assert_eq!(rows[0].version.valid_from, d("1949-10-25"));
        assert_eq!(rows[1].version.code, code("0200"));
        assert_eq!(rows[1].version.valid_from, d("2000-01-01"));
        let port = &rows[2].version;
        assert_eq!((port.code.as_str(), port.name.as_str()), ("0201", "新港海关"));
        assert_eq!(port.parent, Some(code("0200")));
        assert_eq!((port.valid_from, port.valid_to), (d("2022-08-31"), Some(d("2024-01-01"))));
        assert_eq!(port.note, "示例");
        assert_eq!(rows[2].source.sheet.as_deref(), Some("机构"));
        let plan = plan(&rows, &[]).unwrap();
        assert_eq!((plan.added, plan.changed, plan.unchanged), (3, 0, 0));
        // .xlsm is read by the same reader.
        assert_eq!(parse(&bytes, SourceFormat::Xlsm).unwrap(), rows);
    }

    #[test]
    fn workbook_problems_point_at_the_cell() {
        let found = problems(parse(&official_workbook("200", "2000-13-45"), SourceFormat::Xlsx));
        assert_eq!(
            found,
            vec!["第5行（机构!F5）生效日期：无法识别日期“2000-13-45”；请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日"]
        );
        let rows = parse(&official_workbook("9999", "2000-01-01"), SourceFormat::Xlsx).unwrap();
        let found = problems(plan(&rows, &[]));
        assert_eq!(found, vec!["第7行（机构!D7）上级机构代码：找不到代码为 9999 的机构"]);
    }

    #[test]
    fn the_first_sheet_is_read_when_none_is_named_for_offices() {
        let bytes = xlsx(|wb| {
            let sheet = wb.add_worksheet();
            for (col, header) in CSV_HEADER.split(',').enumerate() {
                sheet.write_string(0, col as u16, header).unwrap();
            }
            for (col, value) in ["0000", "海关总署", "海关总署", "", "1949-10-25"].iter().enumerate() {
                sheet.write_string(1, col as u16, *value).unwrap();
            }
            wb.add_worksheet().write_string(0, 0, "其他").unwrap();
        });
        let rows = parse(&bytes, SourceFormat::Xlsx).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].source.sheet.as_deref(), Some("Sheet1"));
        assert_eq!(rows[0].location(Some(Column::Kind)).cell.as_deref(), Some("C2"));
    }

    #[test]
    fn a_corrupt_or_foreign_workbook_gives_one_clear_problem() {
        let valid = official_workbook("200", "2000-01-01");
        let cases: Vec<(&str, Vec<u8>, SourceFormat)> = vec![
            (
                "random bytes",
                (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
                SourceFormat::Xlsx,
            ),
            ("truncated xlsx", valid[..valid.len() / 2].to_vec(), SourceFormat::Xlsx),
            ("zip magic only", b"PK\x03\x04garbage".to_vec(), SourceFormat::Xlsx),
            ("text as xls", b"hello, world".to_vec(), SourceFormat::Xls),
            ("xlsx as ods", valid.clone(), SourceFormat::Ods),
            ("cfb header only", CFB_MAGIC.to_vec(), SourceFormat::Xls),
        ];
        for (what, bytes, format) in cases {
            match parse(&bytes, format) {
                Ok(rows) => assert_eq!(what, "xlsx as ods", "only a mislabelled xlsx may still be read: {rows:?}"),
                Err(found) => {
                    assert_eq!(found.len(), 1, "{what}: {found:?}");
                    assert!(found[0].location.is_none(), "{what}");
                }
            }
        }
    }

    #[test]
    fn a_password_protected_workbook_is_named_as_such() {
        // An encrypted .xlsx is a compound file holding an `EncryptedPackage` stream.
        let mut bytes = CFB_MAGIC.to_vec();
        bytes.resize(512, 0);
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        let found = problems(parse(&bytes, SourceFormat::Xlsx));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("设有打开密码"), "{}", found[0]);
    }

    #[test]
    fn a_zip_declaring_a_huge_entry_is_refused_before_unpacking() {
        let bomb =
            zip_declaring(&[("[Content_Types].xml", 1000, 100), ("xl/worksheets/sheet1.xml", 4_000_000_000, 1000)]);
        let found = problems(parse(&bomb, SourceFormat::Xlsx));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("xl/worksheets/sheet1.xml") && found[0].contains("200 MB"), "{}", found[0]);

        let dense =
            zip_declaring(&[("[Content_Types].xml", 1000, 100), ("xl/worksheets/sheet1.xml", 150_000_000, 1000)]);
        let found = problems(parse(&dense, SourceFormat::Xlsx));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("压缩比异常"), "{}", found[0]);

        let plain = zip_declaring(&[("readme.txt", 10, 10)]);
        let found = problems(parse(&plain, SourceFormat::Xlsx));
        assert!(found[0].contains("压缩包中没有工作表"), "{}", found[0]);
    }

    #[test]
    fn parsing_never_panics_on_damaged_input() {
        let valid = official_workbook("200", "2000-01-01");
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for format in [SourceFormat::Csv, SourceFormat::Xlsx, SourceFormat::Xls, SourceFormat::Ods] {
            for cut in [1, 2, 4, 30, 100, 500, valid.len() - 22, valid.len() - 1] {
                let _ = parse(&valid[..cut], format);
            }
            for _ in 0..20 {
                let mut damaged = valid.clone();
                for _ in 0..8 {
                    let at = (next() as usize) % damaged.len();
                    damaged[at] = next() as u8;
                }
                let _ = parse(&damaged, format);
                let noise: Vec<u8> = (0..(next() % 2048)).map(|_| next() as u8).collect();
                let _ = parse(&noise, format);
            }
        }
    }

    // --- plan -----------------------------------------------------------------------------------------------

    #[test]
    fn the_files_codes_replace_their_versions_and_other_codes_are_kept() {
        let existing = existing();
        // 东港海关 moves from 天津 to 石家庄 on 2022-10-01; 新港海关 is unchanged; 0202 is new.
        let file = rows(
            "0204,东港海关,隶属海关,0200,2000-01-01,2022-10-01,\n\
             0204,东港海关,隶属海关,0400,2022-10-01,,划归石家庄海关\n\
             0201,新港海关,隶属海关,0200,2000-01-01,,\n\
             0202,临港海关,隶属海关,0200,2022-07-01,,新设\n",
        );
        let plan = plan(&file, &existing).unwrap();
        assert_eq!((plan.added, plan.changed, plan.unchanged), (1, 1, 1));
        assert_eq!(plan.replaced_codes, vec![code("0202"), code("0204")]);
        assert_eq!(plan.versions.len(), existing.len() + 2);
        let dir = Directory::new(plan.versions);
        assert_eq!(dir.subordinate_count(&code("0200"), d("2022-09-30")), 3);
        assert_eq!(dir.subordinate_count(&code("0200"), d("2022-10-01")), 2);
        assert_eq!(dir.subordinate_count(&code("0400"), d("2022-10-01")), 1);
        assert_eq!(dir.subordinate_count(&code("0200"), d("2022-06-30")), 2);
    }

    #[test]
    fn overlapping_versions_of_one_code_are_refused() {
        let file = rows(
            "0204,东港海关,隶属海关,0200,2000-01-01,,\n\
             0204,东港海关,隶属海关,0400,2022-10-01,,\n",
        );
        let found = problems(plan(&file, &existing()));
        assert_eq!(
            found,
            vec!["第3行 生效日期：与第2行的版本时间重叠（2000-01-01 起长期有效 与 2022-10-01 起长期有效）；同一机构的各版本不能同时有效，失效日期是不再有效的第一天"]
        );
        // Touching ranges (失效日期 = next 生效日期) do not overlap.
        let file = rows(
            "0204,东港海关,隶属海关,0200,2000-01-01,2022-10-01,\n\
             0204,东港海关,隶属海关,0400,2022-10-01,,\n",
        );
        assert!(plan(&file, &existing()).is_ok());
    }

    #[test]
    fn a_missing_parent_is_reported_at_the_row() {
        let found = problems(plan(&rows("0299,某海关,隶属海关,9999,2022-01-01,,\n"), &existing()));
        assert_eq!(found, vec!["第2行 上级机构代码：找不到代码为 9999 的机构"]);
    }

    #[test]
    fn a_parent_of_the_wrong_kind_is_refused() {
        let found = problems(plan(
            &rows(
                "0299,某海关,隶属海关,0201,2022-01-01,,\n\
                 0300,某直属海关,直属海关,0200,2022-01-01,,\n",
            ),
            &existing(),
        ));
        assert_eq!(
            found,
            vec![
                "第2行 上级机构代码：上级机构 0201 新港海关 是隶属海关，隶属海关的上级应为直属海关",
                "第3行 上级机构代码：上级机构 0200 天津海关 是直属海关，直属海关的上级应为海关总署",
            ]
        );
    }

    #[test]
    fn the_parent_must_be_in_force_on_every_day_of_the_version() {
        let found = problems(plan(&rows("0299,某海关,隶属海关,0200,1990-01-01,,\n"), &existing()));
        assert_eq!(
            found,
            vec!["第2行 上级机构代码：上级机构 0200 天津海关 在本版本的生效日期 1990-01-01 不在有效期内"]
        );
        // Closing 天津海关 leaves its existing offices without a parent from 2023-01-01.
        let found = problems(plan(&rows("0200,天津海关,直属海关,0000,2000-01-01,2023-01-01,\n"), &existing()));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("现有机构 0201 新港海关（2000-01-01 起的版本） 上级机构代码：上级机构 0200 天津海关 自 2023-01-01 起失效"), "{}", found[0]);
        // A parent covered by two consecutive versions (a rename) covers the child throughout.
        let file = rows(
            "0200,天津海关,直属海关,0000,2000-01-01,2010-01-01,\n\
             0200,天津新海关,直属海关,0000,2010-01-01,,更名\n",
        );
        assert!(plan(&file, &existing()).is_ok());
    }

    #[test]
    fn there_is_exactly_one_headquarters_and_a_code_keeps_its_kind() {
        let found = problems(plan(&rows("0001,另一个总署,海关总署,,2000-01-01,,\n"), &existing()));
        assert_eq!(found, vec!["第2行 机构类型：只能有一个海关总署，已有代码为 0000 的海关总署"]);
        let found = problems(plan(&rows("0200,天津海关,直属海关,0000,2000-01-01,,\n"), &[]));
        assert_eq!(found[0], "缺少海关总署：机构名录中需要恰好一个机构类型为“海关总署”、没有上级机构的机构");
        let found = problems(plan(
            &rows(
                "0204,东港海关,隶属海关,0200,2000-01-01,2022-01-01,\n\
                 0204,东港海关,直属海关,0000,2022-01-01,,\n",
            ),
            &existing(),
        ));
        assert_eq!(
            found,
            vec!["第3行 机构类型：同一机构代码 0204 只能有一种机构类型：第2行是隶属海关，此处是直属海关"]
        );
    }

    #[test]
    fn plan_rechecks_rows_built_by_a_caller() {
        let bad = OfficeVersion {
            code: code("0299"),
            name: " ".into(),
            kind: OfficeKind::Subordinate,
            parent: None,
            valid_from: d("2022-01-01"),
            valid_to: Some(d("2022-01-01")),
            note: String::new(),
        };
        let found = problems(plan(&[ImportRow::new(9, bad)], &existing()));
        assert_eq!(
            found,
            vec![
                "第9行 机构名称：不能为空",
                "第9行 失效日期：失效日期应晚于生效日期 2022-01-01（失效日期是不再有效的第一天）",
                "第9行 上级机构代码：不能为空：隶属海关的上级应为直属海关",
            ]
        );
    }
}
