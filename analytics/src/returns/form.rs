//! The web form of a return (在线填报, issue 4): the same return as the workbook, typed in a browser.
//!
//! Rules:
//! - [`ReturnForm`] holds what the user typed, as typed: raw strings for every answer, the channels ticked. It is
//!   never trusted; [`parse_form`] lays it out as the template's sheets in memory (`_meta`, `公开事项`, `基本要求`,
//!   one row per template row in catalog order, the columns of [`ItemColumn`] and [`RequirementColumn`]) and runs
//!   the workbook import's own readers on them. There is one set of rules: a value refused in a workbook is refused
//!   in the form with the same message, and the problem names the cell it would have had in the template.
//! - [`FormField::of`] maps a problem's cell back to the form field (row key + column), so the page shows each
//!   message beside its field. Problems of a whole row are shown on the row; problems of the whole return at the top.
//! - HTML field names are defined here ([`FormField::name`]), and read back by [`ReturnForm::from_fields`]: a field
//!   that is absent is empty, a field that names no template row is ignored.
//! - Prefill: [`ReturnForm::from_snapshot`] (the last accepted return, or a draft), else [`ReturnForm::blank`].
//! - Length: every field holds at most [`ItemField::max_chars`] / [`RequirementField::max_chars`] characters (the
//!   page's `maxlength`); [`parse_form`] refuses a longer value with an error at its field, and checks the rest of
//!   the form with the value cut to that length, so no message repeats an oversized value.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalog::ChannelCode;
use crate::offices::OfficeCode;

use super::Period;

/// What a user typed into the web form of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnForm {
    pub office: OfficeCode,
    pub period: Period,
    /// One per template row, in catalog order.
    pub items: Vec<ItemFields>,
    /// One per guide requirement, in the guide's order.
    pub requirements: Vec<RequirementFields>,
}

/// The fields of one row of `公开事项`: an item, or one element of it (item 24).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFields {
    pub item: u32,
    pub element: Option<u32>,
    /// 是否公开, as chosen (`是`, `否`, `不适用`, or empty).
    pub disclosed: String,
    /// The channels ticked.
    pub channels: BTreeSet<ChannelCode>,
    /// 其他渠道说明.
    pub other_channel: String,
    /// 公开位置或网址.
    pub location: String,
    /// 信息形成或变更日期, as typed (`2022-08-31`, `2022/8/31`, `2022年8月31日`…).
    pub formed_on: String,
    /// 公开日期, as typed.
    pub published_on: String,
    /// 未公开的要素序号 (`2、3`).
    pub elements_missing: String,
    /// 备注.
    pub note: String,
}

impl ItemFields {
    /// The row key: `7`, or `24-1` for an element.
    pub fn key(&self) -> String {
        row_key(self.item, self.element)
    }
}

/// The fields of one row of `基本要求`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementFields {
    /// The requirement's code.
    pub code: String,
    /// 是否落实, as chosen.
    pub fulfilled: String,
    /// 佐证说明.
    pub evidence: String,
    /// 数量, as typed.
    pub count: String,
}

/// The key of an item row: `7`, or `24-1` for element 1 of item 24.
pub fn row_key(item: u32, element: Option<u32>) -> String {
    match element {
        Some(e) => format!("{item}-{e}"),
        None => item.to_string(),
    }
}

/// A column of an item row of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ItemField {
    Disclosed,
    Channel(ChannelCode),
    OtherChannel,
    Location,
    FormedOn,
    PublishedOn,
    ElementsMissing,
    Note,
}

impl ItemField {
    /// Every column in template order.
    pub fn all() -> Vec<ItemField> {
        let mut all = vec![ItemField::Disclosed];
        all.extend(ChannelCode::ALL.map(ItemField::Channel));
        all.extend([
            ItemField::OtherChannel,
            ItemField::Location,
            ItemField::FormedOn,
            ItemField::PublishedOn,
            ItemField::ElementsMissing,
            ItemField::Note,
        ]);
        all
    }

    /// The part of the HTML name after the row key: `disclosed`, `channel_a`…
    pub fn slug(self) -> String {
        match self {
            ItemField::Disclosed => "disclosed".into(),
            ItemField::Channel(code) => format!("channel_{}", code.letter().to_ascii_lowercase()),
            ItemField::OtherChannel => "other_channel".into(),
            ItemField::Location => "location".into(),
            ItemField::FormedOn => "formed_on".into(),
            ItemField::PublishedOn => "published_on".into(),
            ItemField::ElementsMissing => "elements_missing".into(),
            ItemField::Note => "note".into(),
        }
    }

    fn from_slug(slug: &str) -> Option<ItemField> {
        ItemField::all().into_iter().find(|f| f.slug() == slug)
    }

    /// The most characters the field takes: the page's `maxlength`, which the server enforces (a channel's box
    /// sends a short value; only whether it is there counts).
    pub fn max_chars(self) -> usize {
        match self {
            ItemField::Disclosed | ItemField::Channel(_) => 20,
            ItemField::OtherChannel => 200,
            ItemField::Location | ItemField::Note => 500,
            ItemField::FormedOn | ItemField::PublishedOn => 50,
            ItemField::ElementsMissing => 100,
        }
    }

    /// The template's header of the column (channels: the notice's names).
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemField::Disclosed => "是否公开",
            ItemField::Channel(code) => code.name_zh(),
            ItemField::OtherChannel => "其他渠道说明",
            ItemField::Location => "公开位置或网址",
            ItemField::FormedOn => "信息形成或变更日期",
            ItemField::PublishedOn => "公开日期",
            ItemField::ElementsMissing => "未公开的要素序号",
            ItemField::Note => "备注",
        }
    }
}

/// A column of a requirement row of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RequirementField {
    Fulfilled,
    Evidence,
    Count,
}

impl RequirementField {
    pub const ALL: [RequirementField; 3] =
        [RequirementField::Fulfilled, RequirementField::Evidence, RequirementField::Count];

    pub fn slug(self) -> &'static str {
        match self {
            RequirementField::Fulfilled => "fulfilled",
            RequirementField::Evidence => "evidence",
            RequirementField::Count => "count",
        }
    }

    fn from_slug(slug: &str) -> Option<RequirementField> {
        RequirementField::ALL.into_iter().find(|f| f.slug() == slug)
    }

    /// The most characters the field takes: the page's `maxlength`, which the server enforces.
    pub fn max_chars(self) -> usize {
        match self {
            RequirementField::Fulfilled => 20,
            RequirementField::Evidence => 2000,
            RequirementField::Count => 10,
        }
    }

    /// The template's header of the column.
    pub fn label_zh(self) -> &'static str {
        match self {
            RequirementField::Fulfilled => "是否落实",
            RequirementField::Evidence => "佐证说明",
            RequirementField::Count => "数量",
        }
    }
}

/// Where in the form a problem belongs: a field, or a whole row (`None` column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FormField {
    Item { key: String, column: Option<ItemField> },
    Requirement { code: String, column: Option<RequirementField> },
}

impl FormField {
    /// The HTML name of the field (`item.7.disclosed`, `item.24-1.channel_a`, `req.training.count`); for a whole
    /// row, its prefix (`item.7`).
    pub fn name(&self) -> String {
        match self {
            FormField::Item { key, column: Some(c) } => format!("item.{key}.{}", c.slug()),
            FormField::Item { key, column: None } => format!("item.{key}"),
            FormField::Requirement { code, column: Some(c) } => format!("req.{code}.{}", c.slug()),
            FormField::Requirement { code, column: None } => format!("req.{code}"),
        }
    }

    /// The field an HTML name designates.
    pub fn parse(name: &str) -> Option<FormField> {
        let mut parts = name.splitn(3, '.');
        let (kind, key, slug) = (parts.next()?, parts.next()?, parts.next());
        match kind {
            "item" => Some(FormField::Item {
                key: key.to_string(),
                column: match slug {
                    Some(s) => Some(ItemField::from_slug(s)?),
                    None => None,
                },
            }),
            "req" => Some(FormField::Requirement {
                code: key.to_string(),
                column: match slug {
                    Some(s) => Some(RequirementField::from_slug(s)?),
                    None => None,
                },
            }),
            _ => None,
        }
    }

    /// The same place in a whole row (the field's row).
    pub fn row(&self) -> FormField {
        match self {
            FormField::Item { key, .. } => FormField::Item { key: key.clone(), column: None },
            FormField::Requirement { code, .. } => FormField::Requirement { code: code.clone(), column: None },
        }
    }
}

#[cfg(feature = "engine")]
pub use engine::*;

#[cfg(feature = "engine")]
mod engine {
    use std::collections::BTreeMap;

    use super::*;
    use crate::catalog::Catalog;
    use crate::returns::import::{parse_sheets, ParseContext, ParseOutcome, ProblemLocation, ReturnProblem, Severity};
    use crate::returns::template::{
        channel_names, template_rows, ItemColumn, RequirementColumn, CHANNEL_MARK, HEADER_ROW, META_CATALOG_VERSION,
        META_OFFICE_CODE, META_PERIOD, META_TEMPLATE_VERSION, SHEET_ITEMS, SHEET_META, SHEET_REQUIREMENTS,
        TEMPLATE_VERSION,
    };
    use crate::returns::{guide_requirements, ReturnSnapshot};
    use crate::sheets::{Cell, Row, Sheet};

    /// The 1-based line of the first data row in `公开事项` and `基本要求` (the template's, below its header row).
    const FIRST_DATA_LINE: usize = HEADER_ROW as usize + 2;

    impl ReturnForm {
        /// An empty form: one row per template row of `catalog`, one per guide requirement.
        pub fn blank(office: OfficeCode, period: Period, catalog: &Catalog) -> ReturnForm {
            let items = template_rows(catalog)
                .into_iter()
                .map(|row| ItemFields { item: row.item, element: row.element, ..ItemFields::default() })
                .collect();
            let requirements = guide_requirements()
                .into_iter()
                .map(|r| RequirementFields { code: r.code, ..RequirementFields::default() })
                .collect();
            ReturnForm { office, period, items, requirements }
        }

        /// A form filled with a return's answers (the last accepted return or a draft), for `office` and `period`:
        /// what the template writer would put in the workbook ([`super::super::write_filled`]).
        pub fn from_snapshot(office: OfficeCode, period: Period, catalog: &Catalog, snapshot: &ReturnSnapshot) -> Self {
            let mut form = ReturnForm::blank(office, period, catalog);
            for row in &mut form.items {
                let report = match row.element {
                    Some(e) => snapshot.element(row.item, e),
                    None => snapshot.item(row.item),
                };
                let Some(report) = report else { continue };
                let text = |value: &Option<String>| value.clone().unwrap_or_default();
                let date = |value: Option<chrono::NaiveDate>| value.map(|d| d.to_string()).unwrap_or_default();
                row.disclosed = report.disclosed.name_zh().to_string();
                row.channels = report.channels.clone();
                row.other_channel = text(&report.other_channel);
                row.location = text(&report.location);
                row.formed_on = date(report.formed_on);
                row.published_on = date(report.published_on);
                row.elements_missing =
                    report.elements_missing.iter().map(u32::to_string).collect::<Vec<_>>().join("、");
                row.note = text(&report.note);
            }
            for row in &mut form.requirements {
                let Some(report) = snapshot.requirement(&row.code) else { continue };
                row.fulfilled = report.fulfilled.name_zh().to_string();
                row.evidence = report.evidence.clone().unwrap_or_default();
                row.count = report.count.map(|n| n.to_string()).unwrap_or_default();
            }
            form
        }

        /// The form as posted: `fields` are the HTML names and values ([`FormField::name`]). Every template row is
        /// there, empty where nothing was sent; unknown names are ignored; a repeated field keeps its last value.
        pub fn from_fields(office: OfficeCode, period: Period, catalog: &Catalog, fields: &[(String, String)]) -> Self {
            let mut form = ReturnForm::blank(office, period, catalog);
            let items: BTreeMap<String, usize> = form.items.iter().enumerate().map(|(i, row)| (row.key(), i)).collect();
            let requirements: BTreeMap<String, usize> =
                form.requirements.iter().enumerate().map(|(i, row)| (row.code.clone(), i)).collect();
            for (name, value) in fields {
                match FormField::parse(name) {
                    Some(FormField::Item { key, column: Some(column) }) => {
                        let Some(row) = items.get(&key).map(|i| &mut form.items[*i]) else { continue };
                        let value = value.clone();
                        match column {
                            ItemField::Disclosed => row.disclosed = value,
                            ItemField::Channel(code) => {
                                // A ticked checkbox sends its value; an unticked one sends nothing.
                                if !value.trim().is_empty() {
                                    row.channels.insert(code);
                                }
                            }
                            ItemField::OtherChannel => row.other_channel = value,
                            ItemField::Location => row.location = value,
                            ItemField::FormedOn => row.formed_on = value,
                            ItemField::PublishedOn => row.published_on = value,
                            ItemField::ElementsMissing => row.elements_missing = value,
                            ItemField::Note => row.note = value,
                        }
                    }
                    Some(FormField::Requirement { code, column: Some(column) }) => {
                        let Some(row) = requirements.get(&code).map(|i| &mut form.requirements[*i]) else {
                            continue;
                        };
                        let value = value.clone();
                        match column {
                            RequirementField::Fulfilled => row.fulfilled = value,
                            RequirementField::Evidence => row.evidence = value,
                            RequirementField::Count => row.count = value,
                        }
                    }
                    _ => {}
                }
            }
            form
        }

        /// The template's sheets holding this form: `_meta`, `公开事项`, `基本要求`, rows in the form's order from
        /// the template's first data row.
        pub fn sheets(&self, catalog: &Catalog) -> FormSheets {
            let text = |key: &str, value: String| Row {
                line: 0,
                first_col: 0,
                cells: vec![Cell::Text(key.to_string()), Cell::text(&value)],
            };
            let mut meta_rows = vec![
                text(META_OFFICE_CODE, self.office.to_string()),
                text(META_PERIOD, self.period.code()),
                text(META_CATALOG_VERSION, catalog.code.clone()),
                text(META_TEMPLATE_VERSION, TEMPLATE_VERSION.to_string()),
            ];
            for (i, row) in meta_rows.iter_mut().enumerate() {
                row.line = i + 1;
            }
            let meta = Sheet { name: SHEET_META.to_string(), rows: meta_rows, truncated: false };

            let channels = channel_names(catalog);
            let item_header: Vec<Cell> = ItemColumn::all()
                .into_iter()
                .map(|column| match column {
                    ItemColumn::Channel(code) => Cell::text(
                        channels.iter().find(|(c, _)| *c == code).map(|(_, n)| n.as_str()).unwrap_or(code.name_zh()),
                    ),
                    other => Cell::text(other.header()),
                })
                .collect();
            let mut item_rows = vec![Row { line: FIRST_DATA_LINE - 1, first_col: 0, cells: item_header }];
            for (i, row) in self.items.iter().enumerate() {
                let cells = ItemColumn::all()
                    .into_iter()
                    .map(|column| match column {
                        ItemColumn::Item => Cell::Number(f64::from(row.item)),
                        ItemColumn::Element => row.element.map_or(Cell::Empty, |e| Cell::Number(f64::from(e))),
                        ItemColumn::Group | ItemColumn::Name | ItemColumn::Content => Cell::Empty,
                        ItemColumn::Disclosed => Cell::text(&row.disclosed),
                        ItemColumn::Channel(code) => {
                            if row.channels.contains(&code) {
                                Cell::Text(CHANNEL_MARK.to_string())
                            } else {
                                Cell::Empty
                            }
                        }
                        ItemColumn::OtherChannel => Cell::text(&row.other_channel),
                        ItemColumn::Location => Cell::text(&row.location),
                        ItemColumn::FormedOn => Cell::text(&row.formed_on),
                        ItemColumn::PublishedOn => Cell::text(&row.published_on),
                        ItemColumn::ElementsMissing => Cell::text(&row.elements_missing),
                        ItemColumn::Note => Cell::text(&row.note),
                    })
                    .collect();
                item_rows.push(Row { line: FIRST_DATA_LINE + i, first_col: 0, cells });
            }
            let items = Sheet { name: SHEET_ITEMS.to_string(), rows: item_rows, truncated: false };

            let header = RequirementColumn::ALL.iter().map(|c| Cell::text(c.header())).collect();
            let mut requirement_rows = vec![Row { line: FIRST_DATA_LINE - 1, first_col: 0, cells: header }];
            for (i, row) in self.requirements.iter().enumerate() {
                let cells = RequirementColumn::ALL
                    .iter()
                    .map(|column| match column {
                        RequirementColumn::Code => Cell::text(&row.code),
                        RequirementColumn::Section | RequirementColumn::Title | RequirementColumn::Nature => {
                            Cell::Empty
                        }
                        RequirementColumn::Fulfilled => Cell::text(&row.fulfilled),
                        RequirementColumn::Evidence => Cell::text(&row.evidence),
                        RequirementColumn::Count => Cell::text(&row.count),
                    })
                    .collect();
                requirement_rows.push(Row { line: FIRST_DATA_LINE + i, first_col: 0, cells });
            }
            let requirements = Sheet { name: SHEET_REQUIREMENTS.to_string(), rows: requirement_rows, truncated: false };
            FormSheets { meta, items, requirements }
        }
    }

    /// The sheets of a form, as the import reads a workbook's.
    #[derive(Debug, Clone, PartialEq)]
    pub struct FormSheets {
        pub meta: Sheet,
        pub items: Sheet,
        pub requirements: Sheet,
    }

    /// Checks a form with the workbook import's rules ([`super::super::import`]): the same snapshot, the same
    /// problems at the same (template) cells.
    ///
    /// A field longer than its `max_chars` is an error at its cell; the rest of the form is checked with the value
    /// cut to that length.
    pub fn parse_form(form: &ReturnForm, ctx: &ParseContext<'_>) -> ParseOutcome {
        let (bounded, too_long) = bounded(form);
        let FormSheets { meta, items, requirements } = bounded.sheets(ctx.catalog);
        let mut outcome = parse_sheets(&meta, items, requirements, ctx);
        outcome.problems.extend(too_long);
        outcome
    }

    /// `form` with every value cut to its field's `max_chars`, and an error for each value that was cut.
    fn bounded(form: &ReturnForm) -> (ReturnForm, Vec<ReturnProblem>) {
        fn cut(
            value: &mut String,
            limit: usize,
            label: &str,
            sheet: &str,
            line: usize,
            column: Option<usize>,
            problems: &mut Vec<ReturnProblem>,
        ) {
            let length = value.chars().count();
            if length <= limit {
                return;
            }
            *value = value.chars().take(limit).collect();
            problems.push(ReturnProblem {
                severity: Severity::Error,
                location: Some(ProblemLocation {
                    sheet: sheet.to_string(),
                    row: Some(line),
                    column: column.and_then(|c| u32::try_from(c).ok()),
                }),
                message: format!("{label}不能超过 {limit} 个字符（现有 {length} 个）"),
            });
        }
        let item_columns = ItemColumn::all();
        let item_column = |column: ItemColumn| item_columns.iter().position(|c| *c == column);
        let requirement_column = |column: RequirementColumn| RequirementColumn::ALL.iter().position(|c| *c == column);
        let mut bounded = form.clone();
        let mut problems = Vec::new();
        for (i, row) in bounded.items.iter_mut().enumerate() {
            let line = FIRST_DATA_LINE + i;
            let fields = [
                (&mut row.disclosed, ItemField::Disclosed, ItemColumn::Disclosed),
                (&mut row.other_channel, ItemField::OtherChannel, ItemColumn::OtherChannel),
                (&mut row.location, ItemField::Location, ItemColumn::Location),
                (&mut row.formed_on, ItemField::FormedOn, ItemColumn::FormedOn),
                (&mut row.published_on, ItemField::PublishedOn, ItemColumn::PublishedOn),
                (&mut row.elements_missing, ItemField::ElementsMissing, ItemColumn::ElementsMissing),
                (&mut row.note, ItemField::Note, ItemColumn::Note),
            ];
            for (value, field, column) in fields {
                let column = item_column(column);
                cut(value, field.max_chars(), field.label_zh(), SHEET_ITEMS, line, column, &mut problems);
            }
        }
        for (i, row) in bounded.requirements.iter_mut().enumerate() {
            let line = FIRST_DATA_LINE + i;
            let fields = [
                (&mut row.fulfilled, RequirementField::Fulfilled, RequirementColumn::Fulfilled),
                (&mut row.evidence, RequirementField::Evidence, RequirementColumn::Evidence),
                (&mut row.count, RequirementField::Count, RequirementColumn::Count),
            ];
            for (value, field, column) in fields {
                let column = requirement_column(column);
                cut(value, field.max_chars(), field.label_zh(), SHEET_REQUIREMENTS, line, column, &mut problems);
            }
        }
        (bounded, problems)
    }

    impl FormField {
        /// The field (or row) of `form` a problem's location designates; `None` for a problem of the whole return
        /// or of a whole sheet.
        pub fn of(form: &ReturnForm, location: &ProblemLocation) -> Option<FormField> {
            let index = location.row?.checked_sub(FIRST_DATA_LINE)?;
            if location.sheet == SHEET_ITEMS {
                let row = form.items.get(index)?;
                let column =
                    location.column.and_then(|c| ItemColumn::all().get(c as usize).copied()).and_then(|c| match c {
                        ItemColumn::Disclosed => Some(ItemField::Disclosed),
                        ItemColumn::Channel(code) => Some(ItemField::Channel(code)),
                        ItemColumn::OtherChannel => Some(ItemField::OtherChannel),
                        ItemColumn::Location => Some(ItemField::Location),
                        ItemColumn::FormedOn => Some(ItemField::FormedOn),
                        ItemColumn::PublishedOn => Some(ItemField::PublishedOn),
                        ItemColumn::ElementsMissing => Some(ItemField::ElementsMissing),
                        ItemColumn::Note => Some(ItemField::Note),
                        // The catalog's own columns are not fields: the problem is the row's.
                        ItemColumn::Item
                        | ItemColumn::Element
                        | ItemColumn::Group
                        | ItemColumn::Name
                        | ItemColumn::Content => None,
                    });
                Some(FormField::Item { key: row.key(), column })
            } else if location.sheet == SHEET_REQUIREMENTS {
                let row = form.requirements.get(index)?;
                let column = location.column.and_then(|c| RequirementColumn::ALL.get(c as usize).copied()).and_then(
                    |c| match c {
                        RequirementColumn::Fulfilled => Some(RequirementField::Fulfilled),
                        RequirementColumn::Evidence => Some(RequirementField::Evidence),
                        RequirementColumn::Count => Some(RequirementField::Count),
                        _ => None,
                    },
                );
                Some(FormField::Requirement { code: row.code.clone(), column })
            } else {
                None
            }
        }
    }
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;
    use crate::catalog::{standard_catalog, Catalog};
    use crate::returns::import::{parse_return, ParseContext, ReturnProblem, Severity};
    use crate::returns::template::{
        channel_names, ItemColumn, RequirementColumn, HEADER_ROW, SHEET_ITEMS, SHEET_META, SHEET_REQUIREMENTS,
        TEMPLATE_VERSION,
    };
    use crate::returns::{write_filled, TemplateSpec};
    use crate::sheets::SourceFormat;
    use chrono::NaiveDate;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/returns").join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 10, 20).expect("date")
    }

    /// The fixture return of 新港海关 for 2022Q3, as a form.
    fn filled_form(catalog: &Catalog) -> (ReturnForm, crate::returns::ReturnSnapshot) {
        let outcome = parse_return(&fixture("filled.xlsx"), SourceFormat::Xlsx, &ParseContext::new(today(), catalog));
        let snapshot = outcome.accepted().expect("the fixture is valid").clone();
        let form = ReturnForm::from_snapshot(
            snapshot.office.clone(),
            Period::parse(&snapshot.period).expect("period"),
            catalog,
            &snapshot,
        );
        (form, snapshot)
    }

    /// The workbook a user would upload with exactly the form's values typed as text: the template's sheets and
    /// columns, written with rust_xlsxwriter.
    fn workbook_of(form: &ReturnForm, catalog: &Catalog) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let header_row = HEADER_ROW;
        let first = header_row + 1;
        let items = workbook.add_worksheet();
        items.set_name(SHEET_ITEMS).expect("name");
        let channels = channel_names(catalog);
        for (c, column) in ItemColumn::all().into_iter().enumerate() {
            let header = match column {
                ItemColumn::Channel(code) => channels.iter().find(|(x, _)| *x == code).expect("channel").1.clone(),
                other => other.header().to_string(),
            };
            items.write_string(header_row, c as u16, header).expect("header");
        }
        for (i, row) in form.items.iter().enumerate() {
            let r = first + i as u32;
            for (c, column) in ItemColumn::all().into_iter().enumerate() {
                let c = c as u16;
                let text = match column {
                    ItemColumn::Item => {
                        items.write_number(r, c, f64::from(row.item)).expect("item");
                        continue;
                    }
                    ItemColumn::Element => {
                        if let Some(e) = row.element {
                            items.write_number(r, c, f64::from(e)).expect("element");
                        }
                        continue;
                    }
                    ItemColumn::Disclosed => row.disclosed.clone(),
                    ItemColumn::Channel(code) => if row.channels.contains(&code) { "■" } else { "" }.to_string(),
                    ItemColumn::OtherChannel => row.other_channel.clone(),
                    ItemColumn::Location => row.location.clone(),
                    ItemColumn::FormedOn => row.formed_on.clone(),
                    ItemColumn::PublishedOn => row.published_on.clone(),
                    ItemColumn::ElementsMissing => row.elements_missing.clone(),
                    ItemColumn::Note => row.note.clone(),
                    _ => String::new(),
                };
                if !text.is_empty() {
                    items.write_string(r, c, text).expect("cell");
                }
            }
        }
        let requirements = workbook.add_worksheet();
        requirements.set_name(SHEET_REQUIREMENTS).expect("name");
        for (c, column) in RequirementColumn::ALL.iter().enumerate() {
            requirements.write_string(header_row, c as u16, column.header()).expect("header");
        }
        for (i, row) in form.requirements.iter().enumerate() {
            let r = first + i as u32;
            for (c, text) in [(0u16, &row.code), (4, &row.fulfilled), (5, &row.evidence), (6, &row.count)] {
                if !text.is_empty() {
                    requirements.write_string(r, c, text).expect("cell");
                }
            }
        }
        let meta = workbook.add_worksheet();
        meta.set_name(SHEET_META).expect("name");
        for (r, (key, value)) in [
            ("office_code", form.office.to_string()),
            ("period", form.period.code()),
            ("catalog_version", catalog.code.clone()),
            ("template_version", TEMPLATE_VERSION.to_string()),
        ]
        .into_iter()
        .enumerate()
        {
            meta.write_string(r as u32, 0, key).expect("key");
            meta.write_string(r as u32, 1, value).expect("value");
        }
        workbook.save_to_buffer().expect("workbook")
    }

    fn item_mut<'a>(form: &'a mut ReturnForm, key: &str) -> &'a mut ItemFields {
        form.items.iter_mut().find(|r| r.key() == key).expect("row")
    }

    #[test]
    fn a_valid_form_gives_the_same_snapshot_as_the_equivalent_workbook() {
        let catalog = standard_catalog().expect("catalog");
        let (form, snapshot) = filled_form(&catalog);
        let ctx = ParseContext::new(today(), &catalog);
        let from_form = parse_form(&form, &ctx);
        assert!(!from_form.has_errors(), "{:?}", from_form.problems);
        assert_eq!(from_form.accepted(), Some(&snapshot), "the form gives the uploaded snapshot back");
        // The template writer's workbook of the same return, uploaded: same snapshot, same warnings.
        let spec = TemplateSpec {
            office: snapshot.office.clone(),
            office_name: "新港海关".into(),
            district_name: "天津海关".into(),
            period: form.period,
            catalog: catalog.clone(),
            catalog_version: catalog.code.clone(),
        };
        let bytes = write_filled(&spec, &snapshot).expect("workbook");
        let from_workbook = parse_return(&bytes, SourceFormat::Xlsx, &ctx);
        assert_eq!(from_workbook.accepted(), from_form.accepted());
        let warnings = |problems: &[ReturnProblem]| -> Vec<String> {
            problems.iter().filter(|p| p.severity == Severity::Warning).map(ToString::to_string).collect()
        };
        assert_eq!(warnings(&from_form.problems), warnings(&from_workbook.problems));
    }

    #[test]
    fn each_kind_of_bad_value_gives_the_import_message_on_its_field() {
        let catalog = standard_catalog().expect("catalog");
        let (mut form, _) = filled_form(&catalog);
        item_mut(&mut form, "5").formed_on = "2022年13月1日".into();
        item_mut(&mut form, "6").disclosed = String::new();
        item_mut(&mut form, "7").published_on = "2022-12-31".into();
        item_mut(&mut form, "8").disclosed = "也许".into();
        let nine = item_mut(&mut form, "9");
        nine.disclosed = "是".into();
        nine.channels.clear();
        item_mut(&mut form, "10").elements_missing = "第二项".into();
        form.requirements[9].count = "两次".into();
        form.requirements[0].fulfilled = String::new();

        let ctx = ParseContext::new(today(), &catalog);
        let outcome = parse_form(&form, &ctx);
        let uploaded = parse_return(&workbook_of(&form, &catalog), SourceFormat::Xlsx, &ctx);
        assert_eq!(outcome.problems, uploaded.problems, "the same messages at the same cells as the workbook");
        assert!(outcome.accepted().is_none());

        let at = |field: &FormField| -> Vec<String> {
            outcome
                .problems
                .iter()
                .filter(|p| p.location.as_ref().and_then(|l| FormField::of(&form, l)).as_ref() == Some(field))
                .map(|p| p.message.clone())
                .collect()
        };
        let item = |key: &str, column: Option<ItemField>| FormField::Item { key: key.into(), column };
        let req = |code: &str, column| FormField::Requirement { code: code.into(), column: Some(column) };
        assert_eq!(
            at(&item("5", Some(ItemField::FormedOn))),
            ["信息形成或变更日期：无法识别日期“2022年13月1日”；请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日"]
        );
        assert_eq!(at(&item("6", Some(ItemField::Disclosed))), ["是否公开不能为空：请填 是、否 或 不适用"]);
        assert_eq!(
            at(&item("7", Some(ItemField::PublishedOn))),
            ["公开日期 2022-12-31 晚于今天（2022-10-20），不能填将来的日期"]
        );
        assert_eq!(at(&item("8", Some(ItemField::Disclosed))), ["无法识别“也许”：是否公开应填 是、否 或 不适用"]);
        let row_nine = at(&item("9", None));
        assert_eq!(row_nine.len(), 1, "{row_nine:?}");
        assert!(row_nine[0].contains("没有标记任何公开渠道"), "a problem of the row is the row's: {row_nine:?}");
        assert_eq!(
            at(&item("10", Some(ItemField::ElementsMissing))),
            ["无法识别未公开的要素序号“第二项”：请填序号，多个用顿号分隔，如 2、3"]
        );
        assert_eq!(at(&req("exchange_activities", RequirementField::Count)), ["数量“两次”不是不小于 0 的整数"]);
        assert_eq!(at(&req("leader_filed", RequirementField::Fulfilled)), ["是否落实不能为空：请填 是、否 或 不适用"]);
    }

    #[test]
    fn a_value_longer_than_its_field_allows_is_refused_at_that_field_and_never_echoed() {
        let catalog = standard_catalog().expect("catalog");
        let (mut form, _) = filled_form(&catalog);
        let huge = "很".repeat(1_900_000 / 3);
        item_mut(&mut form, "5").location = huge.clone();
        item_mut(&mut form, "6").formed_on = huge.clone();
        form.requirements[0].evidence = "证".repeat(2001);
        let outcome = parse_form(&form, &ParseContext::new(today(), &catalog));
        assert!(outcome.accepted().is_none(), "nothing of an oversized form is accepted");
        let at = |field: FormField| -> Vec<String> {
            outcome
                .problems
                .iter()
                .filter(|p| p.location.as_ref().and_then(|l| FormField::of(&form, l)) == Some(field.clone()))
                .map(|p| p.message.clone())
                .collect()
        };
        let item = |key: &str, column| FormField::Item { key: key.into(), column: Some(column) };
        assert_eq!(at(item("5", ItemField::Location)), ["公开位置或网址不能超过 500 个字符（现有 633333 个）"]);
        let dates = at(item("6", ItemField::FormedOn));
        assert!(dates.contains(&"信息形成或变更日期不能超过 50 个字符（现有 633333 个）".to_string()), "{dates:?}");
        let evidence = at(FormField::Requirement {
            code: form.requirements[0].code.clone(),
            column: Some(RequirementField::Evidence),
        });
        assert_eq!(evidence, ["佐证说明不能超过 2000 个字符（现有 2001 个）"]);
        let longest = outcome.problems.iter().map(|p| p.message.chars().count()).max().unwrap_or(0);
        assert!(longest < 200, "no message repeats the oversized value ({longest} characters)");
    }

    #[test]
    fn the_form_is_read_back_from_its_html_field_names() {
        let catalog = standard_catalog().expect("catalog");
        let (form, _) = filled_form(&catalog);
        let mut fields = Vec::new();
        for row in &form.items {
            let key = row.key();
            let name = |c: ItemField| FormField::Item { key: key.clone(), column: Some(c) }.name();
            fields.push((name(ItemField::Disclosed), row.disclosed.clone()));
            for code in &row.channels {
                fields.push((name(ItemField::Channel(*code)), "1".into()));
            }
            fields.push((name(ItemField::OtherChannel), row.other_channel.clone()));
            fields.push((name(ItemField::Location), row.location.clone()));
            fields.push((name(ItemField::FormedOn), row.formed_on.clone()));
            fields.push((name(ItemField::PublishedOn), row.published_on.clone()));
            fields.push((name(ItemField::ElementsMissing), row.elements_missing.clone()));
            fields.push((name(ItemField::Note), row.note.clone()));
        }
        for row in &form.requirements {
            for (c, value) in [
                (RequirementField::Fulfilled, &row.fulfilled),
                (RequirementField::Evidence, &row.evidence),
                (RequirementField::Count, &row.count),
            ] {
                fields.push((FormField::Requirement { code: row.code.clone(), column: Some(c) }.name(), value.clone()));
            }
        }
        fields.push(("item.99.disclosed".into(), "是".into()));
        fields.push(("csrf_token".into(), "x".into()));
        let back = ReturnForm::from_fields(form.office.clone(), form.period, &catalog, &fields);
        assert_eq!(back, form);
        assert_eq!(
            FormField::parse("item.24-1.channel_h"),
            Some(FormField::Item { key: "24-1".into(), column: Some(ItemField::Channel(ChannelCode::H)) })
        );
        assert_eq!(FormField::parse("item.7.nonsense"), None);
    }

    #[test]
    fn a_form_without_a_previous_return_starts_empty_with_every_template_row() {
        let catalog = standard_catalog().expect("catalog");
        let office = OfficeCode::parse("0201").expect("code");
        let form = ReturnForm::blank(office, Period::parse("2022Q3").expect("period"), &catalog);
        assert_eq!(form.items.len(), crate::returns::template::template_rows(&catalog).len());
        assert!(form.items.iter().any(|r| r.key() == "24-1"), "item 24 by element");
        assert_eq!(form.requirements.len(), 12);
        let outcome = parse_form(&form, &ParseContext::new(today(), &catalog));
        assert!(outcome.has_errors(), "an empty form is not a return");
    }
}
