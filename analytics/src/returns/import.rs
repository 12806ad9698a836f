//! Reading an uploaded return (填报表) back into a [`ReturnSnapshot`], with every problem at its cell.
//!
//! Rules (the user-facing version is `docs/return-format.md`):
//! - [`parse_return`] never panics and always returns a [`ParseOutcome`]: what it could learn of the metadata, the
//!   snapshot when the office, the period and the `公开事项` sheet could be read, and every problem at once. A
//!   return with any [`Severity::Error`] must not be accepted; warnings are shown and may be accepted.
//! - **Bounds.** A workbook is opened with [`RETURN_EXTENT`]: a sheet declaring or holding a cell beyond it, a
//!   workbook with macros or a zip bomb is refused with one file-level error before anything is allocated for it
//!   (see [`crate::sheets`]). A text cell `'=…` (how our template writes a text starting like a formula) reads as
//!   `=…`.
//! - **Metadata** comes from the hidden `_meta` sheet (key in column A, value in column B). Without it, from cells
//!   labelled `填报单位`, `报送期间`, `目录版本`, `模板版本` in the first rows of `填报说明`, `公开事项` or `基本要求`:
//!   the value follows the label after `：`/`:` in the same cell, or is the next non-empty cell to the right. The
//!   caller's expected office, period and catalog version ([`ParseContext`]) are compared with it; a mismatch is an
//!   error, and so is a template version other than [`TEMPLATE_VERSION`]. A missing template version is a warning.
//! - **Columns** are found by header, not position: the header row is the first of the top rows holding at least
//!   three known headers (two on `基本要求`); a second header row right below it with at least two more known headers
//!   (merged group headers such as `公开渠道和载体` above the channel names) is merged into it. Headers are compared after [`normalize_header`]. Extra columns are
//!   ignored; a missing required column or a column given twice is an error naming it.
//! - **Values** are folded to half-width and trimmed. Yes: `是 是的 已公开 √ ✓ ✔ ■ Y YES`; no: `否 未公开 × ✗ ✘ N
//!   NO`; not applicable: `不适用 不涉及 无此项 / N/A NA`. An empty 是否公开/是否落实 is an error. A channel cell is
//!   used when it holds `■ √ ✓ ✔ ☑ Y YES 1 是`, unused when empty or `□ ☐ × N NO 0 否`; anything else is an error.
//!   Dates are date cells, Excel serials or the text forms of [`crate::sheets::parse_date_text`].
//! - **Strictness.** Errors: unknown item numbers or elements, duplicate rows, an item (element) of the catalog
//!   with no row, 是 without any channel (备注3: at least one channel per item), unreadable values, dates after
//!   `today`. Warnings: a publication date before the formation date, channels marked on a row that is not 是,
//!   channel 其他 without 其他渠道说明, 是 without a publication date, a count below the guide's minimum.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;

use super::template::{
    channel_names, ItemColumn, RequirementColumn, LABEL_CATALOG, LABEL_OFFICE, LABEL_PERIOD, LABEL_TEMPLATE,
    META_CATALOG_VERSION, META_OFFICE_CODE, META_OFFICE_NAME, META_PERIOD, META_TEMPLATE_VERSION, SHEET_GUIDE,
    SHEET_ITEMS, SHEET_META, SHEET_REQUIREMENTS, TEMPLATE_VERSION,
};
use super::{guide_requirements, Disclosed, ItemReport, Period, Requirement, RequirementReport, ReturnSnapshot};
use crate::catalog::{Catalog, ChannelCode};
use crate::offices::OfficeCode;
use crate::sheets::{
    cell_reference, column_letters, date_from_cell, normalize_header, open_workbook, to_halfwidth, Cell, Extent, Row,
    Sheet, SourceFormat,
};

/// Most data rows read from one sheet of a return (the catalog has a few dozen).
pub const MAX_RETURN_ROWS: usize = 2000;

/// Top rows searched for the header row and the header-area labels.
const HEADER_SEARCH_ROWS: usize = 10;

/// What every sheet of a return may span. The template fills about 30 rows and 20 columns; the rows leave room for
/// [`MAX_RETURN_ROWS`] data rows (beyond which a sheet is refused as too long) with blank lines between them, the
/// columns for notes beside the table. Anything further out is refused before it is read (see [`crate::sheets`]).
pub const RETURN_EXTENT: Extent = Extent { rows: 2 * MAX_RETURN_ROWS as u32, cols: 100 };

/// What the caller knows about the upload.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext<'a> {
    /// Dates after this day are refused.
    pub today: NaiveDate,
    /// The catalog the office reports against (its items and elements are the expected rows).
    pub catalog: &'a Catalog,
    /// The office the uploader may submit for, when known.
    pub expected_office: Option<&'a OfficeCode>,
    /// The period being collected, when known.
    pub expected_period: Option<Period>,
    /// The catalog version the template was issued with, when the caller checks it.
    pub expected_catalog_version: Option<&'a str>,
}

impl<'a> ParseContext<'a> {
    /// A context that checks nothing beyond the catalog and today.
    pub fn new(today: NaiveDate, catalog: &'a Catalog) -> Self {
        ParseContext { today, catalog, expected_office: None, expected_period: None, expected_catalog_version: None }
    }
}

/// Whether a problem blocks acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name_zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "提示",
        }
    }
}

/// Where a problem is: a sheet, optionally a row, optionally a cell of that row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemLocation {
    pub sheet: String,
    /// 1-based row as the user sees it.
    pub row: Option<usize>,
    /// 0-based column, when the problem is one cell.
    pub column: Option<u32>,
}

impl ProblemLocation {
    /// The cell reference, e.g. `公开事项!E7`, when the problem is one cell.
    pub fn cell(&self) -> Option<String> {
        match (self.row, self.column) {
            (Some(row), Some(col)) => Some(cell_reference(&self.sheet, col, row)),
            _ => None,
        }
    }
}

impl fmt::Display for ProblemLocation {
    /// `公开事项!E7`, `公开事项 第7行` or `公开事项`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.cell(), self.row) {
            (Some(cell), _) => f.write_str(&cell),
            (None, Some(row)) => write!(f, "{} 第{row}行", self.sheet),
            (None, None) => f.write_str(&self.sheet),
        }
    }
}

/// One problem of an uploaded return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnProblem {
    pub severity: Severity,
    /// `None` for problems of the whole file (unreadable, encrypted, wrong version…).
    pub location: Option<ProblemLocation>,
    /// The Chinese message, without the location.
    pub message: String,
}

impl fmt::Display for ReturnProblem {
    /// `公开事项!E7：……`, or the message alone for the whole file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(location) => write!(f, "{location}：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Where the metadata was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaSource {
    /// The hidden `_meta` sheet.
    MetaSheet,
    /// The labelled cells of the header area (the `_meta` sheet was missing).
    HeaderCells,
    /// Nothing was found.
    None,
}

/// The metadata of a return, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnMeta {
    pub office: Option<OfficeCode>,
    pub office_name: Option<String>,
    pub period: Option<Period>,
    pub catalog_version: Option<String>,
    pub template_version: Option<String>,
    pub source: MetaSource,
}

impl ReturnMeta {
    fn empty() -> Self {
        ReturnMeta {
            office: None,
            office_name: None,
            period: None,
            catalog_version: None,
            template_version: None,
            source: MetaSource::None,
        }
    }
}

/// Everything learnt from one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOutcome {
    pub meta: ReturnMeta,
    /// The rows that could be read (`verified_on` is `None`); `None` when the office, the period or the items sheet
    /// could not be read. Rows with errors are left out.
    pub snapshot: Option<ReturnSnapshot>,
    /// Errors and warnings in the order of the file: the whole file first, then sheet by sheet, row by row.
    pub problems: Vec<ReturnProblem>,
}

impl ParseOutcome {
    pub fn errors(&self) -> impl Iterator<Item = &ReturnProblem> {
        self.problems.iter().filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &ReturnProblem> {
        self.problems.iter().filter(|p| p.severity == Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The snapshot, when there is one and no error: what may be accepted.
    pub fn accepted(&self) -> Option<&ReturnSnapshot> {
        self.snapshot.as_ref().filter(|_| !self.has_errors())
    }
}

/// Collects problems.
struct Problems(Vec<ReturnProblem>);

impl Problems {
    fn file(&mut self, severity: Severity, message: impl Into<String>) {
        self.0.push(ReturnProblem { severity, location: None, message: message.into() });
    }

    fn sheet(&mut self, severity: Severity, sheet: &str, row: Option<usize>, message: impl Into<String>) {
        let location = ProblemLocation { sheet: sheet.to_string(), row, column: None };
        self.0.push(ReturnProblem { severity, location: Some(location), message: message.into() });
    }

    fn cell(&mut self, severity: Severity, sheet: &str, row: usize, col: u32, message: impl Into<String>) {
        let location = ProblemLocation { sheet: sheet.to_string(), row: Some(row), column: Some(col) };
        self.0.push(ReturnProblem { severity, location: Some(location), message: message.into() });
    }
}

/// Parses an uploaded return. See the module docs for the rules.
pub fn parse_return(bytes: &[u8], format: SourceFormat, ctx: &ParseContext<'_>) -> ParseOutcome {
    let mut problems = Problems(Vec::new());
    let mut meta = ReturnMeta::empty();
    let snapshot = parse_inner(bytes, format, ctx, &mut meta, &mut problems);
    ParseOutcome { meta, snapshot, problems: problems.0 }
}

fn parse_inner(
    bytes: &[u8],
    format: SourceFormat,
    ctx: &ParseContext<'_>,
    meta: &mut ReturnMeta,
    problems: &mut Problems,
) -> Option<ReturnSnapshot> {
    if format == SourceFormat::Csv {
        problems.file(Severity::Error, "填报表必须是工作簿（.xlsx、.xls 或 .ods），不接受 CSV：请上传下载的填报模板");
        return None;
    }
    let mut workbook = match open_workbook(bytes, format, RETURN_EXTENT) {
        Ok(workbook) => workbook,
        Err(err) => {
            problems.file(Severity::Error, err.to_string());
            return None;
        }
    };
    // Only a workbook without the return's sheets is checked for being empty, so a normal file is read once.
    if workbook.find_sheet(&[SHEET_ITEMS]).is_none() && workbook.find_sheet(&[SHEET_REQUIREMENTS]).is_none() {
        let names: Vec<String> = workbook.sheet_names().map(str::to_string).collect();
        if names.iter().all(|name| workbook.read(name, 0).is_ok_and(|sheet| sheet.rows.is_empty())) {
            problems.file(Severity::Error, "工作簿是空的，没有任何内容：请上传填好的填报模板");
            return None;
        }
    }
    let mut read = |names: &[&str]| -> Option<Result<Sheet, String>> {
        let name = workbook.find_sheet(names)?;
        Some(workbook.read(&name, MAX_RETURN_ROWS + HEADER_SEARCH_ROWS).map_err(|e| e.to_string()))
    };
    let mut sheet_or_report = |names: &[&str], required: bool, problems: &mut Problems| match read(names) {
        Some(Ok(sheet)) => Some(sheet),
        Some(Err(message)) => {
            problems.file(Severity::Error, message);
            None
        }
        None => {
            if required {
                problems.file(
                    Severity::Error,
                    format!("缺少工作表“{}”：请使用下载的填报模板，不要删除或改名工作表", names[0]),
                );
            }
            None
        }
    };
    let meta_sheet = sheet_or_report(&[SHEET_META], false, problems);
    // The explanation sheet only matters for the fallback metadata.
    let guide = if meta_sheet.is_none() { sheet_or_report(&[SHEET_GUIDE], false, problems) } else { None };
    let items = sheet_or_report(&[SHEET_ITEMS], true, problems);
    let requirements = sheet_or_report(&[SHEET_REQUIREMENTS], true, problems);
    read_sheets(meta_sheet.as_ref(), guide.as_ref(), items, requirements, ctx, meta, problems)
}

/// Parses a return already laid out as the template's sheets in memory (the web form, [`super::form`]): the same
/// metadata, item and requirement rules as a workbook, with problems at the same cells.
pub(super) fn parse_sheets(
    meta_sheet: &Sheet,
    items: Sheet,
    requirements: Sheet,
    ctx: &ParseContext<'_>,
) -> ParseOutcome {
    let mut problems = Problems(Vec::new());
    let mut meta = ReturnMeta::empty();
    let snapshot = read_sheets(Some(meta_sheet), None, Some(items), Some(requirements), ctx, &mut meta, &mut problems);
    ParseOutcome { meta, snapshot, problems: problems.0 }
}

/// The rules of a return once its sheets are read: metadata, then `公开事项`, then `基本要求`.
///
/// The item and requirement sheets are taken: the texts a snapshot keeps are moved out of their cells.
fn read_sheets(
    meta_sheet: Option<&Sheet>,
    guide: Option<&Sheet>,
    items: Option<Sheet>,
    requirements: Option<Sheet>,
    ctx: &ParseContext<'_>,
    meta: &mut ReturnMeta,
    problems: &mut Problems,
) -> Option<ReturnSnapshot> {
    read_meta(meta, meta_sheet, [guide, items.as_ref(), requirements.as_ref()], problems);
    check_meta(meta, ctx, problems);

    let mut items = items?;
    let reports = read_items(&mut items, ctx, problems);
    let requirement_reports = match requirements {
        Some(mut sheet) => read_requirements(&mut sheet, problems),
        None => Vec::new(),
    };
    let office = meta.office.clone().or_else(|| ctx.expected_office.cloned())?;
    let period = meta.period.or(ctx.expected_period)?;
    Some(ReturnSnapshot {
        office,
        period: period.code(),
        verified_on: None,
        items: reports,
        requirements: requirement_reports,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Metadata.

fn office_from_text(raw: &str) -> Option<(OfficeCode, String)> {
    let half = to_halfwidth(raw);
    let text = half.trim();
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit()).collect();
    // The code ends where the name begins: `0201 新港海关`, `0201新港海关`; never inside `02A1`.
    if text[digits.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let padded = if (1..=3).contains(&digits.len()) { format!("{digits:0>4}") } else { digits.clone() };
    let code = OfficeCode::parse(&padded).ok()?;
    let name = text[digits.len()..].trim().to_string();
    Some((code, name))
}

fn read_meta(meta: &mut ReturnMeta, meta_sheet: Option<&Sheet>, others: [Option<&Sheet>; 3], problems: &mut Problems) {
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    if let Some(sheet) = meta_sheet {
        meta.source = MetaSource::MetaSheet;
        for row in &sheet.rows {
            let key = row.cell(0).as_halfwidth();
            let value = row.cell(1).as_halfwidth();
            let known = match key.as_str() {
                META_OFFICE_CODE | LABEL_OFFICE => META_OFFICE_CODE,
                META_OFFICE_NAME => META_OFFICE_NAME,
                META_PERIOD | LABEL_PERIOD => META_PERIOD,
                META_CATALOG_VERSION | LABEL_CATALOG => META_CATALOG_VERSION,
                META_TEMPLATE_VERSION | LABEL_TEMPLATE => META_TEMPLATE_VERSION,
                _ => continue,
            };
            if !value.is_empty() {
                values.insert(known, value);
            }
        }
    } else {
        for sheet in others.into_iter().flatten() {
            for row in sheet.rows.iter().take(HEADER_SEARCH_ROWS) {
                let filled: Vec<(u32, &Cell)> = row.filled().collect();
                for (i, (_, cell)) in filled.iter().enumerate() {
                    let text = cell.as_halfwidth();
                    for (label, key) in [
                        (LABEL_OFFICE, META_OFFICE_CODE),
                        (LABEL_PERIOD, META_PERIOD),
                        (LABEL_CATALOG, META_CATALOG_VERSION),
                        (LABEL_TEMPLATE, META_TEMPLATE_VERSION),
                    ] {
                        let Some(rest) = text.strip_prefix(label) else { continue };
                        let rest = rest.trim_start_matches([':', ' ']).trim();
                        let value = if rest.is_empty() {
                            filled.get(i + 1).map(|(_, c)| c.as_halfwidth()).unwrap_or_default()
                        } else {
                            rest.to_string()
                        };
                        if !value.is_empty() && !values.contains_key(key) {
                            values.insert(key, value);
                            meta.source = MetaSource::HeaderCells;
                        }
                    }
                }
            }
        }
    }
    let where_ = if meta.source == MetaSource::MetaSheet { "隐藏工作表 _meta 中" } else { "表头中" };
    match values.get(META_OFFICE_CODE) {
        Some(text) => match office_from_text(text) {
            Some((code, name)) => {
                meta.office = Some(code);
                if !name.is_empty() {
                    meta.office_name = Some(name);
                }
            }
            None => problems.file(Severity::Error, format!("{where_}的填报单位“{text}”不是4位数字的机构代码")),
        },
        None => problems.file(
            Severity::Error,
            "无法确定填报单位：工作簿中没有隐藏的 _meta 工作表，表头中也找不到“填报单位：代码 名称”；请使用下载的填报模板",
        ),
    }
    if let Some(name) = values.get(META_OFFICE_NAME) {
        meta.office_name = Some(name.clone());
    }
    match values.get(META_PERIOD) {
        Some(text) => match Period::parse(text) {
            Ok(period) => meta.period = Some(period),
            Err(err) => problems.file(Severity::Error, format!("{where_}的{err}")),
        },
        None => problems.file(
            Severity::Error,
            "无法确定报送期间：工作簿中没有隐藏的 _meta 工作表，表头中也找不到“报送期间：2022年第三季度”；请使用下载的填报模板",
        ),
    }
    meta.catalog_version = values.get(META_CATALOG_VERSION).cloned();
    meta.template_version = values.get(META_TEMPLATE_VERSION).cloned();
}

fn check_meta(meta: &ReturnMeta, ctx: &ParseContext<'_>, problems: &mut Problems) {
    match meta.template_version.as_deref() {
        Some(TEMPLATE_VERSION) => {}
        Some(other) => problems.file(
            Severity::Error,
            format!("填报模板版本为 {other}，本系统只接受版本 {TEMPLATE_VERSION} 的模板：请重新下载填报模板，把内容抄入新模板后上传"),
        ),
        None => problems.file(
            Severity::Warning,
            format!("未找到模板版本，按版本 {TEMPLATE_VERSION} 读取；请尽量使用下载的填报模板"),
        ),
    }
    if let (Some(found), Some(expected)) = (&meta.office, ctx.expected_office) {
        if found != expected {
            problems.file(
                Severity::Error,
                format!("填报单位为 {found}，而本次只能报送 {expected} 的填报表：请确认上传的是本单位的文件"),
            );
        }
    }
    if let (Some(found), Some(expected)) = (meta.period, ctx.expected_period) {
        if found != expected {
            problems
                .file(Severity::Error, format!("报送期间为 {found}，而本次报送的是 {expected}：请下载本期的填报模板"));
        }
    }
    if let (Some(found), Some(expected)) = (&meta.catalog_version, ctx.expected_catalog_version) {
        if found != expected {
            problems.file(
                Severity::Error,
                format!("填报表所用目录版本为 {found}，与本单位适用的目录版本 {expected} 不一致：请重新下载填报模板"),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Headers.

/// The header of a sheet: the line of its (last) header row and the column of each known header.
struct Header<C> {
    line: usize,
    /// Index into `rows` of the first data row.
    data_from: usize,
    columns: BTreeMap<C, u32>,
}

fn find_header<C: Copy + Ord>(
    sheet: &Sheet,
    known: &dyn Fn(&str) -> Option<C>,
    header_name: &dyn Fn(C) -> String,
    min_known: usize,
    problems: &mut Problems,
) -> Option<Header<C>> {
    let known_in = |row: &Row| -> Vec<(u32, C)> {
        row.filled()
            .filter_map(|(col, cell)| match cell {
                Cell::Text(text) if text.len() <= MAX_HEADER_BYTES => known(text).map(|c| (col, c)),
                _ => None,
            })
            .collect()
    };
    let mut top = sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate();
    let Some((index, first, mut found)) = top.find_map(|(index, row)| {
        let found = known_in(row);
        let distinct = found.iter().map(|(_, c)| *c).collect::<BTreeSet<C>>().len();
        (distinct >= min_known).then_some((index, row, found))
    }) else {
        problems.sheet(Severity::Error, &sheet.name, None, "找不到表头行：请使用下载的填报模板，不要删除或修改表头");
        return None;
    };
    let mut data_from = index + 1;
    let mut line = first.line;
    // A second header row right below (the sub-headers of merged group cells): at least two headers the first row
    // lacks, so that a data row whose note happens to read like a header (`说明`) is not taken for one. A row
    // starting with a number is data (an item number).
    let next = sheet.rows.get(index + 1).filter(|r| r.line == first.line + 1);
    if let Some(next) = next.filter(|r| !r.filled().next().is_some_and(|(_, c)| matches!(c, Cell::Number(_)))) {
        let below = known_in(next);
        let above: BTreeSet<C> = found.iter().map(|(_, c)| *c).collect();
        let new_headers = below.iter().map(|(_, c)| *c).filter(|c| !above.contains(c)).collect::<BTreeSet<C>>();
        if new_headers.len() >= 2 {
            found.extend(below);
            data_from = index + 2;
            line = next.line;
        }
    }
    let mut columns = BTreeMap::new();
    for (col, column) in found {
        match columns.get(&column) {
            Some(previous) if *previous != col => problems.cell(
                Severity::Error,
                &sheet.name,
                line,
                col,
                format!(
                    "列“{}”出现了两次（{} 列和 {} 列），请只保留一列",
                    header_name(column),
                    column_letters(*previous),
                    column_letters(col)
                ),
            ),
            Some(_) => {}
            None => {
                columns.insert(column, col);
            }
        }
    }
    Some(Header { line, data_from, columns })
}

/// The accepted headers of a sheet with their columns: by normalised text, and by the exact text of each accepted
/// name, which answers the same (the template's own headers then need no normalising).
struct HeaderNames<C: 'static> {
    normalized: HashMap<String, C>,
    exact: HashMap<&'static str, C>,
}

impl<C: Copy> HeaderNames<C> {
    fn new(columns: impl IntoIterator<Item = (C, &'static str, &'static [&'static str])>) -> Self {
        let mut normalized = HashMap::new();
        let mut names = Vec::new();
        for (column, header, aliases) in columns {
            for name in std::iter::once(header).chain(aliases.iter().copied()) {
                normalized.insert(normalize_header(name), column);
                names.push(name);
            }
        }
        // A later name may normalise like an earlier one and take its place: the exact entry answers as the map.
        let exact = names.into_iter().filter_map(|n| normalized.get(&normalize_header(n)).map(|c| (n, *c))).collect();
        HeaderNames { normalized, exact }
    }

    fn get(&self, text: &str) -> Option<C> {
        self.exact.get(text).copied().or_else(|| self.normalized_get(&normalize_header(text)))
    }

    fn normalized_get(&self, normalized: &str) -> Option<C> {
        if normalized.is_empty() {
            return None;
        }
        self.normalized.get(normalized).copied()
    }
}

/// Every accepted header of `公开事项` with its column: one hash lookup per cell when finding the header row. The
/// fixed names are built once per process and shared; only the catalog's channel names (a handful) are added per
/// file, and they take precedence as they would in one merged map.
struct ItemHeaders<'a> {
    fixed: &'static HeaderNames<ItemColumn>,
    /// The catalog's channel names: exact, and normalised.
    channels_exact: Vec<(&'a str, ItemColumn)>,
    channels: HashMap<String, ItemColumn>,
    /// Whether no channel name normalises like a fixed name, so that the fixed names' exact entries hold.
    fixed_exact_holds: bool,
}

impl ItemHeaders<'_> {
    fn get(&self, text: &str) -> Option<ItemColumn> {
        if let Some((_, column)) = self.channels_exact.iter().find(|(name, _)| *name == text) {
            return Some(*column);
        }
        if self.fixed_exact_holds {
            if let Some(column) = self.fixed.exact.get(text) {
                return Some(*column);
            }
        }
        let normalized = normalize_header(text);
        if normalized.is_empty() {
            return None;
        }
        self.channels.get(&normalized).copied().or_else(|| self.fixed.normalized_get(&normalized))
    }
}

fn item_headers(catalog_channels: &[(ChannelCode, String)]) -> ItemHeaders<'_> {
    static FIXED: OnceLock<HeaderNames<ItemColumn>> = OnceLock::new();
    let fixed =
        FIXED.get_or_init(|| HeaderNames::new(ItemColumn::all().into_iter().map(|c| (c, c.header(), c.aliases()))));
    let normalized: Vec<(String, ItemColumn)> =
        catalog_channels.iter().map(|(code, name)| (normalize_header(name), ItemColumn::Channel(*code))).collect();
    let channels: HashMap<String, ItemColumn> = normalized.iter().cloned().collect();
    // Two names normalising alike: the map keeps the later one, and so does the exact entry of each.
    let channels_exact = catalog_channels
        .iter()
        .zip(&normalized)
        .filter_map(|((_, name), (key, _))| channels.get(key).map(|c| (name.as_str(), *c)))
        .collect();
    let fixed_exact_holds = !channels.keys().any(|k| fixed.normalized.contains_key(k));
    ItemHeaders { fixed, channels_exact, channels, fixed_exact_holds }
}

fn requirement_headers() -> &'static HeaderNames<RequirementColumn> {
    static NAMES: OnceLock<HeaderNames<RequirementColumn>> = OnceLock::new();
    NAMES.get_or_init(|| HeaderNames::new(RequirementColumn::ALL.map(|c| (c, c.header(), c.aliases()))))
}

/// The guide's requirements, built once per process.
fn requirements() -> &'static [Requirement] {
    static LIST: OnceLock<Vec<Requirement>> = OnceLock::new();
    LIST.get_or_init(guide_requirements)
}

/// Longest header text compared at all (bytes): catalog text and notes in the top rows are longer and skipped.
const MAX_HEADER_BYTES: usize = 80;

fn report_missing_columns<C: Copy + Ord>(
    sheet: &Sheet,
    header: &Header<C>,
    all: &[C],
    required: &dyn Fn(C) -> bool,
    name: &dyn Fn(C) -> String,
    problems: &mut Problems,
) -> bool {
    let missing: Vec<String> =
        all.iter().filter(|c| required(**c) && !header.columns.contains_key(c)).map(|c| name(*c)).collect();
    if missing.is_empty() {
        return false;
    }
    problems.sheet(
        Severity::Error,
        &sheet.name,
        Some(header.line),
        format!("缺少必需的列：{}（请使用下载的填报模板，不要删除或改写表头）", missing.join("、")),
    );
    true
}

// ---------------------------------------------------------------------------------------------------------------
// Values.

/// A 是/否/不适用 answer, tolerant of the usual marks.
pub fn parse_answer(raw: &str) -> Option<Disclosed> {
    // The template's own words first, without allocating.
    match raw.trim() {
        "是" => return Some(Disclosed::Yes),
        "否" => return Some(Disclosed::No),
        "不适用" => return Some(Disclosed::NotApplicable),
        _ => {}
    }
    let text: String = to_halfwidth(raw).chars().filter(|c| !c.is_whitespace()).collect();
    match text.to_uppercase().as_str() {
        "是" | "是的" | "已公开" | "已落实" | "√" | "✓" | "✔" | "■" | "☑" | "Y" | "YES" => {
            Some(Disclosed::Yes)
        }
        "否" | "未公开" | "未落实" | "×" | "✗" | "✘" | "N" | "NO" => Some(Disclosed::No),
        "不适用" | "不涉及" | "无此项" | "/" | "N/A" | "NA" => Some(Disclosed::NotApplicable),
        _ => None,
    }
}

/// [`parse_answer`] of a cell, without copying a text cell's text.
fn answer_of(cell: &Cell) -> Option<Disclosed> {
    match cell {
        Cell::Text(text) => parse_answer(text),
        other => parse_answer(&other.as_text()),
    }
}

/// A channel mark: `Some(true)` used, `Some(false)` unused, `None` unreadable.
pub fn parse_channel_mark(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Empty => Some(false),
        Cell::Number(n) if *n == 1.0 => Some(true),
        Cell::Number(n) if *n == 0.0 => Some(false),
        // The template's own mark, without allocating.
        Cell::Text(text) if text.trim() == "■" => Some(true),
        _ => {
            let text: String = cell.as_halfwidth().chars().filter(|c| !c.is_whitespace()).collect();
            match text.to_uppercase().as_str() {
                "" | "□" | "☐" | "×" | "N" | "NO" | "0" | "否" => Some(false),
                "■" | "√" | "✓" | "✔" | "☑" | "Y" | "YES" | "1" | "是" => Some(true),
                _ => None,
            }
        }
    }
}

/// An item number, optionally with an element: `24`, `24-1`, `24.1`, `24（1）`.
fn parse_item_key(cell: &Cell) -> Option<(u32, Option<u32>)> {
    if let Cell::Number(n) = cell {
        if n.fract() == 0.0 && (1.0..=10_000.0).contains(n) {
            return Some((*n as u32, None));
        }
    }
    let text: String = cell.as_halfwidth().chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.trim_end_matches(')');
    let (item, element) = match text.split_once(['-', '.', '(']) {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let item: u32 = item.parse().ok()?;
    let element = match element {
        Some(e) => Some(e.parse().ok()?),
        None => None,
    };
    Some((item, element))
}

fn parse_ordinals(raw: &str) -> Option<Vec<u32>> {
    let text = to_halfwidth(raw);
    let mut out = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；', ' ']) {
        let part = part.trim().trim_end_matches('.');
        if part.is_empty() {
            continue;
        }
        out.push(part.parse().ok()?);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------------------------
// 公开事项.

/// Distinct item columns: the fixed ones and one per channel.
const ITEM_SLOTS: usize = 12 + ChannelCode::ALL.len();

/// A column's place in the table of a sheet's column positions (a lookup per cell without a map).
fn item_slot(column: ItemColumn) -> usize {
    match column {
        ItemColumn::Item => 0,
        ItemColumn::Element => 1,
        ItemColumn::Group => 2,
        ItemColumn::Name => 3,
        ItemColumn::Content => 4,
        ItemColumn::Disclosed => 5,
        ItemColumn::OtherChannel => 6,
        ItemColumn::Location => 7,
        ItemColumn::FormedOn => 8,
        ItemColumn::PublishedOn => 9,
        ItemColumn::ElementsMissing => 10,
        ItemColumn::Note => 11,
        ItemColumn::Channel(code) => 12 + code as usize,
    }
}

fn read_items(sheet: &mut Sheet, ctx: &ParseContext<'_>, problems: &mut Problems) -> Vec<ItemReport> {
    let channels = channel_names(ctx.catalog);
    let headers = item_headers(&channels);
    let known = |text: &str| headers.get(text);
    let name = |c: ItemColumn| match c {
        ItemColumn::Channel(code) => {
            channels.iter().find(|(x, _)| *x == code).map(|(_, n)| n.clone()).unwrap_or_default()
        }
        other => other.header().to_string(),
    };
    let Some(header) = find_header(sheet, &known, &name, 3, problems) else {
        return Vec::new();
    };
    if report_missing_columns(sheet, &header, &ItemColumn::all(), &|c| c.required(), &name, problems) {
        return Vec::new();
    }
    let data = &sheet.rows[header.data_from.min(sheet.rows.len())..];
    if data.len() > MAX_RETURN_ROWS || sheet.truncated {
        problems.sheet(
            Severity::Error,
            &sheet.name,
            None,
            format!("数据行太多：最多 {MAX_RETURN_ROWS} 行；请使用下载的填报模板"),
        );
        return Vec::new();
    }
    // The template's rows (see `template_rows`), without copying the catalog text.
    let expected = ctx.catalog.items().flat_map(|item| {
        let by_element = item.has_element_rules();
        let elements = item.elements.iter().filter(move |_| by_element).map(|e| Some(e.ordinal));
        let whole = std::iter::once(None).filter(move |_| !by_element);
        elements.chain(whole).map(move |e| (item.number, e, item.name.as_str()))
    });
    let mut slots = [None; ITEM_SLOTS];
    for (column, index) in &header.columns {
        slots[item_slot(*column)] = Some(*index);
    }
    let col = |c: ItemColumn| slots[item_slot(c)];
    let sheet_name = sheet.name.as_str();
    let mut seen: BTreeMap<(u32, Option<u32>), usize> = BTreeMap::new();
    let mut reports = Vec::new();
    let from = header.data_from.min(sheet.rows.len());
    for row in &mut sheet.rows[from..] {
        let cell = |c: ItemColumn| col(c).map(|i| row.cell(i)).unwrap_or(&Cell::Empty);
        let at = |c: ItemColumn| col(c).unwrap_or(0);
        let line = row.line;
        // The key.
        let key_cell = cell(ItemColumn::Item);
        if key_cell.is_blank() {
            let only_text = [ItemColumn::Group, ItemColumn::Name, ItemColumn::Content, ItemColumn::Note];
            if row.filled().all(|(c, _)| only_text.iter().any(|t| col(*t) == Some(c))) {
                continue; // A note or a caption row under the table.
            }
            problems.cell(Severity::Error, sheet_name, line, at(ItemColumn::Item), "事项编号不能为空");
            continue;
        }
        let Some((item_number, inline_element)) = parse_item_key(key_cell) else {
            problems.cell(
                Severity::Error,
                sheet_name,
                line,
                at(ItemColumn::Item),
                format!("无法识别事项编号“{}”，应为目录中的序号，如 5", key_cell.as_text()),
            );
            continue;
        };
        let element = match cell(ItemColumn::Element) {
            Cell::Empty => inline_element,
            other => match parse_item_key(other) {
                Some((e, None)) => Some(e),
                _ => {
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(ItemColumn::Element),
                        format!("无法识别要素序号“{}”", other.as_text()),
                    );
                    continue;
                }
            },
        };
        let Some(item) = ctx.catalog.item(item_number) else {
            problems.cell(
                Severity::Error,
                sheet_name,
                line,
                at(ItemColumn::Item),
                format!("目录（{}）中没有序号为 {item_number} 的事项", ctx.catalog.code),
            );
            continue;
        };
        if let Some(e) = element {
            if !item.has_element_rules() {
                problems.cell(
                    Severity::Error,
                    sheet_name,
                    line,
                    at(ItemColumn::Element),
                    format!("事项 {item_number}（{}）按整项填报，不分要素：请删去要素序号 {e}", item.name),
                );
                continue;
            }
            if !item.elements.iter().any(|x| x.ordinal == e) {
                problems.cell(
                    Severity::Error,
                    sheet_name,
                    line,
                    at(ItemColumn::Element),
                    format!("事项 {item_number}（{}）没有第 {e} 个要素", item.name),
                );
                continue;
            }
        }
        // Only problems need the row's name.
        let what = || match element {
            Some(e) => format!("事项 {item_number} 要素 {e}"),
            None => format!("事项 {item_number}"),
        };
        if let Some(first) = seen.get(&(item_number, element)) {
            problems.sheet(
                Severity::Error,
                sheet_name,
                Some(line),
                format!("{} 重复填报：第{first}行已填过，请删去一行", what()),
            );
            continue;
        }
        seen.insert((item_number, element), line);
        let mut row_ok = true;

        // 是否公开.
        let disclosed_cell = cell(ItemColumn::Disclosed);
        let disclosed = if disclosed_cell.is_blank() {
            problems.cell(
                Severity::Error,
                sheet_name,
                line,
                at(ItemColumn::Disclosed),
                "是否公开不能为空：请填 是、否 或 不适用",
            );
            None
        } else {
            let parsed = answer_of(disclosed_cell);
            if parsed.is_none() {
                problems.cell(
                    Severity::Error,
                    sheet_name,
                    line,
                    at(ItemColumn::Disclosed),
                    format!("无法识别“{}”：是否公开应填 是、否 或 不适用", disclosed_cell.as_text()),
                );
            }
            parsed
        };

        // Channels.
        let mut used = BTreeSet::new();
        for code in ChannelCode::ALL {
            let c = ItemColumn::Channel(code);
            match parse_channel_mark(cell(c)) {
                Some(true) => {
                    used.insert(code);
                }
                Some(false) => {}
                None => {
                    row_ok = false;
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(c),
                        format!("无法识别渠道标记“{}”：使用该渠道请填 ■ 或 √，不使用请留空", cell(c).as_text()),
                    );
                }
            }
        }
        match disclosed {
            Some(Disclosed::Yes) if used.is_empty() && row_ok => problems.sheet(
                Severity::Error,
                sheet_name,
                Some(line),
                format!("{} 填了“是”，但没有标记任何公开渠道：每个已公开的事项至少选择一个渠道（目录备注3）", what()),
            ),
            Some(Disclosed::No | Disclosed::NotApplicable) if !used.is_empty() => problems.sheet(
                Severity::Warning,
                sheet_name,
                Some(line),
                format!("{} 是否公开为“{}”，却标记了公开渠道；请核对", what(), disclosed.map_or("", |d| d.name_zh())),
            ),
            _ => {}
        }
        if used.contains(&ChannelCode::H) && cell(ItemColumn::OtherChannel).is_blank() {
            problems.cell(
                Severity::Warning,
                sheet_name,
                line,
                at(ItemColumn::OtherChannel),
                "选择了“其他”渠道，请在其他渠道说明中注明具体形式",
            );
        }

        // Dates.
        let mut date = |c: ItemColumn, label: &str| -> Option<NaiveDate> {
            match date_from_cell(cell(c)) {
                Ok(Some(d)) if d > ctx.today => {
                    row_ok = false;
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(c),
                        format!("{label} {d} 晚于今天（{}），不能填将来的日期", ctx.today),
                    );
                    None
                }
                Ok(d) => d,
                Err(message) => {
                    row_ok = false;
                    problems.cell(Severity::Error, sheet_name, line, at(c), format!("{label}：{message}"));
                    None
                }
            }
        };
        let formed_on = date(ItemColumn::FormedOn, "信息形成或变更日期");
        let published_on = date(ItemColumn::PublishedOn, "公开日期");
        if let (Some(formed), Some(published)) = (formed_on, published_on) {
            if published < formed {
                problems.cell(
                    Severity::Warning,
                    sheet_name,
                    line,
                    at(ItemColumn::PublishedOn),
                    format!("公开日期 {published} 早于信息形成或变更日期 {formed}；请核对"),
                );
            }
        }
        if disclosed == Some(Disclosed::Yes) && published_on.is_none() && row_ok {
            problems.cell(
                Severity::Warning,
                sheet_name,
                line,
                at(ItemColumn::PublishedOn),
                "已公开的事项请填写公开日期（按需更新的事项填最近一次更新日期），否则无法判断是否按时公开",
            );
        }

        // 未公开的要素序号.
        let missing_cell = cell(ItemColumn::ElementsMissing);
        let ordinals = match missing_cell {
            Cell::Empty => Some(Vec::new()),
            Cell::Text(text) => parse_ordinals(text),
            other => parse_ordinals(&other.as_text()),
        };
        let elements_missing = match ordinals {
            Some(list) => {
                let unknown: Vec<String> = list
                    .iter()
                    .filter(|e| !item.elements.iter().any(|x| x.ordinal == **e))
                    .map(u32::to_string)
                    .collect();
                if !unknown.is_empty() {
                    row_ok = false;
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(ItemColumn::ElementsMissing),
                        format!("事项 {item_number}（{}）没有第 {} 个要素", item.name, unknown.join("、")),
                    );
                }
                list
            }
            None => {
                row_ok = false;
                problems.cell(
                    Severity::Error,
                    sheet_name,
                    line,
                    at(ItemColumn::ElementsMissing),
                    format!("无法识别未公开的要素序号“{}”：请填序号，多个用顿号分隔，如 2、3", missing_cell.as_text()),
                );
                Vec::new()
            }
        };

        if let (Some(disclosed), true) = (disclosed, row_ok) {
            let mut take = |c: ItemColumn| col(c).and_then(|i| row.take_text(i));
            reports.push(ItemReport {
                item: item_number,
                element,
                disclosed,
                channels: used,
                other_channel: take(ItemColumn::OtherChannel),
                location: take(ItemColumn::Location),
                formed_on,
                published_on,
                elements_missing,
                note: take(ItemColumn::Note),
            });
        }
    }
    // Every row of the template must be there; a whole-item row covers the elements of the item.
    for (item, element, name) in expected {
        let covered = seen.contains_key(&(item, element)) || (element.is_some() && seen.contains_key(&(item, None)));
        if !covered {
            let what = match element {
                Some(e) => format!("事项 {item}（{name}）要素 {e} "),
                None => format!("事项 {item}（{name}）"),
            };
            problems.sheet(Severity::Error, sheet_name, None, format!("缺少{what}的填报行：目录中的每个事项都要填报"));
        }
    }
    reports
}

// ---------------------------------------------------------------------------------------------------------------
// 基本要求.

fn read_requirements(sheet: &mut Sheet, problems: &mut Problems) -> Vec<RequirementReport> {
    let name = |c: RequirementColumn| c.header().to_string();
    let headers = requirement_headers();
    let known = |text: &str| headers.get(text);
    let Some(header) = find_header(sheet, &known, &name, 2, problems) else {
        return Vec::new();
    };
    if report_missing_columns(sheet, &header, &RequirementColumn::ALL, &|c| c.required(), &name, problems) {
        return Vec::new();
    }
    let data = &sheet.rows[header.data_from.min(sheet.rows.len())..];
    if data.len() > MAX_RETURN_ROWS || sheet.truncated {
        problems.sheet(Severity::Error, &sheet.name, None, format!("数据行太多：最多 {MAX_RETURN_ROWS} 行"));
        return Vec::new();
    }
    let requirements = requirements();
    let mut slots = [None; RequirementColumn::ALL.len()];
    for (column, index) in &header.columns {
        slots[*column as usize] = Some(*index);
    }
    let col = |c: RequirementColumn| slots[c as usize];
    let sheet_name = sheet.name.as_str();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reports = Vec::new();
    let from = header.data_from.min(sheet.rows.len());
    for row in &mut sheet.rows[from..] {
        let cell = |c: RequirementColumn| col(c).map(|i| row.cell(i)).unwrap_or(&Cell::Empty);
        let at = |c: RequirementColumn| col(c).unwrap_or(0);
        let line = row.line;
        let code_cell = cell(RequirementColumn::Code);
        // The template's own code first, without folding.
        let as_written = match code_cell {
            Cell::Text(text) => requirements.iter().find(|r| r.code == text.trim()),
            _ => None,
        };
        let requirement = match as_written {
            Some(requirement) => requirement,
            None => {
                let code_text = code_cell.as_halfwidth().to_lowercase();
                if code_text.is_empty() {
                    problems.cell(Severity::Error, sheet_name, line, at(RequirementColumn::Code), "要求编号不能为空");
                    continue;
                }
                let Some(requirement) = requirements.iter().find(|r| r.code == code_text) else {
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(RequirementColumn::Code),
                        format!("未知的要求编号“{code_text}”：请使用下载的填报模板，不要修改要求编号"),
                    );
                    continue;
                };
                requirement
            }
        };
        if let Some(first) = seen.get(requirement.code.as_str()) {
            problems.sheet(
                Severity::Error,
                sheet_name,
                Some(line),
                format!("要求 {} 重复填报：第{first}行已填过，请删去一行", requirement.code),
            );
            continue;
        }
        seen.insert(&requirement.code, line);
        let fulfilled_cell = cell(RequirementColumn::Fulfilled);
        let fulfilled = if fulfilled_cell.is_blank() {
            problems.cell(
                Severity::Error,
                sheet_name,
                line,
                at(RequirementColumn::Fulfilled),
                "是否落实不能为空：请填 是、否 或 不适用",
            );
            None
        } else {
            let parsed = answer_of(fulfilled_cell);
            if parsed.is_none() {
                problems.cell(
                    Severity::Error,
                    sheet_name,
                    line,
                    at(RequirementColumn::Fulfilled),
                    format!("无法识别“{}”：是否落实应填 是、否 或 不适用", fulfilled_cell.as_text()),
                );
            }
            parsed
        };
        let count_cell = cell(RequirementColumn::Count);
        let mut count_ok = true;
        let count = match count_cell {
            Cell::Empty => None,
            Cell::Number(n) if n.fract() == 0.0 && (0.0..=1_000_000.0).contains(n) => Some(*n as u32),
            other => match other.as_halfwidth().trim_end_matches('次').trim().parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    count_ok = false;
                    problems.cell(
                        Severity::Error,
                        sheet_name,
                        line,
                        at(RequirementColumn::Count),
                        format!("数量“{}”不是不小于 0 的整数", other.as_text()),
                    );
                    None
                }
            },
        };
        if let (Some(min), Some(Disclosed::Yes), true) = (requirement.min_count, fulfilled, count_ok) {
            match count {
                None => problems.cell(
                    Severity::Warning,
                    sheet_name,
                    line,
                    at(RequirementColumn::Count),
                    format!("请填写本年度的数量（指引要求至少 {min} 次）"),
                ),
                Some(n) if n < min => problems.cell(
                    Severity::Warning,
                    sheet_name,
                    line,
                    at(RequirementColumn::Count),
                    format!("数量 {n} 少于指引要求的 {min} 次，却填了已落实；请核对"),
                ),
                Some(_) => {}
            }
        }
        if let (Some(fulfilled), true) = (fulfilled, count_ok) {
            reports.push(RequirementReport {
                code: requirement.code.clone(),
                fulfilled,
                evidence: col(RequirementColumn::Evidence).and_then(|i| row.take_text(i)),
                count,
            });
        }
    }
    for requirement in requirements {
        if !seen.contains_key(requirement.code.as_str()) {
            problems.sheet(
                Severity::Error,
                sheet_name,
                None,
                format!("缺少要求 {}（{}）的填报行", requirement.code, requirement.title_zh),
            );
        }
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_keys_accept_a_number_or_an_item_with_its_element() {
        assert_eq!(parse_item_key(&Cell::Number(5.0)), Some((5, None)));
        assert_eq!(parse_item_key(&Cell::Text(" ５ ".into())), Some((5, None)));
        for text in ["24-1", "24.1", "24(1)", "２４（１）"] {
            assert_eq!(parse_item_key(&Cell::Text(text.into())), Some((24, Some(1))), "{text}");
        }
        // Excel turns a typed `24.1` into a number; it still means item 24, element 1.
        assert_eq!(parse_item_key(&Cell::Number(24.1)), Some((24, Some(1))));
        assert_eq!(parse_item_key(&Cell::Number(-3.0)), None);
        assert_eq!(parse_item_key(&Cell::Text("第五项".into())), None);
    }

    #[test]
    fn element_lists_accept_the_usual_separators() {
        assert_eq!(parse_ordinals("2、3"), Some(vec![2, 3]));
        assert_eq!(parse_ordinals("２，3; 4 5."), Some(vec![2, 3, 4, 5]));
        assert_eq!(parse_ordinals(""), Some(vec![]));
        assert_eq!(parse_ordinals("第二项"), None);
    }

    #[test]
    fn an_office_is_a_code_then_its_name() {
        let code = OfficeCode::parse("0201").unwrap();
        assert_eq!(office_from_text("０２０１ 新港海关"), Some((code.clone(), "新港海关".to_string())));
        assert_eq!(office_from_text("0201新港海关"), Some((code.clone(), "新港海关".to_string())));
        assert_eq!(office_from_text("201"), Some((code, String::new())));
        assert_eq!(office_from_text("02A1"), None);
        assert_eq!(office_from_text("新港海关"), None);
    }

    #[test]
    fn a_header_found_by_its_exact_text_is_the_column_its_normalised_text_names() {
        let catalog = crate::catalog::standard_catalog().unwrap();
        let channels = channel_names(&catalog);
        let headers = item_headers(&channels);
        let by_normalised = |text: &str| {
            let n = normalize_header(text);
            headers.channels.get(&n).copied().or_else(|| headers.fixed.normalized.get(&n).copied())
        };
        let names = ItemColumn::all().into_iter().flat_map(|c| std::iter::once(c.header()).chain(c.aliases().to_vec()));
        let names: Vec<String> = names.map(str::to_string).chain(channels.iter().map(|(_, n)| n.clone())).collect();
        assert!(names.len() > 40);
        for name in &names {
            assert!(by_normalised(name).is_some(), "{name}");
            assert_eq!(headers.get(name), by_normalised(name), "{name}");
            assert_eq!(headers.get(&format!(" {name}（必填）")), by_normalised(name), "{name}");
        }
        let requirements = requirement_headers();
        for c in RequirementColumn::ALL {
            for name in std::iter::once(c.header()).chain(c.aliases().to_vec()) {
                assert_eq!(requirements.get(name), Some(c), "{name}");
                assert_eq!(requirements.get(&name.to_uppercase()), Some(c), "{name}");
            }
        }
        // A catalog channel named like a fixed column takes that name, exactly as in one merged map.
        let clashing = [(ChannelCode::A, "备注".to_string())];
        let clash = item_headers(&clashing);
        assert!(!clash.fixed_exact_holds);
        assert_eq!(clash.get("备注"), Some(ItemColumn::Channel(ChannelCode::A)));
        assert_eq!(clash.get("说明"), Some(ItemColumn::Note));
    }

    #[test]
    fn a_location_names_a_cell_a_row_or_a_sheet() {
        let at = |row, column| ProblemLocation { sheet: "公开事项".into(), row, column };
        assert_eq!(at(Some(7), Some(4)).to_string(), "公开事项!E7");
        assert_eq!(at(Some(7), None).to_string(), "公开事项 第7行");
        assert_eq!(at(None, None).to_string(), "公开事项");
        let problem = ReturnProblem { severity: Severity::Error, location: None, message: "文件是空的".into() };
        assert_eq!(problem.to_string(), "文件是空的");
    }
}
