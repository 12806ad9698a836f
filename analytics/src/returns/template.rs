//! The return template (填报模板): an .xlsx an office downloads, fills in and uploads again.
//!
//! Rules:
//! - The layout is defined once here ([`ItemColumn`], [`RequirementColumn`], the sheet names) and read back by
//!   [`super::import`]; `docs/return-format.md` describes it for people.
//! - Sheets, in order: `填报说明` (how to fill it in), `公开事项` (one row per catalog item, or per element where the
//!   catalog gives elements their own time limits, item 24), `基本要求` (one row per guide requirement) and the
//!   hidden `_meta` (office, period, catalog version, [`TEMPLATE_VERSION`]).
//! - The header area of `公开事项` and `填报说明` also carries `填报单位：…`, `报送期间：…`, `目录版本：…`, `模板版本：…`,
//!   so that a workbook whose hidden sheet was lost (copied into a new file) can still be read.
//! - Catalog cells are locked (sheet protection without password); input cells are unlocked, with drop-downs for
//!   是否公开 / 是否落实 and for channel marks, date cells formatted `yyyy-mm-dd`, the header frozen.
//! - [`write_filled`] writes the same workbook with a snapshot's answers: demo returns and round-trip tests.
//! - Every text goes through [`safe_text`]: a filer's `=HYPERLINK(…)` is written as text that stays text, and a text
//!   longer than a cell holds is cut with a mark rather than failing the download (the import reads the guard back).

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use chrono::{Datelike, NaiveDate};

use super::{guide_requirements, Period, ReturnSnapshot};
use crate::catalog::{Catalog, ChannelCode, Item};
use crate::offices::OfficeCode;
use crate::sheets::safe_text;

/// The version of the template layout. The parser refuses workbooks of another version.
pub const TEMPLATE_VERSION: &str = "1";

/// The sheet that explains how to fill in the return.
pub const SHEET_GUIDE: &str = "填报说明";
/// The sheet of catalog items.
pub const SHEET_ITEMS: &str = "公开事项";
/// The sheet of the guide's requirements beyond the catalog.
pub const SHEET_REQUIREMENTS: &str = "基本要求";
/// The hidden sheet of machine-readable metadata.
pub const SHEET_META: &str = "_meta";

/// Labels of the header-area cells (`填报单位：0201 新港海关`).
pub const LABEL_OFFICE: &str = "填报单位";
pub const LABEL_PERIOD: &str = "报送期间";
pub const LABEL_CATALOG: &str = "目录版本";
pub const LABEL_TEMPLATE: &str = "模板版本";

/// Keys of the `_meta` sheet (column A), values in column B.
pub const META_OFFICE_CODE: &str = "office_code";
pub const META_OFFICE_NAME: &str = "office_name";
pub const META_DISTRICT: &str = "district";
pub const META_PERIOD: &str = "period";
pub const META_CATALOG_VERSION: &str = "catalog_version";
pub const META_TEMPLATE_VERSION: &str = "template_version";

/// The values the 是否公开 / 是否落实 drop-down offers.
pub const ANSWERS: [&str; 3] = ["是", "否", "不适用"];
/// The mark the template writes for a channel used.
pub const CHANNEL_MARK: &str = "■";

/// 0-based row of the header in `公开事项` and `基本要求` (row 3 as the user sees it).
pub const HEADER_ROW: u32 = 2;

/// What the template and the parser need to know about one return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpec {
    pub office: OfficeCode,
    /// The office's name, e.g. `新港海关`.
    pub office_name: String,
    /// The direct customs it belongs to, e.g. `天津海关`.
    pub district_name: String,
    pub period: Period,
    /// The catalog the office reports against: its district catalog, or the standard catalog.
    pub catalog: Catalog,
    /// The catalog version as the server names it (e.g. `std-2021-23`, or a district catalog's version).
    pub catalog_version: String,
}

/// Why a template could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(#[from] XlsxError),
    #[error("填报数据属于 {found}，与模板的填报单位 {expected} 不一致")]
    OfficeMismatch { expected: OfficeCode, found: OfficeCode },
    #[error("填报数据的报送期间为 {found}，与模板的报送期间 {expected} 不一致")]
    PeriodMismatch { expected: String, found: String },
    #[error("填报数据含有目录中没有的事项 {0}")]
    UnknownItem(u32),
    #[error("日期 {0} 超出 Excel 能表示的范围")]
    DateOutOfRange(NaiveDate),
}

/// The columns of `公开事项`, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemColumn {
    Item,
    Element,
    Group,
    Name,
    Content,
    Disclosed,
    Channel(ChannelCode),
    OtherChannel,
    Location,
    FormedOn,
    PublishedOn,
    ElementsMissing,
    Note,
}

impl ItemColumn {
    /// All columns in template order.
    pub fn all() -> Vec<ItemColumn> {
        let mut all = vec![
            ItemColumn::Item,
            ItemColumn::Element,
            ItemColumn::Group,
            ItemColumn::Name,
            ItemColumn::Content,
            ItemColumn::Disclosed,
        ];
        all.extend(ChannelCode::ALL.map(ItemColumn::Channel));
        all.extend([
            ItemColumn::OtherChannel,
            ItemColumn::Location,
            ItemColumn::FormedOn,
            ItemColumn::PublishedOn,
            ItemColumn::ElementsMissing,
            ItemColumn::Note,
        ]);
        all
    }

    /// The header the template writes (channels: the notice's names).
    pub fn header(self) -> &'static str {
        match self {
            ItemColumn::Item => "事项编号",
            ItemColumn::Element => "要素序号",
            ItemColumn::Group => "一级事项",
            ItemColumn::Name => "二级事项",
            ItemColumn::Content => "公开内容(要素)",
            ItemColumn::Disclosed => "是否公开",
            ItemColumn::Channel(code) => code.name_zh(),
            ItemColumn::OtherChannel => "其他渠道说明",
            ItemColumn::Location => "公开位置或网址",
            ItemColumn::FormedOn => "信息形成或变更日期",
            ItemColumn::PublishedOn => "公开日期",
            ItemColumn::ElementsMissing => "未公开的要素序号",
            ItemColumn::Note => "备注",
        }
    }

    /// Other accepted headers, before normalisation (see [`crate::sheets::normalize_header`]).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            ItemColumn::Item => &["序号", "事项序号", "编号"],
            ItemColumn::Element => &["要素编号", "要素"],
            ItemColumn::Group => &["一级"],
            ItemColumn::Name => &["二级", "公开事项"],
            ItemColumn::Content => &["公开内容", "公开要素", "要素内容"],
            ItemColumn::Disclosed => &["是否已公开", "公开情况"],
            ItemColumn::Channel(ChannelCode::A) => &["网站", "门户网站"],
            ItemColumn::Channel(ChannelCode::B) => &["两微一端(微博、微信、客户端)"],
            ItemColumn::Channel(ChannelCode::E) => &["查询机公用电脑", "查询机、公共电脑"],
            ItemColumn::Channel(ChannelCode::G) => &["入户上门网络精准推送", "精准推送"],
            ItemColumn::Channel(ChannelCode::H) => &["其他渠道"],
            ItemColumn::Channel(_) => &[],
            ItemColumn::OtherChannel => &["其他渠道具体形式", "其他渠道名称"],
            ItemColumn::Location => &["公开位置", "网址", "公开网址", "公开位置/网址"],
            ItemColumn::FormedOn => &["信息形成日期", "形成或变更日期", "变更日期", "形成日期"],
            ItemColumn::PublishedOn => &["发布日期", "公开时间", "最近更新日期"],
            ItemColumn::ElementsMissing => &["未公开要素", "未公开的要素"],
            ItemColumn::Note => &["说明"],
        }
    }

    /// Whether the column must be present.
    pub fn required(self) -> bool {
        matches!(
            self,
            ItemColumn::Item
                | ItemColumn::Disclosed
                | ItemColumn::Channel(_)
                | ItemColumn::FormedOn
                | ItemColumn::PublishedOn
        )
    }

    fn width(self) -> f64 {
        match self {
            ItemColumn::Item | ItemColumn::Element => 6.0,
            ItemColumn::Group | ItemColumn::Name => 12.0,
            ItemColumn::Content => 36.0,
            ItemColumn::Disclosed => 9.0,
            ItemColumn::Channel(_) => 8.0,
            ItemColumn::OtherChannel | ItemColumn::Note => 18.0,
            ItemColumn::Location => 30.0,
            ItemColumn::FormedOn | ItemColumn::PublishedOn => 13.0,
            ItemColumn::ElementsMissing => 10.0,
        }
    }
}

/// The columns of `基本要求`, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequirementColumn {
    Code,
    Section,
    Title,
    Nature,
    Fulfilled,
    Evidence,
    Count,
}

impl RequirementColumn {
    pub const ALL: [RequirementColumn; 7] = [
        RequirementColumn::Code,
        RequirementColumn::Section,
        RequirementColumn::Title,
        RequirementColumn::Nature,
        RequirementColumn::Fulfilled,
        RequirementColumn::Evidence,
        RequirementColumn::Count,
    ];

    pub fn header(self) -> &'static str {
        match self {
            RequirementColumn::Code => "要求编号",
            RequirementColumn::Section => "指引条款",
            RequirementColumn::Title => "要求",
            RequirementColumn::Nature => "性质",
            RequirementColumn::Fulfilled => "是否落实",
            RequirementColumn::Evidence => "佐证说明",
            RequirementColumn::Count => "数量",
        }
    }

    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            RequirementColumn::Code => &["编号", "代码", "code"],
            RequirementColumn::Section => &["条款"],
            RequirementColumn::Title => &["要求内容", "基本要求"],
            RequirementColumn::Nature => &["是否必须"],
            RequirementColumn::Fulfilled => &["是否已落实", "落实情况"],
            RequirementColumn::Evidence => &["佐证材料", "佐证", "说明"],
            RequirementColumn::Count => &["次数", "本年数量"],
        }
    }

    pub fn required(self) -> bool {
        matches!(self, RequirementColumn::Code | RequirementColumn::Fulfilled)
    }

    fn width(self) -> f64 {
        match self {
            RequirementColumn::Code => 22.0,
            RequirementColumn::Section => 8.0,
            RequirementColumn::Title => 48.0,
            RequirementColumn::Nature => 8.0,
            RequirementColumn::Fulfilled => 9.0,
            RequirementColumn::Evidence => 40.0,
            RequirementColumn::Count => 8.0,
        }
    }
}

/// One row of `公开事项` as the template lays it out: an item, or one element of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub item: u32,
    pub element: Option<u32>,
    pub group: String,
    pub name: String,
    /// The element text(s) the row covers, numbered (`1. 依申请公开渠道`).
    pub content: String,
}

/// The rows of `公开事项` for a catalog, in catalog order: one per item, one per element where the catalog gives
/// elements their own time limits ([`Item::has_element_rules`]).
pub fn template_rows(catalog: &Catalog) -> Vec<TemplateRow> {
    let mut rows = Vec::new();
    for group in &catalog.groups {
        for item in &group.items {
            if item.has_element_rules() {
                for element in &item.elements {
                    rows.push(TemplateRow {
                        item: item.number,
                        element: Some(element.ordinal),
                        group: group.name.clone(),
                        name: item.name.clone(),
                        content: element_line(item, element.ordinal),
                    });
                }
            } else {
                let content = if item.elements.len() == 1 {
                    item.elements.first().map(|e| e.text.text.clone()).unwrap_or_default()
                } else {
                    item.elements.iter().map(|e| element_line(item, e.ordinal)).collect::<Vec<_>>().join("\n")
                };
                rows.push(TemplateRow {
                    item: item.number,
                    element: None,
                    group: group.name.clone(),
                    name: item.name.clone(),
                    content,
                });
            }
        }
    }
    rows
}

fn element_line(item: &Item, ordinal: u32) -> String {
    let text = item.elements.iter().find(|e| e.ordinal == ordinal).map(|e| e.text.text.as_str()).unwrap_or("");
    if text.is_empty() {
        format!("{ordinal}. （原文缺失，见通知印刷件）")
    } else {
        format!("{ordinal}. {text}")
    }
}

/// The channel names of a catalog, in A–H order: the catalog's own names, else the notice's.
pub fn channel_names(catalog: &Catalog) -> Vec<(ChannelCode, String)> {
    ChannelCode::ALL
        .iter()
        .map(|code| {
            let name = catalog
                .items()
                .find_map(|i| i.channel(*code))
                .map(|c| c.name.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| code.name_zh().to_string());
            (*code, name)
        })
        .collect()
}

/// The empty template.
pub fn write_template(spec: &TemplateSpec) -> Result<Vec<u8>, TemplateError> {
    write(spec, None)
}

/// The template pre-filled with a snapshot's answers (demo returns, tests). The snapshot must be of the spec's
/// office and period and name only items of its catalog.
pub fn write_filled(spec: &TemplateSpec, snapshot: &ReturnSnapshot) -> Result<Vec<u8>, TemplateError> {
    if snapshot.office != spec.office {
        return Err(TemplateError::OfficeMismatch { expected: spec.office.clone(), found: snapshot.office.clone() });
    }
    if Period::parse(&snapshot.period).ok() != Some(spec.period) {
        return Err(TemplateError::PeriodMismatch { expected: spec.period.code(), found: snapshot.period.clone() });
    }
    if let Some(unknown) = snapshot.items.iter().find(|r| spec.catalog.item(r.item).is_none()) {
        return Err(TemplateError::UnknownItem(unknown.item));
    }
    write(spec, Some(snapshot))
}

struct Formats {
    title: Format,
    header: Format,
    locked: Format,
    locked_wrap: Format,
    input: Format,
    input_date: Format,
    info: Format,
}

impl Formats {
    fn new() -> Self {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center),
            header: border(
                Format::new()
                    .set_bold()
                    .set_text_wrap()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_background_color(Color::RGB(0xD9E1F2)),
            ),
            locked: border(
                Format::new().set_align(FormatAlign::VerticalCenter).set_background_color(Color::RGB(0xF2F2F2)),
            ),
            locked_wrap: border(
                Format::new()
                    .set_text_wrap()
                    .set_align(FormatAlign::VerticalCenter)
                    .set_background_color(Color::RGB(0xF2F2F2)),
            ),
            input: border(Format::new().set_unlocked().set_align(FormatAlign::VerticalCenter)),
            input_date: border(
                Format::new().set_unlocked().set_num_format("yyyy-mm-dd").set_align(FormatAlign::VerticalCenter),
            ),
            info: Format::new().set_text_wrap(),
        }
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, TemplateError> {
    let (Ok(y), Ok(m), Ok(d)) = (u16::try_from(date.year()), u8::try_from(date.month()), u8::try_from(date.day()))
    else {
        return Err(TemplateError::DateOutOfRange(date));
    };
    ExcelDateTime::from_ymd(y, m, d).map_err(|_| TemplateError::DateOutOfRange(date))
}

fn header_lines(spec: &TemplateSpec) -> [String; 4] {
    [
        format!("{LABEL_OFFICE}：{} {}", spec.office, spec.office_name),
        format!("{LABEL_PERIOD}：{}", spec.period.name_zh()),
        format!("{LABEL_CATALOG}：{}", spec.catalog_version),
        format!("{LABEL_TEMPLATE}：{TEMPLATE_VERSION}"),
    ]
}

fn write(spec: &TemplateSpec, snapshot: Option<&ReturnSnapshot>) -> Result<Vec<u8>, TemplateError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // A fixed creation time (the period's first day) instead of "now": the same template or return is the same
    // bytes every time, so a re-upload is recognised by its hash.
    let first = spec.period.first_day();
    let created =
        rust_xlsxwriter::ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, first.day() as u8)?;
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("{} {} 政务公开填报表", spec.office_name, spec.period.name_zh()))
            .set_creation_datetime(&created),
    );
    let guide = workbook.add_worksheet();
    write_guide(guide, spec, &formats)?;
    let items = workbook.add_worksheet();
    write_items(items, spec, snapshot, &formats)?;
    items.set_active(true);
    let requirements = workbook.add_worksheet();
    write_requirements(requirements, spec, snapshot, &formats)?;
    let meta = workbook.add_worksheet();
    write_meta(meta, spec)?;
    Ok(workbook.save_to_buffer()?)
}

fn write_guide(sheet: &mut Worksheet, spec: &TemplateSpec, formats: &Formats) -> Result<(), TemplateError> {
    sheet.set_name(SHEET_GUIDE)?;
    sheet.set_column_width(0, 110)?;
    sheet.write_string_with_format(0, 0, "海关基层政务公开标准化规范化填报表 填报说明", &formats.title)?;
    let mut lines: Vec<String> = header_lines(spec).to_vec();
    lines.insert(1, format!("所属直属海关：{}", spec.district_name));
    lines.extend([
        String::new(),
        "一、本表有“公开事项”“基本要求”两张工作表，请在白色单元格内填写，灰色单元格为目录内容，不能修改。".into(),
        "二、“公开事项”每行是目录中的一个事项；事项的各要素公开时限不同的（如政府信息公开事项），每个要素单独一行，由“要素序号”标明。"
            .into(),
        "三、是否公开：填“是”“否”或“不适用”（可从下拉列表选择），不能留空。也接受 √、✓、■、Y 表示“是”，×、N 表示“否”，/ 表示“不适用”。"
            .into(),
        format!(
            "四、公开渠道和载体：在所用渠道的列内填 {CHANNEL_MARK} 或 √（也接受 ✓、Y、1、是），不用的渠道留空；已公开的事项至少选择一个渠道。选择“其他”时，请在“其他渠道说明”中注明具体形式。"
        ),
        "五、日期：信息形成或变更日期、公开日期请填日期，例如 2022-08-31，也可写成 2022/8/31、2022.8.31 或 2022年8月31日。按需更新的事项，公开日期填最近一次更新日期；年报填报告年度内任一日期为形成日期。"
            .into(),
        "六、未公开的要素序号：事项只公开了部分要素的，填未公开要素的序号，多个用顿号或逗号分隔，例如 2、3。".into(),
        "七、“基本要求”每行是《海关领域基层政务公开标准指引》的一项要求：是否落实填“是”“否”或“不适用”，佐证说明写明文件、网址或做法；有“数量”的，填本年度实际次数。"
            .into(),
        "八、请勿增删、重排工作表，请勿修改表头和隐藏的工作表；填好后直接上传本文件（.xlsx，也接受另存为的 .xls、.ods）。".into(),
    ]);
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string_with_format(i as u32 + 1, 0, safe_text(line), &formats.info)?;
    }
    Ok(())
}

fn write_items(
    sheet: &mut Worksheet,
    spec: &TemplateSpec,
    snapshot: Option<&ReturnSnapshot>,
    formats: &Formats,
) -> Result<(), TemplateError> {
    sheet.set_name(SHEET_ITEMS)?;
    let columns = ItemColumn::all();
    let last_col = (columns.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &safe_text(&format!("{}{} 政务公开事项填报表", spec.office_name, spec.period.name_zh())),
        &formats.title,
    )?;
    let header = header_lines(spec);
    // Row 2: the four header-area cells, spread over the width.
    for (i, text) in header.iter().enumerate() {
        sheet.write_string(1, (i * 5) as u16, safe_text(text))?;
    }
    let channels = channel_names(&spec.catalog);
    for (col, column) in columns.iter().enumerate() {
        let text = match column {
            ItemColumn::Channel(code) => {
                channels.iter().find(|(c, _)| c == code).map(|(_, n)| n.as_str()).unwrap_or(code.name_zh())
            }
            other => other.header(),
        };
        sheet.write_string_with_format(HEADER_ROW, col as u16, safe_text(text), &formats.header)?;
        sheet.set_column_width(col as u16, column.width())?;
    }
    sheet.set_row_height(HEADER_ROW, 42)?;
    let rows = template_rows(&spec.catalog);
    for (i, row) in rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let report = snapshot.and_then(|s| match row.element {
            Some(e) => s.element(row.item, e),
            None => s.item(row.item),
        });
        for (col, column) in columns.iter().enumerate() {
            let c = col as u16;
            match column {
                ItemColumn::Item => sheet.write_number_with_format(r, c, f64::from(row.item), &formats.locked)?,
                ItemColumn::Element => match row.element {
                    Some(e) => sheet.write_number_with_format(r, c, f64::from(e), &formats.locked)?,
                    None => sheet.write_blank(r, c, &formats.locked)?,
                },
                ItemColumn::Group => sheet.write_string_with_format(r, c, safe_text(&row.group), &formats.locked)?,
                ItemColumn::Name => sheet.write_string_with_format(r, c, safe_text(&row.name), &formats.locked)?,
                ItemColumn::Content => {
                    sheet.write_string_with_format(r, c, safe_text(&row.content), &formats.locked_wrap)?
                }
                ItemColumn::Disclosed => match report {
                    Some(rep) => sheet.write_string_with_format(r, c, rep.disclosed.name_zh(), &formats.input)?,
                    None => sheet.write_blank(r, c, &formats.input)?,
                },
                ItemColumn::Channel(code) => match report {
                    Some(rep) if rep.channels.contains(code) => {
                        sheet.write_string_with_format(r, c, CHANNEL_MARK, &formats.input)?
                    }
                    _ => sheet.write_blank(r, c, &formats.input)?,
                },
                ItemColumn::OtherChannel | ItemColumn::Location | ItemColumn::Note => {
                    let value = report.and_then(|rep| match column {
                        ItemColumn::OtherChannel => rep.other_channel.as_deref(),
                        ItemColumn::Location => rep.location.as_deref(),
                        _ => rep.note.as_deref(),
                    });
                    match value {
                        Some(v) => sheet.write_string_with_format(r, c, safe_text(v), &formats.input)?,
                        None => sheet.write_blank(r, c, &formats.input)?,
                    }
                }
                ItemColumn::FormedOn | ItemColumn::PublishedOn => {
                    let value =
                        report.and_then(
                            |rep| {
                                if *column == ItemColumn::FormedOn {
                                    rep.formed_on
                                } else {
                                    rep.published_on
                                }
                            },
                        );
                    match value {
                        Some(date) => sheet.write_datetime_with_format(r, c, excel_date(date)?, &formats.input_date)?,
                        None => sheet.write_blank(r, c, &formats.input_date)?,
                    }
                }
                ItemColumn::ElementsMissing => match report.filter(|rep| !rep.elements_missing.is_empty()) {
                    Some(rep) => {
                        let text = rep.elements_missing.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("、");
                        sheet.write_string_with_format(r, c, safe_text(&text), &formats.input)?
                    }
                    None => sheet.write_blank(r, c, &formats.input)?,
                },
            };
        }
    }
    if !rows.is_empty() {
        let first = HEADER_ROW + 1;
        let last = HEADER_ROW + rows.len() as u32;
        let col_of = |wanted: ItemColumn| columns.iter().position(|c| *c == wanted).unwrap_or(0) as u16;
        sheet.add_data_validation(
            first,
            col_of(ItemColumn::Disclosed),
            last,
            col_of(ItemColumn::Disclosed),
            &answers()?,
        )?;
        let marks = DataValidation::new()
            .allow_list_strings(&[CHANNEL_MARK, "√"])?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_message("使用该渠道请填 ■ 或 √，不使用请留空")?;
        sheet.add_data_validation(
            first,
            col_of(ItemColumn::Channel(ChannelCode::A)),
            last,
            col_of(ItemColumn::Channel(ChannelCode::H)),
            &marks,
        )?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 6)?;
    sheet.protect_with_options(&protection());
    Ok(())
}

/// Sheet protection without a password: catalog cells stay as issued, while columns and rows may still be resized.
fn protection() -> ProtectionOptions {
    ProtectionOptions { format_columns: true, format_rows: true, ..ProtectionOptions::default() }
}

fn answers() -> Result<DataValidation, XlsxError> {
    DataValidation::new().allow_list_strings(&ANSWERS)?.set_error_message("请填 是、否 或 不适用")
}

fn write_requirements(
    sheet: &mut Worksheet,
    spec: &TemplateSpec,
    snapshot: Option<&ReturnSnapshot>,
    formats: &Formats,
) -> Result<(), TemplateError> {
    sheet.set_name(SHEET_REQUIREMENTS)?;
    let last_col = (RequirementColumn::ALL.len() - 1) as u16;
    sheet.merge_range(
        0,
        0,
        0,
        last_col,
        &safe_text(&format!("{}{} 指引基本要求落实情况", spec.office_name, spec.period.name_zh())),
        &formats.title,
    )?;
    let header = header_lines(spec);
    sheet.write_string(1, 0, safe_text(&header[0]))?;
    sheet.write_string(1, 2, safe_text(&header[1]))?;
    for (col, column) in RequirementColumn::ALL.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, column.header(), &formats.header)?;
        sheet.set_column_width(col as u16, column.width())?;
    }
    let requirements = guide_requirements();
    for (i, req) in requirements.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let report = snapshot.and_then(|s| s.requirement(&req.code));
        sheet.write_string_with_format(r, 0, safe_text(&req.code), &formats.locked)?;
        sheet.write_string_with_format(r, 1, safe_text(&req.section), &formats.locked)?;
        sheet.write_string_with_format(r, 2, safe_text(&req.title_zh), &formats.locked_wrap)?;
        sheet.write_string_with_format(r, 3, if req.mandatory { "应当" } else { "鼓励" }, &formats.locked)?;
        match report {
            Some(rep) => sheet.write_string_with_format(r, 4, rep.fulfilled.name_zh(), &formats.input)?,
            None => sheet.write_blank(r, 4, &formats.input)?,
        };
        match report.and_then(|rep| rep.evidence.as_deref()) {
            Some(text) => sheet.write_string_with_format(r, 5, safe_text(text), &formats.input)?,
            None => sheet.write_blank(r, 5, &formats.input)?,
        };
        if req.min_count.is_some() {
            match report.and_then(|rep| rep.count) {
                Some(n) => sheet.write_number_with_format(r, 6, f64::from(n), &formats.input)?,
                None => sheet.write_blank(r, 6, &formats.input)?,
            };
        } else {
            sheet.write_blank(r, 6, &formats.locked)?;
        }
    }
    if !requirements.is_empty() {
        let last = HEADER_ROW + requirements.len() as u32;
        sheet.add_data_validation(HEADER_ROW + 1, 4, last, 4, &answers()?)?;
        let count = DataValidation::new()
            .allow_whole_number(rust_xlsxwriter::DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_message("请填不小于 0 的整数")?;
        sheet.add_data_validation(HEADER_ROW + 1, 6, last, 6, &count)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    sheet.protect_with_options(&protection());
    Ok(())
}

fn write_meta(sheet: &mut Worksheet, spec: &TemplateSpec) -> Result<(), TemplateError> {
    sheet.set_name(SHEET_META)?;
    let rows = [
        (META_OFFICE_CODE, spec.office.to_string()),
        (META_OFFICE_NAME, spec.office_name.clone()),
        (META_DISTRICT, spec.district_name.clone()),
        (META_PERIOD, spec.period.code()),
        (META_CATALOG_VERSION, spec.catalog_version.clone()),
        (META_TEMPLATE_VERSION, TEMPLATE_VERSION.to_string()),
    ];
    for (i, (key, value)) in rows.iter().enumerate() {
        sheet.write_string(i as u32, 0, *key)?;
        sheet.write_string(i as u32, 1, safe_text(value))?;
    }
    sheet.set_hidden(true);
    sheet.protect();
    Ok(())
}
